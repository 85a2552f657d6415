"""Longest common subsequences for ROUGE-L and ROUGE-Lsum, bit-parallel on Python integers.

ROUGE-L (Lin 2004, section 3.1) needs the LCS *length* of two token sequences; ROUGE-Lsum (section 3.2)
needs, for each reference sentence, the union over the candidate sentences of the reference positions
*on* an LCS. rouge-score fills the (n+1) x (m+1) dynamic-programming table ``_lcs_table`` in pure Python and
reads one LCS out of it with ``_backtrack_norec``; which LCS it reads decides the union, so here the
positions must be exactly the ones that backtrack picks, not just any LCS.

Length: the bit-vector algorithm of Allison & Dix (1986, "A bit-string longest-common-subsequence
algorithm", IPL 23) in the form of Hyyrö (2004, "Bit-parallel LCS-length computation revisited",
AWOCA): one integer ``V`` over the reference positions, updated once per candidate token with
``U = V & M[token]; V = (V + U) | (V - U)``. After candidate token j, bit r-1 of ``V`` is 0 exactly where
the DP column j steps up (``t[r][j] = t[r-1][j] + 1``), so the column's zeros count its LCS length.

Positions: rouge-score's backtrack starts at (n, m); on a match it steps diagonally and records the
reference position, otherwise it steps left only if ``t[i][j-1] > t[i-1][j]``, else up. At a mismatch
``t[i][j] = max(t[i-1][j], t[i][j-1])``, so it steps left exactly when the column steps up at row i, and
up while it does not. In candidate column j, entered at row i with value ``L = t[i][j]``, the walk
therefore climbs through rows r0..i (r0: the highest row <= i where column j steps up; ``t = L`` on all of
them) and takes the *first* (highest) row in that range whose token equals the candidate token, or, if
there is none, leaves the column at row r0. Both are "highest set bit at or below i" queries on column
vectors that the forward pass already made. For ROUGE-Lsum all reference sentences are packed into one
integer, each in its own bit segment with a zero guard bit between segments (carries of the addition
stop there), so one pass over a candidate sentence serves every reference sentence at once. The
"highest bit per segment" query is done on bit-reversed copies (``int.to_bytes``/``translate``), where it
becomes "lowest bit per segment", which a subtraction answers in every segment at once. A candidate
sentence of m tokens costs about 25 big-integer operations per token, on integers as wide as the whole
reference, instead of rouge-score's n x m Python steps per sentence pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

# Bit-reversal of every byte, for reversing an integer's bits through bytes.translate.
_REVERSE_BYTE = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def bits_to_int(bits: Sequence[int], nbytes: int) -> int:
    """The integer with exactly ``bits`` set (each below ``8 * nbytes``), built in linear time.

    OR-ing ``1 << k`` into an integer one bit at a time costs O(k) per bit, quadratic in a text's length: a
    5 MB source then never finishes. A byte array is set bit by bit instead and converted once.
    """
    buffer = bytearray(nbytes)
    for bit in bits:
        buffer[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(buffer, "little")


# Bytes of masks one reference keeps for the candidates to come: every mask is as wide as the reference (a 4 MB
# source: ~90 KB a mask), so the tokens of many candidates would otherwise fill memory.
MASK_BYTES = 64 * 2**20


class Masks(dict[str, int]):
    """token -> integer with a bit set at each of the token's positions, built on first use from the positions.

    Only the tokens some candidate contains are ever needed, and a mask is as wide as the whole reference, so
    building every distinct token's mask up front would cost (distinct tokens x reference length) bits: fine
    for an article, gigabytes for a book. A token the reference lacks maps to 0.
    """

    def __init__(self, positions: dict[str, list[int]], nbytes: int, mirror: int | None = None) -> None:
        """``mirror``: when given, position b sets bit ``mirror - b`` (the bit-reversed masks of a layout)."""
        super().__init__()
        self._positions = positions
        self._nbytes = nbytes
        self._mirror = mirror
        self._kept = 0  # bytes of the masks kept (at most MASK_BYTES; beyond, masks are rebuilt when asked)

    def __missing__(self, token: str) -> int:
        bits = self._positions.get(token)
        if bits and self._mirror is not None:
            bits = [self._mirror - b for b in bits]
        value = bits_to_int(bits, self._nbytes) if bits else 0
        if self._kept + self._nbytes <= MASK_BYTES:  # a megabyte-long source's masks would not fit in memory
            self[token] = value
            self._kept += self._nbytes if bits else 0
        return value


def position_masks(tokens: Sequence[str]) -> Masks:
    """For each distinct token, an integer whose bit k is set where ``tokens[k]`` is that token (built lazily)."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for k, token in enumerate(tokens):
        positions[token].append(k)
    return Masks(positions, (len(tokens) + 7) // 8)


def lcs_length(reference_masks: Masks, reference_length: int, candidate: Sequence[str]) -> int:
    """Length of the LCS of the reference (given by :func:`position_masks`) and the candidate tokens."""
    full = (1 << reference_length) - 1
    v = full
    for token in candidate:
        match = reference_masks[token]
        if match:
            u = v & match
            # Hyyrö's update; V - U equals V ^ U because U is a subset of V.
            v = ((v + u) | (v ^ u)) & full
    return reference_length - v.bit_count()


class SentenceLayout:
    """Reference sentences packed into one integer, for the union LCS of :func:`union_lcs_positions`.

    Bit 0 is a guard; sentence s occupies the next ``len(s)`` bits, followed by another guard bit. Empty
    sentences take no bits (they have no LCS with anything). ``slots[b]`` is the index into the
    concatenated reference tokens held by bit b, or -1 for a guard.
    """

    def __init__(self, sentences: Sequence[Sequence[str]]) -> None:
        self.slots: list[int] = [-1]
        self.nbytes = (1 + sum(len(sentence) + 1 for sentence in sentences if sentence) + 7) // 8
        self.width = 8 * self.nbytes  # reversed, bit b lands at width - 1 - b
        top = self.width - 1
        positions: defaultdict[str, list[int]] = defaultdict(list)
        guards = [0]
        slots = self.slots
        for sentence in sentences:
            if not sentence:
                continue
            offset = len(slots)  # bit of the sentence's first token
            shift = len(guards)  # guards before it: bit - shift is the token's index in the concatenation
            for k, token in enumerate(sentence, offset):
                positions[token].append(k)
            slots.extend(range(offset - shift, offset - shift + len(sentence)))
            guards.append(len(slots))
            slots.append(-1)
        # Built per token on first use, and every constant in linear time (see :class:`Masks`).
        self.masks = Masks(positions, self.nbytes)
        self.reversed_masks = Masks(positions, self.nbytes, mirror=top)
        self.full = (1 << len(self.slots)) - 1 - bits_to_int(guards, self.nbytes)
        self.reversed_full = self.reverse(self.full)
        # Reversed, each segment's guard "above" is the guard that precedes it, and its lowest bit is the
        # sentence's last token: the two constants of the per-segment lowest-set-bit subtraction.
        self.reversed_guards = bits_to_int([top - b for b in guards], self.nbytes)
        self.reversed_bottoms = bits_to_int([top - b + 1 for b in guards[1:]], self.nbytes)

    def reverse(self, value: int) -> int:
        """``value`` with bit b moved to bit ``width - 1 - b``."""
        return int.from_bytes(value.to_bytes(self.nbytes, "little").translate(_REVERSE_BYTE), "big")


def union_lcs_positions(layout: SentenceLayout, candidates: Sequence[Sequence[str]]) -> list[int]:
    """Indices into the concatenated reference tokens of rouge-score's union LCS, ascending.

    Equal to ``_find_union([lcs_ind(r, c) for c in candidates])`` for every reference sentence r of
    ``layout``, each shifted by r's offset in the concatenation (see the module docstring for why).
    """
    full, masks = layout.full, layout.masks
    rfull, rmasks = layout.reversed_full, layout.reversed_masks
    guards, bottoms, nbytes = layout.reversed_guards, layout.reversed_bottoms, layout.nbytes
    from_bytes = int.from_bytes
    union = 0
    for sentence in candidates:
        # Forward: every reference sentence's DP column against each token of this sentence.
        columns: list[int] = []
        v = full
        for token in sentence:
            match = masks[token]
            if match:
                u = v & match
                v = ((v + u) | (v ^ u)) & full
            columns.append(v)
        # Backward, the walk of rouge-score's backtrack in every reference sentence at once, bit-reversed so
        # that row 1 is a segment's top bit: per segment, ``allowed`` holds the rows 1..i above the walk,
        # which is at row i of column j. The layout's ``reverse`` is inlined: this loop is most of ROUGE-Lsum's
        # time. "x | guards; x ^ (x - bottoms)" gives, per segment, the bits from the segment's lowest up to
        # x's lowest set bit there: subtracting each segment's lowest bit borrows up to that bit, and where
        # x has none the set guard above the segment absorbs the borrow (the whole segment is returned).
        allowed = rfull
        for j in range(len(sentence) - 1, -1, -1):
            # Rows <= i where column j steps up; reversed, the lowest per segment is the highest row, r0.
            ups = allowed & from_bytes((full ^ columns[j]).to_bytes(nbytes, "little").translate(_REVERSE_BYTE), "big")
            below = ups | guards
            below ^= below - bottoms  # rows r0..(last row); the whole segment if L = 0 (the walk ends there)
            leave = (rfull & ~below) | (ups & below)  # rows 1..r0: where the walk goes on without a match
            match = rmasks[sentence[j]] & allowed & below  # matches in rows r0..i
            if match:
                upto = match | guards
                upto ^= upto - bottoms
                first = match & upto  # the highest such row: the one the walk meets first
                union |= first
                # Where there was a match the walk goes on above it (rows 1..row-1); elsewhere from r0.
                allowed = ((rfull & ~upto) | leave) & ~first
            else:
                allowed = leave
            if not allowed:
                break
    # Printed most significant bit first, the reversed union reads in the original bit order.
    bits = format(union, f"0{layout.width}b")
    slots = layout.slots
    found, b = [], bits.find("1")
    while 0 <= b < len(slots):  # jump from one set bit to the next: hits are few, the layout is wide
        found.append(slots[b])
        b = bits.find("1", b + 1)
    return found
