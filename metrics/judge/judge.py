"""The ``judge`` metric as a local Hugging Face ``evaluate`` module: ``evaluate.load("metrics/judge")``.

Same numbers as ``harness.score(metrics=[Judge(model=...)])``: an LLM judge you provide (any generating spec
the harness runs) rates each prediction's consistency with its reference, the source (G-Eval), or checks
each of its sentences against it (FineSurE-style claims).
"""

from typing import Any

import evaluate

from harness.scoring.hf_evaluate import compute, metric_info
from metrics.judge import Judge as _Judge

_CITATION = """\
@inproceedings{liu2023geval,
  title={G-Eval: NLG Evaluation using GPT-4 with Better Human Alignment},
  author={Liu, Yang and Iter, Dan and Xu, Yichong and Wang, Shuohang and Xu, Ruochen and Zhu, Chenguang},
  booktitle={Proceedings of EMNLP},
  year={2023}
}
@inproceedings{song2024finesure,
  title={FineSurE: Fine-grained Summarization Evaluation using LLMs},
  author={Song, Hwanjun and Su, Hang and Shalyminov, Igor and Cai, Jason and Mansour, Saab},
  booktitle={Proceedings of ACL},
  year={2024}
}
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of candidate texts (rewrites or summaries).
    references: list of source texts, one per prediction.
    model: the judge, a generating spec: openai:MODEL[@URL], hf:PATH or command:CMD (required).
    protocol: "rating" (G-Eval 1-5 consistency) or "claims" (share of supported sentences).
    samples: answers per prompt, averaged (default 1; needs generation temperature > 0 beyond 1).
    prompt: a prompt file of your own (default: the shipped rating.txt / claims.txt).
    generation: generation options of the judge, e.g. {"temperature": 1, "max_tokens": 8}.
    cache: True (results/.cache/generations.sqlite), False, or a cache file path.
    use_aggregator: return the mean over examples (default True) or one list of values per key.
Returns:
    A dict keyed judge_score (in [0, 1]) and judge_sd.
Examples:
    >>> judge = evaluate.load("metrics/judge")
    >>> judge.compute(predictions=["A rewrite."], references=["A source."], model="command:./j.sh")  # doctest: +SKIP
"""


@evaluate.utils.file_utils.add_start_docstrings(__doc__, _KWARGS_DESCRIPTION)
class Judge(evaluate.Metric):  # type: ignore[misc]  # evaluate ships no type hints
    def _info(self) -> evaluate.MetricInfo:
        return metric_info(__doc__, _CITATION, _KWARGS_DESCRIPTION, reference_urls=["https://github.com/nlpyang/geval"])

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        model: str | None = None,
        protocol: str = "rating",
        samples: int = 1,
        prompt: str | None = None,
        generation: dict[str, Any] | None = None,
        cache: str | bool = True,
        use_aggregator: bool = True,
    ) -> dict[str, Any]:
        metric = _Judge(
            model=model, protocol=protocol, samples=samples, prompt=prompt, generation=generation, cache=cache
        )
        return compute(metric, predictions, references, use_aggregator=use_aggregator)
