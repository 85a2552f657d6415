"""Turn every example's prompt into a candidate or a recorded failure: cache first, then the backend, with
bounded concurrency, retries with exponential backoff, and a progress bar.

- Cache: answers already in the cache are used without a request (unless ``--refresh``); each new answer is
  written as it arrives, from this thread, so an interrupted run keeps everything answered before it
  stopped. Prompts that are equal (after rendering) are sent once.
- Concurrency: at most ``--concurrency`` backend calls in flight (threads: the work is waiting on sockets
  or child processes, or a model that releases the GIL), fewer when a backend caps it (a local model: one).
- Retries: a retryable error (429, 5xx, timeout, dropped connection) is retried up to the system's
  ``attempts``, waiting ``backoff * 2**(n-1)`` seconds (at most 60) with "equal jitter": half of it fixed,
  half uniformly random, so clients that failed together do not retry together. A server's Retry-After is
  honoured when longer. A Ctrl-C stops the waiting at once.
- Failures: an example that fails for good is returned with its one-line message; the run goes on.
- Empty answers: an answer with no text is a failed attempt (a server or command that failed quietly), retried
  where the kind retries (``openai:``), never cached, so the next run asks again, unless the system sets
  ``allow_empty: true``; a cached empty answer is not used by a system without it.
- Progress: a tqdm bar when stderr is a terminal; otherwise one line when a system's generation ends.
"""

from __future__ import annotations

import queue
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.generate.base import Answer, Backend, GenerationError, Outcome
from harness.generate.cache import GenerationCache, cache_key
from harness.generate.options import OPTIONS, GeneratorConfig

MAX_DELAY_S = 60.0


@dataclass(frozen=True)
class GenerationSettings:
    """How generation runs, for every generating system of an eval. ``cache_path`` None is ``--no-cache``."""

    cache_path: Path | None = None
    refresh: bool = False
    concurrency: int = 4
    progress_bar: bool | None = None  # None: when stderr is a terminal

    @property
    def cache_mode(self) -> str:
        return "off" if self.cache_path is None else "refresh" if self.refresh else "read-write"


@dataclass(frozen=True)
class Generated:
    """What a generating system produced: candidates by id, failure messages by id, and what run.json records."""

    texts: dict[str, str]
    failures: dict[str, str]
    record: dict[str, Any]
    # What the backend reported with each answer, by id (token usage, finish reason, the judge's log-probs).
    metas: dict[str, dict[str, Any]] = field(default_factory=dict)


def make_backend(config: GeneratorConfig, *, spec: str) -> Backend:
    """The backend of a generating system (nothing heavy is loaded yet)."""
    if config.kind == "openai":
        from harness.generate.openai_backend import OpenAIBackend

        return OpenAIBackend(config, spec=spec)
    if config.kind == "hf":
        from harness.generate.hf_backend import HFBackend

        return HFBackend(config, spec=spec)
    from harness.generate.command_backend import CommandBackend

    return CommandBackend(config, spec=spec)


def backoff_delay(attempt: int, *, base: float, rng: random.Random, retry_after: float | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): equal jitter, capped, at least the
    server's Retry-After (itself capped)."""
    step = min(MAX_DELAY_S, base * 2.0 ** (attempt - 1))
    delay = step / 2 + rng.uniform(0.0, step / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_DELAY_S))
    return delay


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


EMPTY_ANSWER = "empty answer (no text came back); set allow_empty: true if an empty candidate is a real answer"


def usable(answer: Answer, *, allow_empty: bool) -> bool:
    """Whether an answer may be a candidate (and be cached): one with text, or any with ``allow_empty``."""
    return allow_empty or bool(answer.text.strip())


def _attempt(
    backend: Backend,
    prompts: list[str],
    *,
    attempts: int,
    base: float,
    rng: random.Random,
    stop: threading.Event,
    requests: _Counter,
    allow_empty: bool = False,
    retry_empty: bool = True,
) -> list[Outcome]:
    """One batch, retrying only its retryable failures; the last outcome of each prompt is returned. An
    empty answer is a failure unless ``allow_empty``, retried when ``retry_empty`` (the kinds that retry)."""
    outcomes: list[Outcome | None] = [None] * len(prompts)
    pending = list(range(len(prompts)))
    for attempt in range(1, attempts + 1):
        requests.add(len(pending))
        found = [
            o
            if not isinstance(o, Answer) or usable(o, allow_empty=allow_empty)
            else GenerationError(EMPTY_ANSWER, retryable=retry_empty)
            for o in backend.generate([prompts[i] for i in pending])
        ]
        retry = []
        for index, outcome in zip(pending, found, strict=True):
            outcomes[index] = outcome
            if isinstance(outcome, GenerationError) and outcome.retryable:
                retry.append(index)
        if not retry or attempt == attempts:
            break
        hints = [o.retry_after for o in outcomes if isinstance(o, GenerationError) and o.retry_after is not None]
        if stop.wait(backoff_delay(attempt, base=base, rng=rng, retry_after=max(hints, default=None))):
            break  # interrupted: what failed stays failed (and uncached), the next run asks again
        pending = retry
    done: list[Outcome] = []
    for last in outcomes:
        assert last is not None
        if isinstance(last, GenerationError) and last.retryable and attempts > 1:
            last = GenerationError(f"{last.message} (gave up after {attempts} attempts)", retryable=False)
        done.append(last)
    return done


def generate(
    *,
    system: str,
    spec: str,
    config: GeneratorConfig,
    prompts: dict[str, str],
    settings: GenerationSettings,
    progress: Callable[[str], None] = lambda message: None,
    backend: Backend | None = None,
) -> Generated:
    """Generate a candidate for every example id in ``prompts`` (id -> prompt)."""
    started = time.perf_counter()
    backend = backend or make_backend(config, spec=spec)
    cache: GenerationCache | None = None
    try:
        if settings.cache_path is not None:
            cache = GenerationCache(settings.cache_path)
        identity = backend.identity()
        keys = {example_id: cache_key(identity, prompt) for example_id, prompt in prompts.items()}
        answers: dict[str, Answer] = {}  # by cache key
        if cache is not None and not settings.refresh:
            for key in dict.fromkeys(keys.values()):
                hit = cache.get(key)
                # An empty answer cached with allow_empty is asked again by a system without it.
                if hit is not None and usable(hit, allow_empty=config.options.allow_empty):
                    answers[key] = hit
        hits = len(answers)
        todo = [key for key in dict.fromkeys(keys.values()) if key not in answers]
        prompt_of = {key: prompts[example_id] for example_id, key in keys.items()}
        progress(
            f"generating {system} ({spec}): {len(prompts)} examples, {hits} cached, {len(todo)} to generate"
            + (f" ({settings.concurrency} at a time)" if len(todo) > 1 and backend.max_workers != 1 else "")
        )
        errors, requests = _run(backend, config, todo, prompt_of, identity, cache, answers, settings, system)
    finally:
        backend.close()
        if cache is not None:
            cache.close()
    texts = {i: answers[k].text for i, k in keys.items() if k in answers}
    failures = {i: errors[k] for i, k in keys.items() if k not in answers}
    metas = [answers[k].meta for k in keys.values() if k in answers]
    record = {
        "backend": config.kind,
        "identity": identity,
        "options": {name: getattr(config.options, name) for name in config.options.given},
        "cache": {
            "mode": settings.cache_mode,
            "path": str(settings.cache_path) if settings.cache_path else None,
            "hits": hits,
        },
        "requests": requests,
        "generated": len(todo) - len(errors),
        "failed": len(failures),
        "truncated": [i for i, k in keys.items() if k in answers and answers[k].meta.get("finish_reason") == "length"],
        "usage": {part: sum(int(m.get(part) or 0) for m in metas) for part in ("prompt_tokens", "completion_tokens")},
        "concurrency": settings.concurrency,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if not _bar_shown(settings):  # no bar to read the end from (a log, CI): one line per finished system
        progress(
            f"generated {system}: {len(texts)} of {len(prompts)} examples ({hits} cached, {len(failures)} failed) "
            f"in {record['seconds']:.1f} s"
        )
    metas_by_id = {i: answers[k].meta for i, k in keys.items() if k in answers}
    return Generated(texts, failures, record, metas_by_id)


def _bar_shown(settings: GenerationSettings) -> bool:
    return settings.progress_bar if settings.progress_bar is not None else sys.stderr.isatty()


def _run(
    backend: Backend,
    config: GeneratorConfig,
    todo: list[str],
    prompt_of: dict[str, str],
    identity: dict[str, Any],
    cache: GenerationCache | None,
    answers: dict[str, Answer],
    settings: GenerationSettings,
    system: str,
) -> tuple[dict[str, str], int]:
    """Generate ``todo`` (cache keys), filling ``answers``; returns the failures' messages by key and the
    number of requests (backend calls per prompt, retries included)."""
    errors: dict[str, str] = {}
    requests = _Counter()
    if not todo:
        return errors, 0
    batches = [todo[i : i + backend.batch_size] for i in range(0, len(todo), backend.batch_size)]
    workers = max(1, min(settings.concurrency, backend.max_workers or settings.concurrency, len(batches)))
    stop = threading.Event()
    rng = random.Random()  # jitter only decorrelates clients: it does not change any result
    show = _bar_shown(settings)
    from tqdm import tqdm

    bar = tqdm(total=len(todo), desc=f"generating {system}", unit="ex", file=sys.stderr, disable=not show)
    jobs: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
    for batch in batches:
        jobs.put(batch)
    done: queue.SimpleQueue[tuple[list[str], list[Outcome] | BaseException]] = queue.SimpleQueue()
    options = config.options

    def work() -> None:
        while not stop.is_set():  # after a Ctrl-C or an error, no new batch is started
            try:
                batch = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                prompts = [prompt_of[key] for key in batch]
                found = _attempt(
                    backend,
                    prompts,
                    attempts=options.attempts,
                    base=options.backoff,
                    rng=rng,
                    stop=stop,
                    requests=requests,
                    allow_empty=options.allow_empty,
                    # Endpoints fail quietly now and then: ask again. A command or a local model would give
                    # the same nothing; its example fails now and is asked again on the next run.
                    retry_empty=config.kind in OPTIONS["attempts"].kinds,
                )
            except BaseException as exc:  # a bug in a backend: re-raised by the driver's thread
                done.put((batch, exc))
                return
            done.put((batch, found))

    # Daemon threads rather than a ThreadPoolExecutor, whose threads the interpreter joins at exit: after a
    # Ctrl-C the process must end now, not when the requests in flight time out (their answers would not be
    # cached anyway: only this thread writes the cache).
    for number in range(workers):
        threading.Thread(target=work, name=f"harness-generate-{system}-{number}", daemon=True).start()
    try:
        for _ in batches:
            batch, found = _next(done)
            if isinstance(found, BaseException):
                raise found
            for key, outcome in zip(batch, found, strict=True):
                if isinstance(outcome, Answer):
                    answers[key] = outcome
                    if cache is not None:
                        cache.put(key, outcome, identity=identity, prompt=prompt_of[key])
                else:
                    errors[key] = outcome.message
            bar.update(len(batch))
    finally:
        stop.set()  # workers stop taking batches and retry waits end at once
        bar.close()
    return errors, requests.value


def _next(done: queue.SimpleQueue[tuple[list[str], list[Outcome] | BaseException]]) -> tuple[list[str], Any]:
    """The next finished batch; waits in short slices so a Ctrl-C is seen at once."""
    while True:
        try:
            return done.get(timeout=0.2)
        except queue.Empty:
            continue
