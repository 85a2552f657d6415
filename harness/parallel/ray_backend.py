"""Scoring on Ray (``--backend ray``): a local instance, or the cluster a lab already runs.

The work runs on a pool of Ray actors, one CPU each (``--workers`` of them, default every CPU of the
cluster). Each actor builds the metrics once: a model metric loads its model once per actor, and a metric's
caches stay warm, so each chunk goes to the actor that scored its source before (the same
:class:`~harness.parallel.backends.Router` as the process pool). Plain Ray tasks were tried for the CPU
metrics first: a task lands on whichever worker process is free, so a source that recurs across examples
was processed again by every process, and the benchmark (``benchmarks/scale.py``) spent 83% more CPU than
one process did, where the pool spent 10% more. The driver sends each batch's parts and takes the results
back in input order, with at most ``window`` batches out; it alone writes the run.

Faults cost a retry, not the run. Actors are restarted by Ray when they die (``max_restarts``), on another
node when theirs is lost. A call that was running on a lost actor is not left to Ray's retry (it would wait
for that actor's restart, which never comes if the lost node's CPUs are gone): the driver sends the
actor's unreturned parts to the live actors at once, and takes the actor back when it answers again. Each
lost actor counts against ``--max-failures``; beyond it the run stops with a HarnessError, and what was
written stays resumable. An exception raised by a metric is not a fault: scoring isolates it to its
example (:mod:`harness.parallel.work`).

Ray is imported here and nowhere else. Joining a cluster (``--ray-address``) ships this checkout's
``harness`` and ``metrics`` packages to it (``runtime_env.py_modules``), so actors run the driver's code;
the cluster's Python needs the harness's dependencies (``pip install 'harness[ray]'`` on its nodes). A
local instance is started without the dashboard and without usage stats, so it works offline, and is
stopped at the end; an instance the caller started (``ray.init`` before the run) is used and left running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from harness.errors import HarnessError
from harness.parallel.backends import Router, merge_parts
from harness.parallel.work import BatchResult, Chunk, Recipe, limit_threads, one_line, score_batch

T = TypeVar("T")
# With every actor lost and none back, how long to wait for one to be restarted before giving up.
_NO_ACTOR_WAIT_S = 300.0


class _Scorer:
    """A Ray actor: the metrics, built once, and the caches they keep, serving every part sent here."""

    def __init__(self, recipes: Sequence[Recipe]) -> None:
        limit_threads(1, import_torch=any(recipe.cls.loads_model for recipe in recipes))
        self.metrics = [recipe.build() for recipe in recipes]

    def ping(self) -> bool:
        return True

    def score(self, chunks: list[Chunk]) -> BatchResult:
        return score_batch(self.metrics, chunks)


@dataclass
class _Part:
    actor: int
    positions: list[int]
    chunks: list[Chunk]
    ref: Any

    @property
    def pairs(self) -> int:
        return sum(len(chunk.candidates) for chunk in self.chunks)


@dataclass
class _Batch(Generic[T]):
    token: T
    size: int
    parts: list[_Part] = field(default_factory=list)


# Where Ray (2.5x) logs, at every start of a local instance with RAY_AUTH_MODE unset, "Token authentication is
# enabled for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out": its default, not a problem. The notice
# is dropped (see _drop_token_auth_notice); every other message of that logger is kept.
AUTH_LOGGER = "ray._private.authentication.authentication_token_setup"


def _drop_token_auth_notice(record: logging.LogRecord) -> bool:
    """A logging filter: False for Ray's "token authentication is enabled" notice, True for anything else.

    Why not set RAY_AUTH_MODE=token ourselves, which also silences it: Ray reads that variable when it is
    imported, so setting it later leaves the driver without the token the instance then requires (tried: the
    start fails with InvalidAuthToken). So the instance keeps Ray's default (token authentication on, the token
    in ~/.ray/auth_token, readable by this user only), and the user's own RAY_AUTH_MODE is respected.
    """
    return not record.getMessage().startswith("Token authentication is enabled for this Ray cluster")


class RayBackend:
    """Batches on a pool of Ray actors, with source affinity and driver-side re-routing of lost work."""

    name = "ray"

    def __init__(
        self, recipes: Sequence[Recipe], *, address: str | None, workers: int | None, max_failures: int, slack: int
    ) -> None:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report to Anyscale; works offline
        try:
            import ray
        except ImportError:
            raise HarnessError("--backend ray needs Ray: pip install 'harness[ray]'") from None
        self._ray: Any = ray  # typed loosely: Ray is an optional dependency, untyped in places
        self.restarts = 0
        self.max_failures = max_failures
        self.router = Router(slack)
        self.owns_connection = not ray.is_initialized()
        started = time.perf_counter()
        if self.owns_connection:
            self._connect(address, workers)
        self.startup_s = time.perf_counter() - started
        self._pending: deque[_Batch[Any]] = deque()
        self._down: dict[int, Any] = {}  # lost actor -> its ping, answered once Ray has restarted it
        self._actors: list[Any] = []
        try:
            cpus = max(1, int(self._ray.cluster_resources().get("CPU", 1)))
            self.workers = min(workers or cpus, cpus)
            self.window = 2 * self.workers
            actor = ray.remote(num_cpus=1, max_restarts=max_failures, max_task_retries=0)(_Scorer)
            self._actors = [actor.remote(list(recipes)) for _ in range(self.workers)]
        except BaseException:
            self.close()
            raise

    def _connect(self, address: str | None, workers: int | None) -> None:
        ray = self._ray
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,  # worker output stays in Ray's session logs, not on the harness's stderr
            "logging_level": logging.WARNING,
        }
        if address is None:
            options["num_cpus"] = workers  # None: every core
        else:
            import harness
            import metrics

            options["runtime_env"] = {"py_modules": [harness, metrics]}
        notices = logging.getLogger(AUTH_LOGGER)
        notices.addFilter(_drop_token_auth_notice)
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise HarnessError(f"cannot start or join {where}: {one_line(exc)}") from None
        finally:
            notices.removeFilter(_drop_token_auth_notice)

    def map(self, batches: Iterable[tuple[T, list[Chunk]]]) -> Iterator[tuple[T, BatchResult]]:
        for token, chunks in batches:
            self._pending.append(self._send(token, chunks))
            if len(self._pending) >= self.window:
                yield self._receive()
        while self._pending:
            yield self._receive()

    def _live(self) -> list[int]:
        """The actors that can take work now; a lost actor rejoins when it answers its ping."""
        ray = self._ray
        if self._down:
            ready, _ = ray.wait(list(self._down.values()), num_returns=len(self._down), timeout=0)
            for index, ping in list(self._down.items()):
                if ping in ready:
                    with contextlib.suppress(ray.exceptions.RayError):  # gone for good: stays down
                        ray.get(ping)
                        del self._down[index]
        live = [index for index in range(len(self._actors)) if index not in self._down]
        if not live:
            ready, _ = ray.wait(list(self._down.values()), num_returns=1, timeout=_NO_ACTOR_WAIT_S)
            if not ready:
                raise HarnessError(
                    f"ray: every worker was lost and none came back within {_NO_ACTOR_WAIT_S:.0f} s; "
                    "the cluster has no CPU left for them"
                )
            return self._live()
        return live

    def _submit(self, chunks: list[Chunk], load: dict[int, int]) -> list[_Part]:
        parts = []
        for actor, positions in sorted(self.router.split(chunks, load).items()):
            part_chunks = [chunks[i] for i in positions]
            parts.append(_Part(actor, positions, part_chunks, self._actors[actor].score.remote(part_chunks)))
        return parts

    def _load(self) -> dict[int, int]:
        """Pairs not yet returned, per live actor."""
        load = dict.fromkeys(self._live(), 0)
        for batch in self._pending:
            for part in batch.parts:
                if part.actor in load:
                    load[part.actor] += part.pairs
        return load

    def _send(self, token: T, chunks: list[Chunk]) -> _Batch[T]:
        batch: _Batch[T] = _Batch(token, len(chunks))
        batch.parts = self._submit(chunks, self._load())
        return batch

    def _receive(self) -> tuple[Any, BatchResult]:
        """The oldest batch's result, its parts merged back into chunk order; lost parts are sent again."""
        ray = self._ray
        batch = self._pending[0]
        received: dict[int, tuple[list[int], BatchResult]] = {}
        while len(received) < len(batch.parts):
            for part in list(batch.parts):
                if id(part) in received:
                    continue
                try:
                    received[id(part)] = (part.positions, ray.get(part.ref))
                except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError):
                    self._lost(part, received)
                    break  # batch.parts changed: look again
                except ray.exceptions.RayError as exc:
                    cause = getattr(exc, "cause", None)
                    shown = one_line(cause) if isinstance(cause, BaseException) else one_line(exc)
                    raise HarnessError(f"ray: a batch failed: {shown}") from None
        self._pending.popleft()
        return batch.token, merge_parts(batch.size, [received[id(part)] for part in batch.parts])

    def _lost(self, failed: _Part, received: dict[int, Any]) -> None:
        """``failed``'s actor died (or its results were lost with its node): count it, and send every part
        that actor has not returned to the live actors."""
        actor = failed.actor
        if actor not in self._down:
            self.restarts += 1
            if self.restarts > self.max_failures:
                raise HarnessError(
                    f"ray: {self.restarts} workers were lost (--max-failures {self.max_failures}); the run "
                    "stopped. Check the cluster's nodes and memory, or raise --max-failures"
                )
            self._down[actor] = self._actors[actor].ping.remote()
        load = self._load()
        for batch in self._pending:
            waiting = [p for p in batch.parts if p.actor == actor and id(p) not in received]
            lost = [p for p in waiting if p is failed or not self._readable(p)]
            if not lost:
                continue
            kept = [p for p in batch.parts if p not in lost]
            for part in lost:
                for moved in self._submit(part.chunks, load):
                    moved.positions = [part.positions[i] for i in moved.positions]
                    kept.append(moved)
            batch.parts = kept

    def _readable(self, part: _Part) -> bool:
        """Whether a part of a lost actor finished before it died, with its result still there (then it is
        read later, not redone). Not finished, or failed, means lost."""
        ray = self._ray
        ready, _ = ray.wait([part.ref], timeout=0)
        if not ready:
            return False
        try:
            ray.get(part.ref, timeout=0)
        except ray.exceptions.RayError:
            return False
        return True

    def close(self) -> None:
        """Release the actors, and stop the instance (or leave the cluster) if this backend started it."""
        ray = self._ray
        if not ray.is_initialized():
            return
        self._pending.clear()
        for actor in self._actors:
            with contextlib.suppress(Exception):  # an actor already lost
                ray.kill(actor)
        self._actors = []
        if self.owns_connection:
            ray.shutdown()
