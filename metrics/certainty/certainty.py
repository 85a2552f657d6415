"""Certainty shift as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/certainty")``.

Same numbers as ``harness.score(metrics=["certainty"])``: per prediction, the hedges (attribution, modality,
estimation) it drops and the boosters it adds against the most similar sentence of its reference (the source
article), the number of sentence pairs so shifted, and the number whose negations changed parity.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.certainty import Certainty as _Certainty

_CITATION = """\
@misc{harness-certainty,
    title = "Certainty shift of rewrites against their source (harness metric 'certainty')",
    note = "Purpose-built lexicon and sentence alignment; see metrics/certainty/compare.py for the definition",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    min_similarity: the content-word F2 below which a prediction sentence is not aligned (default 0.2).
    cache_size: how many references' analyses to keep between calls (default 4096; 0 keeps none).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict with certainty_shift, certainty_flags, polarity_flips (all lower is better).
Examples:
    >>> certainty = evaluate.load("metrics/certainty")
    >>> certainty.compute(predictions=["It is clear that it will rain."], references=["It may rain."])
    {'certainty_shift': 2.0, 'certainty_flags': 1.0, 'polarity_flips': 0.0}
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Certainty(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(__doc__, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        min_similarity: float = 0.2,
        cache_size: int = 4096,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Certainty(min_similarity=min_similarity, cache_size=cache_size)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
