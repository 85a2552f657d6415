"""Extractiveness as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/extractiveness")``.

Same numbers as ``harness.score(metrics=["extractiveness"])``: Newsroom's (Grusky et al. 2018) extractive
fragment coverage, density and compression of each prediction against its reference (the source article),
and the share of the prediction's distinct 1/2/3-grams absent from it. They describe how much is copied;
they are not quality scores.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.extractiveness import Extractiveness as _Extractiveness

_CITATION = """\
@inproceedings{grusky-etal-2018-newsroom,
    title = "Newsroom: A Dataset of 1.3 Million Summaries with Diverse Extractive Strategies",
    author = "Grusky, Max and Naaman, Mor and Artzi, Yoav",
    booktitle = "Proceedings of NAACL-HLT 2018",
    year = "2018",
    pages = "708--719",
    url = "https://aclanthology.org/N18-1065",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    tokenizer: "default" (spaCy 3's English tokenizer) or "summeval" (spaCy 2's hyphen rule, as SummEval's
        published values need).
    case: keep case (default False: tokens are lower-cased, as Newsroom and SummEval do).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict with extractiveness_coverage, _density, _compression, _novel1, _novel2, _novel3.
Examples:
    >>> ext = evaluate.load("metrics/extractiveness")
    >>> ext.compute(predictions=["the cat sat"], references=["the cat sat on the mat"])["extractiveness_density"]
    3.0
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Extractiveness(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(
            __doc__,
            _CITATION,
            _KWARGS_DESCRIPTION,
            reference_urls=["https://github.com/lil-lab/newsroom", "https://github.com/Yale-LILY/SummEval"],
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        tokenizer: str = "default",
        case: bool = False,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Extractiveness(tokenizer=tokenizer, case=case)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
