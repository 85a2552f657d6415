"""Find the quoted spans of a text, and normalise text for comparing quotes.

Quote marks read (the convention of each is in :func:`find_quotes`):

- double quotes: curly ``“…”``, straight ``"…"``, guillemets ``«…»`` and the PTB tokeniser's ``` ``…'' ```
  (CNN/DailyMail summaries in SummEval and FRANK are tokenised that way);
- curly single quotes ``‘…’``: one opens only after a space, a bracket, a dash or a double quote mark (or at
  the start of a line), and closes only before a character that is not a letter, so the apostrophes of
  "King Charles’s" and "smugglers’ boats" are not quotes;
- straight single quotes ``'…'`` (the Daily Mail's style) by the same rule, only when asked for: in most
  text they are apostrophes far more often than quotes.

A quote never crosses a line break: a quote still open at the end of a line ends there and is marked
``closed=False`` (news continues a quote over paragraphs by re-opening it on the next one). Quote marks
inside an open quote of another kind are part of it (nesting): only the outermost quote is a quote.
A closing mark with no open quote is counted as stray. The scan is one left-to-right pass over the marks.

Normalisation for comparison (:func:`normalise`): Unicode compatibility decomposition (NFKD, which makes
two strings equal exactly when their NFKC forms are), case folding, curly quotes and apostrophes to straight
ones, every dash and minus to ``-``, and every run of whitespace to one space, keeping for each normalised
character the offset of the original character it came from, so matches are reported as spans of the
original text. Quote edges are then stripped of punctuation and spaces (:func:`strip_edges`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

VERSION = "1"

# Every character that may open or close a quote, and line breaks, which end any open quote.
_MARKS = re.compile(r"``|''|[\"“”«»‘’\n]")
_MARKS_SINGLE = re.compile(r"``|''|[\"“”«»‘’'\n]")
# What may stand right before an opening single quote or straight double quote.
_OPEN_AFTER = frozenset('([{—–-/"“«')
# Dashes, minus signs and hyphen variants, all compared as "-".
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_STRAIGHT = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'"}
    | {dash: "-" for dash in _DASHES}
)
# Characters stripped from the edges of a quote before comparing it: the punctuation that moves in or out of
# quote marks with house style ("launches." vs "launches".), and the marks themselves.
EDGE = " \t.,;:!?-'\"()[]…"


# The mark that closes each kind of quote (single quotes must also stand before a non-letter).
_CLOSER = {"double": "”", "guillemet": "»", "ptb": "''", "double-straight": '"', "single": "’", "single-straight": "'"}


@dataclass(frozen=True)
class Quote:
    """One quoted span: ``start``/``end`` are the offsets of its text inside the marks."""

    start: int
    end: int
    mark_start: int  # offset of the opening mark
    mark_end: int  # offset just past the closing mark, or ``end`` when the quote was not closed
    closed: bool
    kind: str  # double, single, guillemet, ptb


@dataclass(frozen=True)
class Scan:
    """All quotes of a text, and how many marks did not pair up (opened and never closed, or stray closers)."""

    quotes: tuple[Quote, ...]
    unclosed: int
    stray: int


def _can_open(text: str, at: int, width: int) -> bool:
    """An opening mark stands at a line start or after a space/bracket/dash and is followed by a non-space."""
    before = text[at - 1] if at else "\n"
    after = text[at + width] if at + width < len(text) else ""
    return (before.isspace() or before in _OPEN_AFTER) and after != "" and not after.isspace()


def _closes_single(text: str, end: int) -> bool:
    """A single closing mark is followed by a non-letter ("Charles’s" is an apostrophe)."""
    return end >= len(text) or not text[end].isalpha()


def find_quotes(text: str, *, straight_single: bool = False) -> Scan:
    """Every outermost quote of ``text`` in order (see the module docstring for the rules)."""
    quotes: list[Quote] = []
    unclosed = stray = 0
    open_kind: str | None = None
    open_at = open_end = 0  # the opening mark's offset and the offset just past it
    for match in (_MARKS_SINGLE if straight_single else _MARKS).finditer(text):
        mark, at, end = match.group(), match.start(), match.end()
        if mark == "\n":
            if open_kind is not None:
                quotes.append(Quote(open_end, at, open_at, at, False, open_kind))
                unclosed += 1
                open_kind = None
            continue
        if open_kind is None:
            kind: str | None = None
            if mark in ("“", "«", "``"):
                kind = {"“": "double", "«": "guillemet", "``": "ptb"}[mark]
            elif mark == '"' and _can_open(text, at, 1):
                kind = "double-straight"
            elif mark == "‘" and _can_open(text, at, 1):
                kind = "single"
            elif mark == "'" and _can_open(text, at, 1) and text[end].isalnum():
                kind = "single-straight"
            elif mark in "”»’" or mark == "''" or mark == '"':
                # A closer with nothing open; a lone "’" or "'" is an apostrophe, not a stray mark.
                stray += mark not in "’"
            if kind is not None:
                open_kind, open_at, open_end = kind, at, end
            continue
        if mark == _CLOSER[open_kind] and (
            open_kind not in ("single", "single-straight")
            or (_closes_single(text, end) and not (open_kind == "single-straight" and text[at - 1].isspace()))
        ):
            quotes.append(Quote(open_end, at, open_at, end, True, open_kind))
            open_kind = None
        elif (open_kind == "double" and mark == "“") or (open_kind == "ptb" and mark == "``"):
            # The same opener again before a closer: the first quote was never closed; a new one starts.
            quotes.append(Quote(open_end, at, open_at, at, False, open_kind))
            unclosed += 1
            open_at, open_end = at, end
    if open_kind is not None:
        quotes.append(Quote(open_end, len(text), open_at, len(text), False, open_kind))
        unclosed += 1
    return Scan(tuple(q for q in quotes if q.end > q.start), unclosed, stray)


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One character as compared: NFKD, case-folded, straight quotes, "-" for dashes, " " for whitespace."""
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKD", char).casefold().translate(_STRAIGHT)
    # Case folding can recompose or produce characters that decompose further; one more NFKD settles it.
    return unicodedata.normalize("NFKD", folded)


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised for comparison, and the original offset of each normalised character.

    Whitespace runs become one space (a leading or trailing one is kept; callers strip edges). The offsets
    list has one extra entry, ``len(text)``, so that an end offset maps too.
    """
    out: list[str] = []
    where: list[int] = []
    last_space = False
    if text.isascii():
        # The common case, without a per-character call: ASCII only needs folding, quotes and whitespace.
        for index, char in enumerate(text):
            if char.isspace():
                if not last_space:
                    out.append(" ")
                    where.append(index)
                last_space = True
                continue
            last_space = False
            out.append(char.lower() if char != "`" else "'")
            where.append(index)
    else:
        for index, char in enumerate(text):
            folded = _fold(char)
            if folded == " ":
                if last_space:
                    continue
                last_space = True
            else:
                last_space = False
            out.append(folded)
            where.extend([index] * len(folded))
    where.append(len(text))
    return "".join(out), where


def strip_edges(norm: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``norm[start:end]`` past edge punctuation and spaces (see ``EDGE``)."""
    while start < end and norm[start] in EDGE:
        start += 1
    while end > start and norm[end - 1] in EDGE:
        end -= 1
    return start, end


# An ellipsis (three dots, spaced or not, or "…"), or an editor's bracketed insertion: both mark where a
# quote leaves words out or puts its own in, so the pieces between them are compared separately.
_GAP = re.compile(r"\.\s?\.\s?\.|…|\[[^\]\n]{0,80}\]")


def pieces(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-empty pieces of ``norm[start:end]`` between ellipses and bracketed insertions, edges stripped."""
    found: list[tuple[int, int]] = []
    at = start
    for gap in _GAP.finditer(norm, start, end):
        piece = strip_edges(norm, at, gap.start())
        if piece[1] > piece[0]:
            found.append(piece)
        at = gap.end()
    piece = strip_edges(norm, at, end)
    if piece[1] > piece[0]:
        found.append(piece)
    return found


# A letter or digit, then letters, digits and the combining marks NFKD splits off accented letters.
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])*")


def tokens(norm: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Word tokens (runs of letters and digits) of ``norm[start:end]`` with their normalised offsets."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(norm, start, len(norm) if end is None else end)]
