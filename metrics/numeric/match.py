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
  exactly ("130" → "more than 130").

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
               or null when the source has none.

A source quantity no candidate quantity supports is ``missing`` (it lowers recall only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metrics.numeric.extract import Quantity

VERSION = "1"
_NO_ROUNDING = frozenset({"year", "ordinal", "time", "date", "decade"})
_EPS = 1e-9


@dataclass(frozen=True)
class Options:
    """Matching options; each is recorded in the metric's signature."""

    tolerance: float = 0.0
    rounding: bool = True
    min_rounded_digits: int = 2


@dataclass(frozen=True)
class Discrepancy:
    """A candidate quantity the source does not support (or a source quantity the candidate dropped)."""

    kind: str
    candidate: Quantity | None
    source: Quantity | None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "candidate": _span(self.candidate), "source": _span(self.source)}


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
    """Qualifiers pointing opposite ways, or a strict bound on a figure the source gives exactly."""
    if {cand.direction, src.direction} == {"above", "below"}:
        return True
    return src.direction == "exact" and cand.strict


def supports(src: Quantity, cand: Quantity, options: Options) -> bool:
    """Does the source quantity back the candidate quantity?"""
    return cand.dimension == src.dimension and _values_agree(cand, src, options) and not _contradicts(cand, src)


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
    same = [s for s in sources if s.dimension == cand.dimension]
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
        if (s.unit or cand.unit) and s.unit != cand.unit and _close(s.shown, cand.shown, options.tolerance)
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


def compare(sources: Sequence[Quantity], candidates: Sequence[Quantity], options: Options) -> Comparison:
    """Match candidate quantities against source quantities, both ways."""
    found: list[Discrepancy] = []
    supported = 0
    for cand in candidates:
        if any(supports(src, cand, options) for src in sources):
            supported += 1
        else:
            found.append(classify(cand, sources, options))
    kept = 0
    for src in sources:
        if any(supports(src, cand, options) for cand in candidates):
            kept += 1
        else:
            found.append(Discrepancy("missing", None, src))
    return Comparison(len(sources), len(candidates), supported, kept, found)
