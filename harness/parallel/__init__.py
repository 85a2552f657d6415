"""How ``harness eval`` spreads scoring over cores or a Ray cluster, survives lost workers, and resumes.

- :mod:`harness.parallel.work`: the unit of work (one chunk per source: the source with every system's
  candidate for it, so the source is tokenized, stemmed, split and encoded once), batches of chunks, and
  per-example isolated scoring in a worker.
- :mod:`harness.parallel.backends`: in-process scoring, and a process pool that gives each chunk to the
  worker that has its source cached and replaces a worker that dies; :mod:`harness.parallel.ray_backend`:
  the same on a pool of Ray actors (``import ray`` happens only there).
- :mod:`harness.parallel.journal`: a run directory that is filled as results arrive (append + fsync per
  batch) and that ``harness eval --resume`` completes after an interruption.
- :mod:`harness.parallel.engine`: the driver: build the chunks, run a backend, write rows in input order,
  and turn each finished journal into a run.

This module itself imports nothing heavy: the CLI reads :class:`Execution` for ``--help``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from harness.errors import HarnessError

BACKENDS = ("pool", "ray")
DEFAULT_MAX_FAILURES = 3


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset`` narrows)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux: no affinity call
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Execution:
    """Where and how examples are scored.

    ``workers`` None means every usable core (pool) or every CPU of the Ray cluster (ray); 1 scores in this
    process with no pool. ``max_failures`` bounds how often lost workers are replaced (pool) or a task or
    actor is retried (Ray) before the run stops. ``batch_pairs`` fixes the batch size (pairs per unit of
    work); None sizes batches from the run (tests and benchmarks set it).
    """

    workers: int | None = None
    backend: str = "pool"
    ray_address: str | None = None
    max_failures: int = DEFAULT_MAX_FAILURES
    batch_pairs: int | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise HarnessError(f"unknown backend {self.backend!r}; use {' or '.join(BACKENDS)}")
        if self.workers is not None and self.workers < 1:
            raise HarnessError(f"--workers must be at least 1, got {self.workers}")
        if self.max_failures < 0:
            raise HarnessError(f"--max-failures must be 0 or more, got {self.max_failures}")
        if self.batch_pairs is not None and self.batch_pairs < 1:
            raise HarnessError(f"batch_pairs must be at least 1, got {self.batch_pairs}")
        if self.ray_address is not None and self.backend != "ray":
            raise HarnessError("--ray-address needs --backend ray")
        if self.ray_address is not None and not (
            self.ray_address == "auto" or self.ray_address.startswith("ray://") or ":" in self.ray_address
        ):
            raise HarnessError(
                f"--ray-address {self.ray_address!r}: use auto (the cluster this machine belongs to), "
                "HOST:PORT of its head node, or ray://HOST:PORT (Ray Client)"
            )
