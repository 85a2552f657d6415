"""``judge``: an LLM rates, or checks sentence by sentence, how faithful a rewrite is to its source.

The judge is any system the harness can generate with (``model: openai:MODEL[@URL]``, ``hf:PATH`` or
``command:CMD``), asked through :mod:`harness.generate` (cache, retries, concurrency, keys: see
:mod:`metrics.judge.ask`). Two protocols (``protocol``):

- ``rating`` (G-Eval, Liu et al. 2023): a 1-5 consistency rating of the rewrite given the source
  (``rating.txt``); with log-probabilities (``openai:`` servers that return them) the expected rating over
  the tokens 1-5, else the rating the reply gives; ``samples`` answers are averaged.
- ``claims`` (FineSurE, Song et al. 2024; error kinds after FRANK, Pagnoni et al. 2021): one request per
  rewrite lists its numbered sentences and asks, for each, whether the source supports it and if not which
  kind of error (``claims.txt``); the score is the share of supported sentences.

Keys: ``judge_score`` in [0, 1] (a rating r maps to (r - 1) / 4) and ``judge_sd``, the population standard
deviation of the per-sample scores (0 with one sample). A reply the protocol cannot read fails that example
with the reply quoted (the run records it and goes on), never a number; so does a judge that fails. An empty
rewrite has no sentence to check: under ``claims`` it is not sent and scores 0 (the run flags it empty).
Details per example: the protocol's ratings or per-sentence verdicts (offsets, supported, kind) and tokens.
The prompt's sha256, the judge spec, its generation options and the protocol are in the signature.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from harness.errors import HarnessError
from harness.generate.cache import default_path
from harness.generate.driver import GenerationSettings
from harness.scoring.registry import Metric, check_lengths, register
from harness.scoring.sentences import splitter_name
from metrics.judge import ask as _ask
from metrics.judge import parse as _parse
from metrics.judge import prompts as _prompts
from metrics.nli import units as _units

_KEYS = ["judge_score", "judge_sd"]
PROTOCOLS = ("rating", "claims")
MEMO_SIZE = 4096  # answers kept in memory per process (ask.ask)
PARSER_VERSION = 1  # bump when what parses changes: it changes scores
_NO_MODEL = (
    "judge: no judge model given; set the 'model' option to a generating spec, e.g. --metric-option "
    "judge.model=openai:llama3.1@http://127.0.0.1:11434/v1 (an Ollama or vLLM server) or "
    "judge.model=command:./my_judge.sh, or in the task: metrics: [{judge: {model: ...}}]"
)


@register
class Judge(Metric):
    """An LLM's faithfulness verdict on each rewrite: a G-Eval rating or FineSurE-style sentence checks."""

    name = "judge"
    description = "LLM judge: G-Eval 1-5 consistency rating or share of source-supported sentences (your model)"
    required_options: ClassVar[tuple[str, ...]] = ("model",)

    def __init__(
        self,
        *,
        model: str | None = None,
        protocol: str = "rating",
        samples: int = 1,
        prompt: str | None = None,
        generation: dict[str, Any] | None = None,
        cache: str | bool = True,
        concurrency: int = 4,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise HarnessError(f"judge: 'protocol' must be rating or claims, got {protocol!r}")
        for option, value in (("samples", samples), ("concurrency", concurrency)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise HarnessError(f"judge: {option!r} must be an integer >= 1, got {value!r}")
        if generation is not None and not isinstance(generation, dict):
            raise HarnessError(f"judge: 'generation' must be a mapping of generation options, got {generation!r}")
        if not isinstance(cache, bool | str) or cache == "":
            raise HarnessError(f"judge: 'cache' must be true, false or a file path, got {cache!r}")
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise HarnessError(f"judge: 'model' must be a generating spec, got {model!r}")
        self.model = model
        self.protocol = protocol
        self.samples = samples
        self.template = _prompts.load(protocol, prompt)
        self.config = None if model is None else _ask.configure(model, dict(generation or {}))
        sampled = self.config is not None and self.config.kind != "command"  # a command samples as it likes
        if sampled and samples > 1 and self.config is not None and self.config.options.temperature == 0:
            raise HarnessError(
                "judge: samples > 1 with temperature 0 asks for the same answer again; set "
                "generation: {temperature: 1} (G-Eval samples at 1)"
            )
        path = None if cache is False else default_path(Path("results")) if cache is True else Path(str(cache))
        self.settings = GenerationSettings(cache_path=path, concurrency=concurrency, progress_bar=False)
        self.ledger = _ask.Ledger()
        self._memo: OrderedDict[tuple[int, str], tuple[str, dict[str, Any]]] = OrderedDict()

    def keys(self) -> list[str]:
        return list(_KEYS)

    def bounds(self, key: str) -> tuple[float, float]:
        # The SD of values in [0, 1] is at most 1/2.
        return (0.0, 1.0) if key == "judge_score" else (0.0, 0.5)

    def direction(self, key: str) -> str:
        return "higher" if key == "judge_score" else "none"

    def headline_keys(self) -> list[str]:
        return ["judge_score"]

    def uses_logprobs(self) -> bool:
        return self.protocol == "rating" and self.config is not None and self.config.kind == "openai"

    def signature(self) -> str:
        if self.config is None:
            judge = "model:unset"
        else:
            options = self.config.options.output_options(self.config.kind)
            given = ",".join(f"{k}={v}" for k, v in options.items() if v is not None)
            judge = f"model:{self.model}" + (f"|gen:{given}" if given else "")
        parts = [
            "judge",
            judge,
            f"protocol:{self.protocol}",
            f"samples:{self.samples}",
            f"prompt:{self.template.name}@sha256:{self.template.sha256[:12]}",
            f"expected:logprobs-top{_ask.TOP_LOGPROBS}" if self.uses_logprobs() else "expected:reply",
            f"parse:v{PARSER_VERSION}",
        ]
        if self.protocol == "claims":
            parts.append(f"split:{splitter_name()}")
        return "|".join(parts)

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        if not sources:
            return [], []
        if self.config is None or self.model is None:
            raise HarnessError(_NO_MODEL)
        sentences = [_units.sentences(c) if self.protocol == "claims" else [] for c in candidates]
        prompts: dict[str, str] = {}
        for index, (source, candidate) in enumerate(zip(sources, candidates)):
            if self.protocol == "rating":
                prompts[str(index)] = self.template.render(source=source, candidate=candidate)
            elif sentences[index]:
                listed = _prompts.numbered([s.text for s in sentences[index]])
                prompts[str(index)] = self.template.render(
                    source=source, sentences=listed, count=str(len(sentences[index]))
                )
        answers = _ask.ask(
            self.config,
            spec=self.model,
            prompts=prompts,
            samples=self.samples,
            logprobs=self.uses_logprobs(),
            settings=self.settings,
            ledger=self.ledger,
            memo=self._memo,
        )
        while len(self._memo) > MEMO_SIZE:  # the oldest answers go first; the cache file keeps them all
            self._memo.popitem(last=False)
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for index in range(len(candidates)):
            key = str(index)
            if key not in prompts:  # claims on an empty rewrite (module docstring)
                rows.append({"judge_score": 0.0, "judge_sd": 0.0})
                details.append({"protocol": self.protocol, "empty": "candidate", "sentences": []})
                continue
            failed = [sample.failures[key] for sample in answers if key in sample.failures]
            if failed:
                raise HarnessError(f"judge: example {index}: the judge failed: {failed[0]}")
            texts = [sample.texts[key] for sample in answers]
            metas = [sample.metas.get(key, {}) for sample in answers]
            try:
                if self.protocol == "rating":
                    values, detail = _rating(texts, metas)
                else:
                    values, detail = _claims(texts, sentences[index])
            except _parse.ParseFailure as exc:
                raise _parse.ParseFailure(f"judge: example {index}: {exc}") from None
            detail["tokens"] = {
                part: sum(int(m.get(part) or 0) for m in metas) for part in ("prompt_tokens", "completion_tokens")
            }
            rows.append({"judge_score": _unit(math.fsum(values) / len(values)), "judge_sd": statistics.pstdev(values)})
            details.append(detail)
        return rows, details


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def _rating(texts: list[str], metas: list[dict[str, Any]]) -> tuple[list[float], dict[str, Any]]:
    """Each sample's score on [0, 1] and the details: the rating (expected over log-probs where given)."""
    ratings, sources = [], []
    for text, meta in zip(texts, metas):
        given = _parse.rating(text)
        expected = _parse.expected_rating(meta.get("logprobs"), given)
        ratings.append(given if expected is None else expected)
        sources.append("reply" if expected is None else "logprobs")
    detail = {"protocol": "rating", "ratings": ratings, "from": sources, "replies": [t[:200] for t in texts]}
    return [(r - 1.0) / 4.0 for r in ratings], detail


def _claims(texts: list[str], sentences: list[_units.Unit]) -> tuple[list[float], dict[str, Any]]:
    """Each sample's share of supported sentences, and per sentence its verdict over the samples."""
    verdicts = [_parse.claims(text, len(sentences)) for text in texts]
    shares = [sum(v.supported for v in sample) / len(sentences) for sample in verdicts]
    rows = []
    for number, sentence in enumerate(sentences):
        votes = [sample[number] for sample in verdicts]
        support = sum(v.supported for v in votes) / len(votes)
        kinds = Counter(v.kind for v in votes if not v.supported)
        rows.append(
            {
                "text": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "supported": support > 0.5,  # the majority of samples; a tie is not support
                "support": support,
                "kind": kinds.most_common(1)[0][0] if kinds else None,
                "note": next((v.note for v in votes if v.note), ""),
            }
        )
    return shares, {"protocol": "claims", "sentences": rows}
