"""The ``nli`` metric as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/nli")``.

Same numbers as ``harness.score(metrics=[Nli(model=...)])``: SummaC-ZS (Laban et al. 2022) with an NLI
checkpoint you provide, the source as premise and each prediction sentence as hypothesis.
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.nli import Nli as _Nli

_CITATION = """\
@article{laban2022summac,
  title={SummaC: Re-Visiting NLI-based Models for Inconsistency Detection in Summarization},
  author={Laban, Philippe and Schnabel, Tobias and Bennett, Paul N. and Hearst, Marti A.},
  journal={Transactions of the Association for Computational Linguistics},
  volume={10},
  pages={163--177},
  year={2022}
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction (the original article is the premise).
    model: a local sequence-classification NLI checkpoint folder, or a hub id in the local cache (required).
    labels: {"entailment": I, "contradiction": J} when the checkpoint's id2label does not name them.
    source_unit: "sentence" (SummaC) or "chunk" (about chunk_tokens whitespace tokens, AlignScore).
    chunk_tokens: the chunk size in whitespace tokens (default 350).
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict keyed nli_score, nli_min (each in [-1, 1]).
Examples:
    >>> nli = evaluate.load("metrics/nli")
    >>> nli.compute(predictions=["A rewrite."], references=["A source."], model="./mnli")  # doctest: +SKIP
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Nli(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(
            __doc__, _CITATION, _KWARGS_DESCRIPTION, reference_urls=["https://github.com/tingofurro/summac"]
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        model: str | None = None,
        labels: dict[str, int] | None = None,
        source_unit: str = "sentence",
        chunk_tokens: int = 350,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Nli(model=model, labels=labels, source_unit=source_unit, chunk_tokens=chunk_tokens)
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
