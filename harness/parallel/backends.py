"""Scoring backends on one machine: in this process, or a process pool that survives a dying worker.

A backend takes batches with a token each (what the driver needs to write the results: it never leaves the
driver) and yields ``(token, result)`` in input order, so the driver can write rows as they come. At most
``window`` batches are out at a time, so the driver's memory does not grow with the run.

The pool uses the ``forkserver`` start method: workers are forked from a clean server process that has
imported the harness and the metrics once, so a new worker starts in milliseconds, and no worker inherits
the driver's threads (forking a process whose torch or Ray threads are running can deadlock). When a worker
dies (killed, out of memory, a crash in native code), ``concurrent.futures`` marks the whole pool broken
and fails every pending batch; the pool is then rebuilt and every batch not yet received is sent again, up
to ``max_failures`` times before the run stops with a message saying what to do.
"""

from __future__ import annotations

import multiprocessing
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from harness.errors import HarnessError
from harness.parallel.work import BatchResult, Chunk, PairResult, Recipe, init_worker, score_batch, score_in_worker
from harness.scoring.registry import Metric

T = TypeVar("T")
# Modules the forkserver imports once, before it forks any worker.
_PRELOAD = ["harness.parallel.work", "harness.scoring.registry", "metrics"]
# Sources whose worker is remembered (a hash and a worker number each): far more than a worker's caches hold.
_OWNERS_KEPT = 100_000


class Backend(Protocol):
    """What the engine needs from a backend."""

    name: str
    workers: int
    restarts: int

    def map(self, batches: Iterable[tuple[T, list[Chunk]]]) -> Iterator[tuple[T, BatchResult]]:
        """Score each batch; results in input order."""
        ...

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        ...


class InlineBackend:
    """Scoring in this process: ``--workers 1``, or a run too small to pay for starting workers."""

    name = "inline"
    workers = 1
    restarts = 0

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.metrics = list(metrics)

    def map(self, batches: Iterable[tuple[T, list[Chunk]]]) -> Iterator[tuple[T, BatchResult]]:
        for token, chunks in batches:
            yield token, score_batch(self.metrics, chunks)

    def close(self) -> None:
        pass


class Router:
    """Which worker gets each chunk of a batch: the worker that scored the chunk's source before, whose caches
    hold the source's tokens, sentences and encodings, unless it is more than ``slack`` pairs behind the least
    busy worker; otherwise (and for a new source) the least busy worker. A source that recurs across examples
    is then processed once per run, whatever the number of workers, and no worker is left idle for it."""

    def __init__(self, slack: int) -> None:
        self.slack = slack
        self._owner: OrderedDict[int, int] = OrderedDict()  # hash of a source -> the worker that has it cached

    def split(self, chunks: Sequence[Chunk], load: dict[int, int]) -> dict[int, list[int]]:
        """Worker -> the positions of its chunks, over the workers in ``load`` (their pairs not yet returned,
        updated as chunks are given out)."""
        positions: dict[int, list[int]] = {}
        for position, chunk in enumerate(chunks):
            key = hash(chunk.source)
            least = min(load, key=load.__getitem__)
            owner = self._owner.get(key)
            worker = owner if owner in load and load[owner] <= load[least] + self.slack else least
            self._owner[key] = worker
            self._owner.move_to_end(key)
            if len(self._owner) > _OWNERS_KEPT:
                self._owner.popitem(last=False)
            load[worker] += len(chunk.candidates)
            positions.setdefault(worker, []).append(position)
        return positions


def merge_parts(size: int, parts: Iterable[tuple[list[int], BatchResult]]) -> BatchResult:
    """One batch's result from its parts' results (each with the positions of its chunks in the batch)."""
    found: list[list[PairResult]] = [[] for _ in range(size)]
    seconds: dict[str, float] = {}
    cpu = 0.0
    for positions, result in parts:
        for position, pairs in zip(positions, result.pairs):
            found[position] = pairs
        for name, spent in result.seconds.items():
            seconds[name] = seconds.get(name, 0.0) + spent
        cpu += result.cpu_s
    return BatchResult(found, seconds, cpu)


@dataclass
class _Part:
    """The chunks of a batch sent to one worker."""

    worker: int
    positions: list[int]  # where these chunks sit in the batch
    chunks: list[Chunk]
    future: Future[BatchResult]

    @property
    def pairs(self) -> int:
        return sum(len(chunk.candidates) for chunk in self.chunks)


@dataclass
class _Batch(Generic[T]):
    token: T
    size: int
    parts: list[_Part] = field(default_factory=list)


class PoolBackend:
    """Worker processes with one set of metrics each (built by the initializer), and source affinity.

    Each worker is a single-process executor of its own, so a batch's chunks can be sent to a chosen worker:
    a source goes back to the worker that scored it before (whose caches hold its tokens, sentences and
    encodings) unless that worker is well behind the others; a new source goes to the least busy worker.
    A source is then processed once per run even when it recurs across examples, and a dead worker breaks
    only its own executor: it is restarted and its unfinished chunks sent again.
    """

    name = "pool"

    def __init__(self, recipes: Sequence[Recipe], *, workers: int, threads: int, max_failures: int, slack: int) -> None:
        self.recipes = list(recipes)
        self.workers = workers
        self.threads = threads
        self.max_failures = max_failures
        self.router = Router(slack)
        self.restarts = 0
        self.window = 2 * workers  # batches out at a time: each worker has its part of two
        self._context = multiprocessing.get_context("forkserver")
        # Effective when the server starts (once per driver process): the metrics' modules imported once.
        self._context.set_forkserver_preload(_PRELOAD + sorted({recipe.cls.__module__ for recipe in recipes}))
        self._received = 0
        self._finished = False
        # Workers get the read end; the write end stays here, so it closes exactly when the driver dies.
        self._alive_r, self._alive_w = self._context.Pipe(duplex=False)
        self._executors = [self._start() for _ in range(workers)]

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=self._context,
            initializer=init_worker,
            initargs=(self.recipes, self.threads, self._alive_r),
        )

    def map(self, batches: Iterable[tuple[T, list[Chunk]]]) -> Iterator[tuple[T, BatchResult]]:
        pending: deque[_Batch[T]] = deque()
        for token, chunks in batches:
            pending.append(self._send(token, chunks, pending))
            if len(pending) >= self.window:
                yield self._receive(pending)
        while pending:
            yield self._receive(pending)
        self._finished = True

    def _send(self, token: T, chunks: list[Chunk], pending: deque[_Batch[T]]) -> _Batch[T]:
        """Split a batch among the workers by source affinity and submit each worker's part."""
        load = dict.fromkeys(range(self.workers), 0)
        for earlier in pending:
            for part in earlier.parts:
                if not part.future.done():
                    load[part.worker] += part.pairs
        batch: _Batch[T] = _Batch(token, len(chunks))
        for worker, where in sorted(self.router.split(chunks, load).items()):
            part_chunks = [chunks[i] for i in where]
            future = self._executors[worker].submit(score_in_worker, part_chunks)
            batch.parts.append(_Part(worker, where, part_chunks, future))
        return batch

    def _receive(self, pending: deque[_Batch[T]]) -> tuple[T, BatchResult]:
        """The oldest batch's result, its parts merged back into chunk order."""
        batch = pending[0]
        results: list[tuple[list[int], BatchResult]] = []
        for part in batch.parts:
            while True:
                try:
                    result = part.future.result()
                    break
                except BrokenProcessPool:
                    self._restart(part.worker, pending)
                except HarnessError:
                    raise
                except Exception as exc:  # a bug outside the metrics (they are isolated in score_batch)
                    raise HarnessError(f"a worker failed: {type(exc).__name__}: {exc}") from exc
            results.append((part.positions, result))
        pending.popleft()
        self._received += 1
        return batch.token, merge_parts(batch.size, results)

    def _restart(self, worker: int, pending: deque[_Batch[T]]) -> None:
        """A worker died: start another in its place and send it again every part it had not returned."""
        self.restarts += 1
        if self.restarts > self.max_failures:
            # Workers that never returned a batch most likely could not start: with forkserver (as with spawn)
            # each worker imports the main module again, and a script without the guard starts another run.
            hint = (
                "; no batch ever came back: a script that calls harness must guard its entry point with "
                "`if __name__ == '__main__':` (workers import the main module)"
                if self._received == 0
                else ""
            )
            raise HarnessError(
                f"a worker process died {self.restarts} times (--max-failures {self.max_failures}); the run "
                "stopped. A worker dies when it is killed, runs out of memory or crashes in native code; check "
                f"memory, lower --workers, or raise --max-failures{hint}"
            )
        _stop(self._executors[worker])
        self._executors[worker] = self._start()
        for batch in pending:
            for part in batch.parts:
                if part.worker == worker and (not part.future.done() or part.future.exception() is not None):
                    part.future = self._executors[worker].submit(score_in_worker, part.chunks)

    def close(self) -> None:
        for executor in self._executors:
            if self._finished:  # idle workers exit by themselves, releasing what they hold (semaphores)
                executor.shutdown(wait=True)
            else:
                _stop(executor)
        self._alive_r.close()
        self._alive_w.close()


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop an executor's process now: on Ctrl-C or a lost worker, a batch in flight is not worth finishing.
    Then shut the executor down and wait for its thread, so that its queues are released (else the
    resource tracker warns of leaked semaphores when the driver exits)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    executor.shutdown(wait=True, cancel_futures=True)
