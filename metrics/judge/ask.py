"""Putting the judge's prompts to a generation backend: the harness's own driver (:mod:`harness.generate`),
so the judge has the same SQLite cache, retries with backoff, bounded concurrency and API-key handling as a
generating system, and no HTTP client of its own.

The judge's ``model`` is a generating spec (``openai:MODEL[@URL]``, ``hf:PATH``, ``command:CMD``) with the
generation options of :mod:`harness.generate.options` (``generation: {temperature: 1, max_tokens: 8}``).
For the rating protocol an ``openai:`` judge is asked for the log-probabilities of its tokens (5 alternatives
each). ``samples`` > 1 asks each prompt that many times; sample k > 0 is told apart in the cache key by
``judge_sample: k`` in the identity, so a rerun finds every sample again and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.generate.base import Backend, Outcome
from harness.generate.driver import Generated, GenerationSettings, generate, make_backend
from harness.generate.options import GENERATING_KINDS, GeneratorConfig, OptionError, generator_config, parse_options

TOP_LOGPROBS = 5  # the five ratings fit in the alternatives of one token


def configure(model: str, generation: dict[str, Any]) -> GeneratorConfig:
    """The judge's generating system, validated (relative paths resolve against the current folder)."""
    kind, sep, arg = model.partition(":")
    if kind not in GENERATING_KINDS or not sep:
        raise HarnessError(
            f"judge: 'model' must be a generating spec, openai:MODEL[@URL], hf:PATH or command:CMD, got {model!r} "
            "(e.g. --metric-option judge.model=openai:llama3.1@http://127.0.0.1:11434/v1)"
        )
    try:
        options = parse_options(kind, generation)
    except OptionError as exc:
        raise HarnessError(f"judge: generation options: {exc}") from None
    return generator_config(kind, arg, spec=model, base_dir=Path.cwd(), options=options)


class _Sample:
    """A backend whose identity says which sample it answers, so samples are cached apart."""

    def __init__(self, backend: Backend, sample: int) -> None:
        self._backend = backend
        self.batch_size = backend.batch_size
        self.max_workers = backend.max_workers
        self._sample = sample

    def identity(self) -> dict[str, Any]:
        return {**self._backend.identity(), "judge_sample": self._sample}

    def generate(self, prompts: list[str]) -> list[Outcome]:
        return self._backend.generate(prompts)

    def close(self) -> None:
        self._backend.close()


@dataclass
class Ledger:
    """What the judge has cost in this process: requests sent, cache hits, tokens (summed over calls)."""

    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        self.requests += int(record.get("requests") or 0)
        self.cached += int((record.get("cache") or {}).get("hits") or 0)
        usage = record.get("usage") or {}
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)
        self.failures += int(record.get("failed") or 0)

    def to_json(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "cached": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "failed": self.failures,
        }


def ask(
    config: GeneratorConfig,
    *,
    spec: str,
    prompts: dict[str, str],
    samples: int,
    logprobs: bool,
    settings: GenerationSettings,
    ledger: Ledger,
    memo: dict[tuple[int, str], tuple[str, dict[str, Any]]],
) -> list[Generated]:
    """Every prompt's answers, one :class:`Generated` per sample (failures by id inside each).

    ``memo`` keeps this process's answers by (sample, prompt): when the harness scores a batch again in smaller
    pieces to isolate one example's failure, nothing is asked twice, even with the cache off."""
    found = []
    for sample in range(samples):
        todo = {key: prompt for key, prompt in prompts.items() if (sample, prompt) not in memo}
        failures: dict[str, str] = {}
        if todo:
            backend: Backend
            if logprobs and config.kind == "openai":
                from harness.generate.openai_backend import OpenAIBackend

                backend = OpenAIBackend(config, spec=spec, top_logprobs=TOP_LOGPROBS)
            else:
                backend = make_backend(config, spec=spec)
            if sample:
                backend = _Sample(backend, sample)
            generated = generate(
                system="judge", spec=spec, config=config, prompts=todo, settings=settings, backend=backend
            )
            ledger.add(generated.record)
            failures = generated.failures
            for key, text in generated.texts.items():
                memo[(sample, todo[key])] = (text, generated.metas.get(key, {}))
        answered = {key: memo[(sample, prompt)] for key, prompt in prompts.items() if (sample, prompt) in memo}
        texts = {key: text for key, (text, _) in answered.items()}
        metas = {key: meta for key, (_, meta) in answered.items()}
        found.append(Generated(texts, failures, {}, metas))
    return found
