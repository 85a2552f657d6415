"""The unit of work and what a worker does with it: build the metrics once, score batches, isolate failures.

A :class:`Chunk` is one source with the candidates of every system still to be scored on it: a metric sees
the source once per chunk, so its tokens, stems, sentences and encodings (each metric caches them by text)
are computed once for all systems, on one worker. A batch is a list of consecutive chunks, the unit sent
to a process or a Ray task, sized so that sending it costs under 1% of scoring it.

Scoring is isolated per example. Each metric is first called once on the whole batch (fast); only if that
call raises, or returns the wrong number of rows, is the batch scored chunk by chunk, and a failing chunk
pair by pair, so the one example that fails gets the error and every other example its scores. A row that
breaks the metric's contract (a key missing, a value out of bounds) is that example's error. This needs
metrics whose scores depend on each pair alone (:meth:`~harness.scoring.registry.Metric.per_example`); the driver
scores the others in one call per system.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, score_problem

# What one metric gave one pair: (scores, detail or None) when it scored, or the one-line error message.
Outcome = tuple[dict[str, float], Any] | str
# Per pair: metric name -> its outcome.
PairResult = dict[str, Outcome]
_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class Recipe:
    """How a worker builds a metric: its class (pickled by reference, so the worker imports its module) and
    the options it was built with on the driver."""

    cls: type[Metric]
    options: dict[str, Any]

    def build(self) -> Metric:
        return self.cls(**self.options)

    @property
    def key(self) -> str:
        return f"{self.cls.__module__}.{self.cls.__qualname__}:{sorted(self.options.items())!r}"


@dataclass(frozen=True)
class Chunk:
    """One source and the candidates to score against it (one per system that still needs it)."""

    source: str
    candidates: tuple[str, ...]


@dataclass
class BatchResult:
    """A batch's outcomes, ``pairs[chunk][candidate]``, the seconds each metric took on it, and the CPU
    seconds the worker spent (wall time above CPU time means the worker waited for a core)."""

    pairs: list[list[PairResult]]
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0

    def merge(self, other: BatchResult) -> BatchResult:
        """Both results of the same batch, scored by different metrics (Ray: CPU tasks and model actors)."""
        pairs = [[{**a, **b} for a, b in zip(mine, theirs)] for mine, theirs in zip(self.pairs, other.pairs)]
        return BatchResult(pairs, {**self.seconds, **other.seconds}, self.cpu_s + other.cpu_s)


def one_line(exc: BaseException) -> str:
    """An exception as one line: a HarnessError's own message, else ``Type: message``."""
    text = " ".join(str(exc).split())
    line = text if isinstance(exc, HarnessError) and text else f"{type(exc).__name__}: {text}".rstrip(": ")
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 1] + "…"


class _CallFailed(Exception):
    """A metric call on a group of pairs failed as a whole (it raised or returned the wrong number of rows)."""


def _call(metric: Metric, sources: list[str], candidates: list[str]) -> list[Outcome]:
    """One call of the metric on a group of pairs; rows that break the contract become their pair's error."""
    try:
        found, extra = metric.score_with_details(sources=sources, candidates=candidates)
    except Exception as exc:  # any failure of a metric's code is the examples' error, never the run's
        raise _CallFailed(one_line(exc)) from None
    if len(found) != len(sources) or (extra is not None and len(extra) != len(sources)):
        details = "no" if extra is None else len(extra)
        raise _CallFailed(f"returned {len(found)} rows and {details} details for {len(sources)} pairs")
    outcomes: list[Outcome] = []
    for index, row in enumerate(found):
        problem = score_problem(metric, row)
        outcomes.append(problem if problem is not None else (row, None if extra is None else extra[index]))
    return outcomes


def _one_by_one(metric: Metric, sources: list[str], candidates: list[str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for source, candidate in zip(sources, candidates):
        try:
            outcomes += _call(metric, [source], [candidate])
        except _CallFailed as failed:
            outcomes.append(str(failed))
    return outcomes


def score_metric(metric: Metric, chunks: Sequence[Chunk]) -> list[Outcome]:
    """Every pair of the batch scored by one metric, flat in chunk order, each failure isolated to its pair."""
    sources = [chunk.source for chunk in chunks for _ in chunk.candidates]
    candidates = [candidate for chunk in chunks for candidate in chunk.candidates]
    try:
        return _call(metric, sources, candidates)
    except _CallFailed:
        if len(chunks) == 1:
            return _one_by_one(metric, sources, candidates)
    outcomes: list[Outcome] = []
    for chunk in chunks:
        these_sources, these = [chunk.source] * len(chunk.candidates), list(chunk.candidates)
        try:
            outcomes += _call(metric, these_sources, these)
        except _CallFailed:
            outcomes += _one_by_one(metric, these_sources, these)
    return outcomes


def score_batch(metrics: Sequence[Metric], chunks: Sequence[Chunk]) -> BatchResult:
    """Score a batch with every metric; outcomes per chunk and candidate, in input order."""
    result = BatchResult([[{} for _ in chunk.candidates] for chunk in chunks])
    cpu = time.process_time()
    for metric in metrics:
        started = time.perf_counter()
        flat = iter(score_metric(metric, chunks))
        for pairs in result.pairs:
            for pair in pairs:
                pair[metric.name] = next(flat)
        result.seconds[metric.name] = time.perf_counter() - started
    result.cpu_s = time.process_time() - cpu
    return result


def limit_threads(threads: int, *, import_torch: bool) -> None:
    """Cap this process's math threads so that workers x threads do not exceed the cores.

    The environment variables reach OpenMP, MKL and OpenBLAS when they start (torch reads
    ``OMP_NUM_THREADS`` on import); a torch already imported is set directly. A worker whose metrics load a
    model imports torch here, so that its thread count is fixed before the first batch.
    """
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)
    if import_torch or "torch" in sys.modules:
        import torch

        torch.set_num_threads(threads)


# --- process-pool workers: the metrics are built once per process by the initializer -----------------------

_worker_metrics: list[Metric] = []
_worker_error: str | None = None


def init_worker(recipes: Sequence[Recipe], threads: int, driver_alive: Connection) -> None:
    """Process-pool initializer: build the metrics once for every batch this process will score.

    Ctrl-C goes to the whole process group; the driver alone handles it (and stops the pool), so a worker
    ignores it rather than dying with a traceback mid-batch. A driver killed outright (SIGKILL) cannot stop
    its pool, and an idle worker would wait for work forever (nor would the forkserver exit, since every
    worker holds its liveness pipe): ``driver_alive`` is the read end of a pipe whose only write end is the
    driver's, so it reaches end-of-file when the driver dies, and the worker exits then.
    """
    global _worker_metrics, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_driver, args=(driver_alive,), daemon=True, name="driver-watch").start()
    try:
        limit_threads(threads, import_torch=any(recipe.cls.loads_model for recipe in recipes))
        _worker_metrics = [recipe.build() for recipe in recipes]
    except Exception as exc:  # reported with the first batch: an initializer that raises breaks the pool
        _worker_error = one_line(exc)


def _exit_with_driver(driver_alive: Connection) -> None:
    """Exit as soon as the driver is gone (its end of the pipe closed); the driver never writes to it."""
    wait([driver_alive])
    os._exit(1)


def score_in_worker(chunks: Sequence[Chunk]) -> BatchResult:
    """A pool task: score one batch with this process's metrics."""
    if _worker_error is not None:
        raise HarnessError(f"a worker could not build its metrics: {_worker_error}")
    return score_batch(_worker_metrics, chunks)


# --- Ray task workers: a Ray worker process runs many tasks; its metrics are built on the first ---------------

_cached: dict[str, list[Metric]] = {}


def metrics_for(recipes: Sequence[Recipe]) -> list[Metric]:
    """The metrics of ``recipes``, built once per process (a Ray worker process runs many tasks)."""
    key = "|".join(recipe.key for recipe in recipes)
    if key not in _cached:
        _cached[key] = [recipe.build() for recipe in recipes]
    return _cached[key]
