"""ROUGE as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/rouge")`` from a checkout.

Same numbers as ``harness.score(metrics=["rouge"])``: the harness's own ROUGE, equal to rouge-score's with
the default tokenizer, sources as references. Unlike the hub's ``rouge`` module it reports precision and
recall as well as F, takes the plain mean over examples (the hub's aggregator reports an unseeded bootstrap
median), and works offline.
"""

from collections.abc import Sequence
from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.rouge import DEFAULT_TYPES
from metrics.rouge import Rouge as _Rouge

_CITATION = """\
@inproceedings{lin-2004-rouge,
    title = "{ROUGE}: A Package for Automatic Evaluation of Summaries",
    author = "Lin, Chin-Yew",
    booktitle = "Text Summarization Branches Out",
    year = "2004",
    pages = "74--81",
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    rouge_types: ROUGE variants, default ["rouge1", "rouge2", "rougeL", "rougeLsum"].
    use_stemmer: Porter-stem tokens as ROUGE-1.5.5's -m does (default True).
    tokenizer: "rouge_score" (default; rouge-score's, which deletes non-ASCII letters) or "unicode" (keeps
        every script; see metrics/rouge/tokens.py).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict keyed <type>_p, <type>_r, <type>_f (e.g. rouge1_p, rougeLsum_f).
Examples:
    >>> rouge = evaluate.load("metrics/rouge")
    >>> rouge.compute(predictions=["testing"], references=["testing one two"])["rouge1_r"]
    0.3333333333333333
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Rouge(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(
            __doc__,
            _CITATION,
            _KWARGS_DESCRIPTION,
            reference_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        rouge_types: Sequence[str] = DEFAULT_TYPES,
        use_stemmer: bool = True,
        use_aggregator: bool = True,
        tokenizer: str = "rouge_score",
    ) -> dict[str, Any]:
        metric = _Rouge(types=tuple(rouge_types), use_stemmer=use_stemmer, tokenizer=tokenizer)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
