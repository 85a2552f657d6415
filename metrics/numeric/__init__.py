"""Numeric consistency: every figure in the rewrite must be backed by the source.

Quantities are extracted from both texts by :mod:`metrics.numeric.extract` (digits, scale words, spelled
numbers, money, percentages, units, years, ordinals, fractions, ranges, qualifiers) and matched by
:mod:`metrics.numeric.match`. As with ROUGE, the source is the reference:

- ``numeric_precision``: share of the candidate's quantities the source supports (1.0 when it has none);
  an invented or altered figure lowers it. This is the fidelity signal.
- ``numeric_recall``: share of the source's quantities the candidate keeps (1.0 when the source has none).
- ``numeric_f``: their harmonic mean; ``numeric_n_source``, ``numeric_n_candidate``: the counts.

``score_with_details`` also returns, per example, ``{"discrepancies": [...]}``: each with its ``kind``
(unsupported, scale, unit, value, bound, attribution, missing), the candidate span (text, character offsets
into the candidate as scored, value, unit) and the source span that explains it (null if none); an
``attribution`` also names the ``rival`` source figure and what each is bound to (``bound_to``).

Names holding a figure ("A40") and rank claims ("one of the most successful") count in precision only: the
source's are no figures the rewrite must keep.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, register
from metrics.numeric import extract as _extract
from metrics.numeric import match as _match
from metrics.numeric import names as _names

_KEYS = ["numeric_precision", "numeric_recall", "numeric_f", "numeric_n_source", "numeric_n_candidate"]
_COUNTS = frozenset({"numeric_n_source", "numeric_n_candidate"})


@register
class Numeric(Metric):
    """Precision and recall of the candidate's quantities against the source's, with discrepancies."""

    name = "numeric"
    description = "share of the rewrite's numbers the source backs (P) and of the source's numbers kept (R)"

    def __init__(
        self, *, tolerance: float = 0.0, rounding: bool = True, min_rounded_digits: int = 2, attribution: bool = True
    ) -> None:
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
            raise HarnessError(f"numeric: 'tolerance' must be a number in [0, 1), got {tolerance!r}")
        if not isinstance(rounding, bool):
            raise HarnessError(f"numeric: 'rounding' must be true or false, got {rounding!r}")
        if isinstance(min_rounded_digits, bool) or not isinstance(min_rounded_digits, int) or min_rounded_digits < 1:
            raise HarnessError(f"numeric: 'min_rounded_digits' must be an integer >= 1, got {min_rounded_digits!r}")
        if not isinstance(attribution, bool):
            raise HarnessError(f"numeric: 'attribution' must be true or false, got {attribution!r}")
        self.options = _match.Options(float(tolerance), rounding, min_rounded_digits, attribution)

    def keys(self) -> list[str]:
        return list(_KEYS)

    def headline_keys(self) -> list[str]:
        return ["numeric_precision", "numeric_recall"]

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, math.inf) if key in _COUNTS else (0.0, 1.0)

    def direction(self, key: str) -> str:
        return "none" if key in _COUNTS else "higher"

    def signature(self) -> str:
        options = self.options
        rounding = f"rounding:{'half-up' if options.rounding else 'none'}"
        if options.rounding:
            rounding += f",unhedged-min-digits:{options.min_rounded_digits}"
        return "|".join(
            [
                "numeric",
                f"extract:{_extract.VERSION}",
                f"match:{_match.VERSION}",
                f"tol:{options.tolerance:g}",
                rounding,
                "one:with-unit-or-scale",
                "m:million-unless-length-word",
                f"attribution:{'clause' if options.attribution else 'off'}",
            ]
        )

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for source, candidate in zip(sources, candidates):
            found = _match.compare(
                _extract.extract(source), _extract.extract(candidate), self.options, _names.source_forms(source)
            )
            rows.append(
                {
                    "numeric_precision": found.precision,
                    "numeric_recall": found.recall,
                    "numeric_f": found.f,
                    "numeric_n_source": float(found.n_source),
                    "numeric_n_candidate": float(found.n_candidate),
                }
            )
            details.append({"discrepancies": [d.as_json() for d in found.discrepancies]})
        return rows, details
