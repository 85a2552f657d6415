"""Numeric consistency as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/numeric")``.

Same numbers as ``harness.score(metrics=["numeric"])``: the share of each prediction's quantities that its
reference (the source article) backs, and of the reference's quantities the prediction keeps.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.numeric import Numeric as _Numeric

_CITATION = """\
@misc{harness-numeric,
    title = "Numeric consistency of rewrites against their source (harness metric 'numeric')",
    note = "Purpose-built extractor and matcher; see metrics/numeric/match.py for the definition",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    tolerance: relative tolerance for equal values (default 0.0).
    rounding: accept a prediction's rounding of a source figure (default True).
    min_rounded_digits: significant digits an unhedged rounding must keep (default 2).
    attribution: check that a backed figure is bound to the same thing, e.g. two figures exchanged (default True).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict with numeric_precision, numeric_recall, numeric_f, numeric_n_source, numeric_n_candidate.
Examples:
    >>> numeric = evaluate.load("metrics/numeric")
    >>> numeric.compute(predictions=["It cost £500bn."], references=["It cost £500m."])["numeric_precision"]
    0.0
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Numeric(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(__doc__, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        tolerance: float = 0.0,
        rounding: bool = True,
        min_rounded_digits: int = 2,
        attribution: bool = True,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Numeric(
            tolerance=tolerance, rounding=rounding, min_rounded_digits=min_rounded_digits, attribution=attribution
        )
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
