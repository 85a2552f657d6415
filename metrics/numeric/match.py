"""Match the candidate's quantities against the source's, and name what is wrong with those that fail.

A candidate quantity is *supported* when some source quantity has the same dimension (money in the same
currency, lengths in any length unit, percent and fractions as ratios, counts and years as numbers, ...)
and the same value, allowing:

- unit conversion within a dimension (1.5 km = 1,500 metres), so only values are compared;
- rounding by the candidate: the source value rounded half-up to the candidate's last significant place
  equals the candidate ("about 6 million" for 6.1 million; "750,000" for 745,000). Unhedged rounding must
  keep at least ``min_rounded_digits`` significant digits (default 2), so "300,000" for 320,000 is not
  supported but "about 300,000" is. Years, ordinals, times and dates are never rounded;
- a relative ``tolerance`` (default 0) for sources that print more digits than matter;
- qualifiers that do not contradict each other. A contradiction is a bound pointing the other way
  ("nearly 10%" → "more than 10%", "at least 40" → "up to 40") or a strict bound on a figure the source gives
  exactly ("130" → "more than 130"; not "over"/"under", as often prepositions: "a row over three laws");
- a plain bound the source's figure satisfies, within a factor of ten, in a sentence about the same thing (a
  content word in common): "at least 20 people" for "23 people"; "more than 100" for 5,000 is not backed, nor
  "more than 1,000 people" by "1,500 unlicensed HMOs". A plain bound is never a rounding ("at least 10" is not
  backed by 9);
- a unit or currency on one side only ("a 71-year-old" for "71", "2m" for "£2m"): missing information, not
  a contradiction, so the numbers as written are compared; but a count of things ("1,000 people": a plural
  noun right after it) is not backed by an amount with a unit ("£1000"), nor backs one;
- a result ("3-1", "145-6") either way round ("won 2-1" / "lost 1-2");
- a name holding a figure ("A40", "Formula 1", "under-21s"; or a bare count after a word, "formula 1" in
  lower-cased text) when the source writes that name under one of its forms (:mod:`metrics.numeric.names`:
  "F1" for "Formula 1", "T20" for "Twenty20");
- a rank claim ("one of the world's most successful") when the source makes one with the same superlative.

A figure backed by value must also be backed *for the same thing* (:mod:`metrics.numeric.binding`, the
``attribution`` option, on by default): two figures of the rewrite exchanged (:func:`attribution`), or a year
or a figure below ten whose clause shares no word with the clause of any mention of it in the source
(:func:`unbound`), is an ``attribution`` error.

Support is many-to-one (a figure repeated in the candidate is supported by one source mention). Recall asks
the same question from the source's side: a source quantity is kept if some candidate quantity it supports.

An unsupported candidate quantity gets the first kind that explains it, in this order, with the source
quantity that explains it:

``bound``      the values agree, the qualifiers contradict;
``scale``      same dimension, same significant digits, magnitude off by a power of ten (£500m → £500bn);
``unit``       the number as written agrees, the unit or currency differs (10 metres → 10 miles, £ → $,
               % → points);
``value``      same dimension and unit, other value, and either the same context word (the noun counted)
               or digits that look like a slip (same length, at most two differ, or the same digits
               reordered: 745,000 → 754,000);
``unsupported`` none of these: the closest source quantity of the same dimension (nearest in log value),
               or null when the source has none (always null for a name or a rank claim);
``attribution`` backed by value, bound to something else: the source's mention of the figure, the source
               figure whose place it took (``rival``), and the clause words of each (``bound_to``); or
               the source's figure of another kind ("in 2015" for "2015 people").

A result ("3-1") that the source does not give is ``value`` when the source gives another result, else
``unsupported``.

A source quantity no candidate quantity supports is ``missing`` (it lowers recall only).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metrics.numeric import binding
from metrics.numeric import lexicon as lx
from metrics.numeric.extract import Quantity

VERSION = "5"  # 5: a word cut by the 300-character sentence window is no word (binding._window)
_NO_ROUNDING = frozenset({"year", "ordinal", "time", "date", "decade"})
_EPS = 1e-9


@dataclass(frozen=True)
class Options:
    """Matching options; each is recorded in the metric's signature."""

    tolerance: float = 0.0
    rounding: bool = True
    min_rounded_digits: int = 2
    attribution: bool = True  # check that a backed figure is bound to the same thing (see attribution)


@dataclass(frozen=True)
class Discrepancy:
    """A candidate quantity the source does not support (or a source quantity the candidate dropped).

    For ``attribution``, ``source`` is the source's mention of the same figure and ``rival`` the source figure
    whose clause the candidate's clause matches (null when the figure is simply bound to something else)."""

    kind: str
    candidate: Quantity | None
    source: Quantity | None
    rival: Quantity | None = None

    def as_json(self) -> dict[str, Any]:
        found = {"kind": self.kind, "candidate": _span(self.candidate), "source": _span(self.source)}
        if self.kind == "attribution":
            found["rival"] = _span(self.rival)
            found["bound_to"] = {
                "candidate": list(self.candidate.clause) if self.candidate else [],
                "source": list(self.source.clause) if self.source else [],
                "rival": list(self.rival.clause) if self.rival else [],
            }
        return found


def _span(quantity: Quantity | None) -> dict[str, Any] | None:
    if quantity is None:
        return None
    return {
        "text": quantity.text,
        "start": quantity.start,
        "end": quantity.end,
        "value": quantity.value,
        "high": quantity.high,
        "unit": quantity.unit,
        "kind": quantity.kind,
        "qualifier": quantity.qualifier,
    }


def _close(a: float, b: float, tolerance: float) -> bool:
    return math.isclose(a, b, rel_tol=max(tolerance, _EPS), abs_tol=1e-12)


def _value_ok(cand: float, cand_q: Quantity, src: float, src_q: Quantity, options: Options) -> bool:
    """Does the candidate's figure say the source's figure (exactly, within tolerance, or as its rounding)?"""
    if _close(cand, src, options.tolerance):
        return True
    if not options.rounding or cand_q.kind in _NO_ROUNDING or src_q.kind in _NO_ROUNDING:
        return False
    if cand_q.qualifier in lx.BOUNDS:
        return False  # "at least 10" is no rounding of 9: a plain bound is checked as a bound (_bound_satisfied)
    place = cand_q.precision
    if not place > 0 or not math.isfinite(place) or place <= src_q.precision * (1 - _EPS):
        return False  # not coarser than the source: not a rounding
    hedged = cand_q.direction != "exact"
    if not hedged and len(cand_q.digits) < options.min_rounded_digits:
        return False
    rounded = math.floor(src / place + 0.5 + _EPS) * place
    return _close(cand, rounded, options.tolerance)


def _values_agree(cand: Quantity, src: Quantity, options: Options) -> bool:
    if (cand.high is None) != (src.high is None):
        return False
    if not _value_ok(cand.value, cand, src.value, src, options):
        return False
    return cand.high is None or src.high is None or _value_ok(cand.high, cand, src.high, src, options)


def _contradicts(cand: Quantity, src: Quantity) -> bool:
    """Qualifiers pointing opposite ways, or a strict bound on a figure the source gives exactly ("over" and
    "under" excepted: "a row over three laws" is a preposition as often as a bound)."""
    if {cand.direction, src.direction} == {"above", "below"}:
        return True
    return src.direction == "exact" and cand.strict and cand.qualifier not in lx.PREPOSITION_QUALIFIERS


def _bound_satisfied(cand: Quantity, src: Quantity) -> bool:
    """ "at least 20 people" where the source gives 23: a plain bound the source's figure satisfies, within one
    order of magnitude (a bound ten times looser than the figure misleads as much as a wrong figure)."""
    if cand.qualifier not in lx.BOUNDS or cand.high is not None or src.high is not None:
        return False
    if src.direction not in ("exact", cand.direction) or cand.value <= 0 or src.value <= 0:
        return False
    if cand.direction == "above":
        return (src.value > cand.value if cand.strict else src.value >= cand.value) and src.value < 10 * cand.value
    if cand.direction == "below":
        return (src.value < cand.value if cand.strict else src.value <= cand.value) and src.value * 10 > cand.value
    return False


_BARE = frozenset({"count"})
_WITH_UNIT = frozenset({"money", "measure", "percent", "points"})


def _one_sided_unit(cand: Quantity, src: Quantity) -> bool:
    """A unit or currency on one side only ("a 71-year-old" against "71", "2m" against "£2m"): missing
    information, not a contradiction; unless the bare side counts things ("1,000 people" against "£1000")."""
    if cand.kind in _BARE and src.kind in _WITH_UNIT:
        return not cand.counts_things
    return src.kind in _BARE and cand.kind in _WITH_UNIT and not src.counts_things


def _kinds_conflict(cand: Quantity, src: Quantity) -> bool:
    """A year and a count that their contexts both settle ("in 2015" and "2015 people")."""
    return cand.typed and src.typed and {cand.kind, src.kind} == {"year", "count"}


def supports(src: Quantity, cand: Quantity, options: Options) -> bool:
    """Does the source quantity back the candidate quantity (by value; binding is checked apart)?"""
    if cand.dimension == src.dimension:
        dimension = cand.dimension
        if dimension == "name":
            return False  # names are checked as names (see compare)
        if dimension == "rank":
            # "one of the most successful": backed by the same superlative ("successful", "big" for "biggest").
            return bool(cand.forms & src.forms)
        if dimension == "score":
            # A result reads either way round ("won 2-1" / "lost 1-2").
            return sorted((cand.value, cand.other or 0)) == sorted((src.value, src.other or 0))
        if cand.typed and src.typed and _kinds_conflict(cand, src):
            return False  # "in 2015" does not back "2015 people"
        if _values_agree(cand, src, options) and not _contradicts(cand, src):
            return True
        # Another figure backs a bound only when it is about the same thing: a content word in common in
        # their sentences ("more than 1,000 people" is not backed by "1,500 unlicensed HMOs").
        return _bound_satisfied(cand, src) and bool(cand.sentence & src.sentence)
    if _one_sided_unit(cand, src) and cand.high is None and src.high is None and not _contradicts(cand, src):
        return _close(cand.shown, src.shown, options.tolerance)
    return False


def _pools(sources: Sequence[Quantity]) -> tuple[dict[str, list[Quantity]], list[Quantity], list[Quantity]]:
    """Sources by dimension, and those with a unit and the bare counts (which back each other, see
    _one_sided_unit): a candidate is compared only with the sources that could back it."""
    by_dimension: dict[str, list[Quantity]] = {}
    for src in sources:
        by_dimension.setdefault(src.dimension, []).append(src)
    return (
        by_dimension,
        [src for src in sources if src.kind in _WITH_UNIT],
        [src for src in sources if src.kind in _BARE],
    )


def _pool(cand: Quantity, pools: tuple[dict[str, list[Quantity]], list[Quantity], list[Quantity]]) -> list[Quantity]:
    by_dimension, with_unit, bare = pools
    same = by_dimension.get(cand.dimension, [])
    if cand.kind in _BARE:
        return same + [src for src in with_unit if src.dimension != cand.dimension]
    if cand.kind in _WITH_UNIT:
        return same + [src for src in bare if src.dimension != cand.dimension]
    return same


def _power_of_ten(a: float, b: float) -> bool:
    if a <= 0 or b <= 0:
        return False
    ratio = math.log10(a / b)
    return abs(ratio) >= 0.5 and abs(ratio - round(ratio)) < 1e-6


def _comparable(cand: Quantity, src: Quantity) -> bool:
    """Same dimension, or both amounts of money (any currency)."""
    if cand.dimension == src.dimension:
        return True
    return cand.kind == src.kind == "money"


def _slip(a: str, b: str) -> bool:
    """Digits that look like a typing or reading slip: same length with at most two differing, or reordered."""
    if not a or not b or len(a) != len(b):
        return False
    return sum(x != y for x, y in zip(a, b)) <= 2 or sorted(a) == sorted(b)


def _closest(cand: Quantity, pool: Sequence[Quantity]) -> Quantity | None:
    if not pool:
        return None

    def distance(src: Quantity) -> float:
        if cand.value > 0 and src.value > 0:
            return abs(math.log(cand.value / src.value))
        return abs(cand.value - src.value)

    return min(pool, key=distance)


def classify(cand: Quantity, sources: Sequence[Quantity], options: Options) -> Discrepancy:
    """Why the source does not back ``cand``: the first kind that explains it (see the module docstring)."""
    if cand.kind in _CANDIDATE_ONLY:
        return Discrepancy("unsupported", cand, None)
    if cand.kind == "score":
        scores = [s for s in sources if s.kind == "score"]
        return Discrepancy("value" if scores else "unsupported", cand, _closest(cand, scores))
    same = [s for s in sources if s.dimension == cand.dimension]
    # The figure the source gives, for another kind of thing: a year where the rewrite counts people.
    other_kind = [s for s in same if _kinds_conflict(cand, s) and _values_agree(cand, s, options)]
    if other_kind:
        return Discrepancy("attribution", cand, other_kind[0])
    bound = [s for s in same if _values_agree(cand, s, options)]
    if bound:
        return Discrepancy("bound", cand, bound[0])
    scale = [
        s
        for s in sources
        if _comparable(cand, s) and s.unit == cand.unit and s.digits == cand.digits and cand.high is None
        if _power_of_ten(cand.value, s.value) and s.kind not in _NO_ROUNDING and cand.kind not in _NO_ROUNDING
    ]
    if scale:
        return Discrepancy("scale", cand, _closest(cand, scale))
    unit = [
        s
        for s in sources
        # Both sides name a unit: one on one side only is missing information (supported, see supports).
        if s.unit and cand.unit and s.unit != cand.unit and _close(s.shown, cand.shown, options.tolerance)
        if s.kind not in _NO_ROUNDING and cand.kind not in _NO_ROUNDING
    ]
    if unit:
        return Discrepancy("unit", cand, unit[0])
    value = [
        s
        for s in same
        if s.unit == cand.unit and (set(s.context) & set(cand.context) or _slip(s.digits, cand.digits))
        if (s.kind in ("year", "decade")) == (cand.kind in ("year", "decade"))
    ]
    if value:
        slips = [s for s in value if _slip(s.digits, cand.digits)]
        return Discrepancy("value", cand, _closest(cand, slips or value))
    return Discrepancy("unsupported", cand, _closest(cand, same))


@dataclass(frozen=True)
class Comparison:
    """The outcome for one pair: counts and every discrepancy, candidate's first, then missing ones."""

    n_source: int
    n_candidate: int
    supported: int
    kept: int
    discrepancies: list[Discrepancy]

    @property
    def precision(self) -> float:
        return self.supported / self.n_candidate if self.n_candidate else 1.0

    @property
    def recall(self) -> float:
        return self.kept / self.n_source if self.n_source else 1.0

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


_CANDIDATE_ONLY = frozenset({"name", "rank"})


def _best(cand: Quantity, pool: Sequence[Quantity]) -> tuple[Quantity, int]:
    best = max(pool, key=lambda s: binding.overlap(cand.bound, s.bound))
    return best, binding.overlap(cand.bound, best.bound)


def attribution(
    index: int,
    candidates: Sequence[Quantity],
    backing: Sequence[Sequence[Quantity]],
    own: Sequence[tuple[Quantity, int] | None],
) -> Discrepancy | None:
    """Is candidate ``index``, which ``backing[index]`` back by value, bound to something else in the source?
    (see :mod:`metrics.numeric.binding`; ``own[i]`` is candidate i's best backer and their clause overlap)

    - An exchange: another figure of the rewrite is backed by a source figure (the rival) whose clause the
      candidate's clause matches better than any of its own backers', in at least two words, and that other
      figure's clause in turn matches this candidate's backer better than its own: the two were swapped. Or,
      within one clause, each of the two sits in the slot (the words right around it) where the source has
      the other, and neither sits in a slot the source gives it.

    A figure bound to something else without an exchange is checked by :func:`unbound`."""
    cand, backers, mine = candidates[index], backing[index], own[index]
    assert mine is not None
    best, best_overlap = mine
    for other, (cand2, backers2) in enumerate(zip(candidates, backing)):
        theirs = own[other]
        if other == index or theirs is None or not _comparable(cand, cand2):
            continue
        rivals = [s for s in backers2 if not any(s is b for b in backers)]
        if not rivals:
            continue
        if cand.clause and cand2.clause:
            rival, rival_overlap = _best(cand, rivals)
            # The other figure must be misplaced the same way: its clause is closer to this figure's backer.
            misplaced = binding.overlap(cand2.bound, best.bound) > theirs[1]
            if rival_overlap >= 2 and rival_overlap > best_overlap and misplaced:
                return Discrepancy("attribution", cand, best, rival)
        # Two figures of one clause exchanged ("a record high of 2022 in 745,000").
        slot, slot2 = cand.bound.slot, cand2.bound.slot
        if (
            slot != slot2
            and all(b.bound.slot != slot for b in backers)
            and all(b.bound.slot != slot2 for b in backers2)
            and any(b.bound.slot == slot2 for b in backers)
            and binding.same_clause(cand.bound, cand2.bound)
        ):
            swapped = [
                s
                for s in rivals
                if s.bound.slot == slot and any(binding.same_clause(s.bound, b.bound) for b in backers)
            ]
            if swapped:
                return Discrepancy("attribution", cand, best, swapped[0])
    return None


_SMALL = 10  # one to nine: the figures news style spells out, and the ones any article repeats most
# Fewer content words than this in a clause ("London 2012") say too little to tell what a figure is bound to.
_MIN_CLAUSE = 2


_BOTH = re.compile(r"(?<![A-Za-z])both (?:of )?(?:the |these |those |their |its )?([A-Za-z]+)", re.IGNORECASE)


def _both(cand: Quantity, backers: Sequence[Quantity]) -> bool:
    """ "the two governments" where the source says "both governments": the source's "both" counts the thing."""
    text = backers[0].source_text if backers else ""
    return any(binding.stem(m.group(1)) in cand.bound.stems for m in _BOTH.finditer(text))


def unbound(cand: Quantity, backers: Sequence[Quantity], overlap: int, source_forms: frozenset[str]) -> bool:
    """Is ``cand``, backed by value, bound to nothing the source says with that figure? For the figures whose
    value alone is weak evidence: a year (it dates an event, and its clause names the event) and a count or
    ordinal below ten (every article has a "two" or a "first" somewhere). Such a figure whose clause shares no
    content word with the clause of any source mention that backs it ("six residential homes" where the
    source's only six is "five or six calls a day"; "the 2015 grand national winner" where 2015 is "the Gold
    Cup trial in 2015") is an ``attribution`` error, unless it is part of a name the source writes ("League
    Two"), a "two" whose thing the source counts with "both" ("the two governments" for "both governments"), or
    a clause on either side has fewer than two content words ("London 2012" for "the 2012 Games").

    Measured on the XSum annotations' development half (``benchmarks/numeric_xsum.py``): words recall 0.637 →
    0.713 at precision 0.895 → 0.905, digits recall 0.936 → 0.949 at precision 0.948 → 0.949; on FRANK's 2,246
    summaries, 40 such errors, 39 of them in summaries its annotators judged at most half factual. A figure whose
    clause shares even one word with a backer's is left alone: the earlier rule "the head noun is in no
    backer's clause" flagged 11 tokens, 4 of them correct figures. Larger figures are left alone too: a 66 in
    the rewrite and a 66 in the source are the same fact far more often than not."""
    if overlap or cand.forms & source_forms or (cand.value == 2 and _both(cand, backers)):
        return False
    if len(cand.clause) < _MIN_CLAUSE or any(len(b.clause) < _MIN_CLAUSE for b in backers):
        return False
    return cand.kind == "year" or (cand.kind in ("count", "ordinal") and cand.value < _SMALL)


def compare(
    sources: Sequence[Quantity],
    candidates: Sequence[Quantity],
    options: Options,
    source_forms: frozenset[str] = frozenset(),
) -> Comparison:
    """Match candidate quantities against source quantities, both ways. ``source_forms`` are the forms of the
    names in the source text (:func:`metrics.numeric.names.source_forms`): a name, or a bare count that may be
    one ("formula 1"), is backed when its forms meet them."""
    found: list[Discrepancy] = []
    supported = 0
    pools = _pools(sources)
    backing = [[src for src in _pool(cand, pools) if supports(src, cand, options)] for cand in candidates]
    own = [
        _best(cand, backers) if backers and options.attribution else None for cand, backers in zip(candidates, backing)
    ]
    for index, (cand, backers) in enumerate(zip(candidates, backing)):
        if backers:
            wrong = None
            if options.attribution:
                mine = own[index]
                assert mine is not None
                wrong = attribution(index, candidates, backing, own)
                if wrong is None and unbound(cand, backers, mine[1], source_forms):
                    wrong = Discrepancy("attribution", cand, mine[0])
            if wrong is None:
                supported += 1
            else:
                found.append(wrong)
        elif cand.forms & source_forms:
            supported += 1
        else:
            found.append(classify(cand, sources, options))
    # Names and ranks are checked from the candidate's side only: a source's "Covid-19" or "one of the best"
    # is no figure to keep.
    counted = [src for src in sources if src.kind not in _CANDIDATE_ONLY]
    # A source figure is kept when it backs some candidate figure by value (the relation computed above).
    backs = {id(src) for backers in backing for src in backers}
    kept = 0
    for src in counted:
        if id(src) in backs:
            kept += 1
        else:
            found.append(Discrepancy("missing", None, src))
    return Comparison(len(counted), len(candidates), supported, kept, found)
