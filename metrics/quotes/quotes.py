"""Quote fidelity as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/quotes")``.

Same numbers as ``harness.score(metrics=["quotes"])``: the share of each prediction's quotes found verbatim in
its reference (the source article), the share of the reference's quotes the prediction keeps quoted, and the
counts of altered and fabricated quotes.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.quotes import Quotes as _Quotes

_CITATION = """\
@misc{harness-quotes,
    title = "Quote fidelity of rewrites against their source (harness metric 'quotes')",
    note = "Purpose-built quote extractor and matcher; see metrics/quotes/match.py for the definition",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    altered_f1: token F1 with a source passage at or above which a non-verbatim quote is altered, not
        fabricated (default 0.5).
    copied_f1: token F1 at or above which a source quote whose marks were dropped counts as copied (default 0.9).
    min_words: a source quote needs this many words to be expected in the prediction (default 2).
    straight_single: also read straight single quotes ('...') as quotes (default False).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict with quotes_precision, quotes_kept, quotes_altered, quotes_fabricated.
Examples:
    >>> quotes = evaluate.load("metrics/quotes")
    >>> quotes.compute(predictions=['He called it "a fine plan".'], references=['"A fine plan," he said.'])
    {'quotes_precision': 1.0, 'quotes_kept': 1.0, 'quotes_altered': 0.0, 'quotes_fabricated': 0.0}
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Quotes(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(__doc__, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        altered_f1: float = 0.5,
        copied_f1: float = 0.9,
        min_words: int = 2,
        straight_single: bool = False,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Quotes(
            altered_f1=altered_f1, copied_f1=copied_f1, min_words=min_words, straight_single=straight_single
        )
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
