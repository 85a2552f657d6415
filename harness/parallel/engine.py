"""The driver of a run: chunks in, rows out, in input order, whatever runs the scoring.

For each example still missing from some system's journal, one :class:`~harness.parallel.work.Chunk`
holds its (cleaned) source and every such system's cleaned candidate; consecutive chunks form batches of
about ``batch_pairs`` pairs. The pool and Ray split each batch among their workers, a part of 64 to 256
pairs each, so that each worker gets 16 parts or more and a part's fixed cost (about a millisecond to send
and receive) stays under 1% of scoring it. A backend scores the batches; as
each comes back, in input order, its rows are appended to each system's journal and fsync'ed, so the
driver holds only the batches in flight, and an interruption loses at most those.

Metrics that score each example on its own run on the workers; a metric whose scores depend on the whole
call (:meth:`~harness.scoring.registry.Metric.per_example` False) is scored here, once per system over all of its
examples, exactly as in a one-process run. An example a metric fails on keeps its row, with ``error``
instead of scores; an example a generating system failed on is written as the generator left it.
"""

from __future__ import annotations

import math
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.errors import HarnessError
from harness.parallel import Execution, usable_cores
from harness.parallel.backends import Backend, InlineBackend, PoolBackend
from harness.parallel.journal import Journal
from harness.parallel.work import BatchResult, Chunk, Outcome, PairResult, Recipe, one_line
from harness.rank import stats
from harness.read.cleaning import CleanRule, Removed, clean_text
from harness.scoring.registry import Metric, score_problem

EMPTY_CANDIDATE = "empty_candidate"
MIN_BATCH_PAIRS = 64
MAX_BATCH_PAIRS = 256
BATCHES_PER_WORKER = 16


class Meter(Protocol):
    """A progress display: pairs scored so far, out of a total (the CLI's is a tqdm bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, pairs: int) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SystemInput:
    """One system's side of a run: its candidates (id -> text) and the examples it has none for (its generator
    failed on them, or its candidate file lacks them: ``failure_stage`` says which, as run.json records it)."""

    texts: dict[str, str]
    generation_failures: dict[str, str] = field(default_factory=dict)
    failure_stage: str = "generate"


@dataclass
class _Pair:
    system: str
    raw: str
    scored: str
    removed: list[Removed]


@dataclass
class _Slot:
    """One example's place in the output: its cleaned source, pairs to score, and rows that need no scoring."""

    index: int
    source: str
    source_removed: list[Removed]
    pairs: list[_Pair] = field(default_factory=list)
    direct: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Ran:
    """What actually ran, recorded in each run.json under ``execution``."""

    backend: str
    workers: int
    threads_per_worker: int
    batch_pairs: int
    batches: int = 0
    pairs: int = 0
    restarts: int = 0
    startup_s: float | None = None
    metric_seconds: dict[str, float] = field(default_factory=dict)
    workers_cpu_s: float = 0.0
    score_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "backend": self.backend,
            "workers": self.workers,
            "threads_per_worker": self.threads_per_worker,
            "batches": self.batches,
            "batch_pairs": self.batch_pairs,
            "pairs_scored": self.pairs,
        }
        if self.backend == "pool":
            found["worker_restarts"] = self.restarts
        if self.backend == "ray":
            found["workers_lost"] = self.restarts
        if self.startup_s is not None:
            found["startup_s"] = round(self.startup_s, 3)
        return found


def score_journals(
    journals: dict[str, Journal],
    systems: dict[str, SystemInput],
    tallies: dict[str, Tally],
    *,
    ids: list[str],
    sources: list[tuple[str, list[Removed]]],
    rules: tuple[CleanRule, ...],
    metrics: list[Metric],
    recipes: list[Recipe],
    execution: Execution,
    progress: Callable[[str], None] = lambda message: None,
    meter: Meter | None = None,
) -> Ran:
    """Score every (example, system) pair missing from the journals and append the rows, in input order,
    counting each into its system's tally."""
    started = time.perf_counter()
    total = sum(
        1
        for example_id in ids
        for name in journals
        if example_id not in journals[name].done and example_id not in systems[name].generation_failures
    )
    backend: Backend | None = None
    try:
        whole = {name: _whole_call(metrics, systems[name], journals[name], ids, sources, rules) for name in journals}
        per_example = [(recipe, metric) for recipe, metric in zip(recipes, metrics) if metric.per_example()]
        backend, ran = _backend(per_example, execution, total)
        where = f"{backend.name} with {backend.workers} workers" if backend.name != "inline" else "this process"
        progress(f"scoring {total} pairs ({len(journals)} systems) in batches of {ran.batch_pairs} on {where}")
        if meter is not None:
            meter.start(total)
        ran.startup_s = getattr(backend, "startup_s", None)
        slots = _slots(journals, systems, ids, sources, rules)
        for batch, result in backend.map(_batches(slots, ran.batch_pairs)):
            written = _write(batch, result, journals, tallies, whole, ids, metrics)
            ran.batches += 1
            ran.pairs += written
            for name, seconds in result.seconds.items():
                ran.metric_seconds[name] = ran.metric_seconds.get(name, 0.0) + seconds
            ran.workers_cpu_s += result.cpu_s
            if meter is not None:
                meter.advance(written)
        ran.restarts = backend.restarts
    except (KeyboardInterrupt, HarnessError) as exc:
        for journal in journals.values():
            journal.close()
        stopped = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
        first = next(iter(journals.values())).path
        progress(
            f"{stopped}: {len(journals)} partial run(s) kept under {first.parent.parent}; "
            f"finish them all with: harness eval --resume {first}"
        )
        raise
    finally:
        if backend is not None:
            backend.close()
        if meter is not None:
            meter.close()
        for journal in journals.values():
            journal.close()
    for name, seconds in whole_seconds(whole).items():
        ran.metric_seconds[name] = ran.metric_seconds.get(name, 0.0) + seconds
    ran.score_s = time.perf_counter() - started
    return ran


def _backend(metrics: list[tuple[Recipe, Metric]], execution: Execution, pairs: int) -> tuple[Backend, Ran]:
    """The backend for this run, and the batch size: ``--workers 1``, or a run that fits in one batch, runs
    here, on the driver's metric objects (a pool costs a second or more to start); Ray runs whenever it is
    asked for."""
    recipes = [recipe for recipe, _ in metrics]
    cores = usable_cores()
    workers = execution.workers or cores
    # The pairs a worker gets at a time: 16 or more per worker, each worth far more than its ~1 ms to send.
    part = execution.batch_pairs or min(
        MAX_BATCH_PAIRS, max(MIN_BATCH_PAIRS, math.ceil(pairs / (workers * BATCHES_PER_WORKER)))
    )
    batches = math.ceil(pairs / part)
    batch_pairs = part
    if execution.backend == "ray":
        from harness.parallel.ray_backend import RayBackend

        ray = RayBackend(
            recipes,
            address=execution.ray_address,
            workers=execution.workers,
            max_failures=execution.max_failures,
            slack=part,
        )
        # As in the pool, each batch is split among the actors: a part for each.
        part = execution.batch_pairs or min(
            MAX_BATCH_PAIRS, max(MIN_BATCH_PAIRS, math.ceil(pairs / (ray.workers * BATCHES_PER_WORKER)))
        )
        ray.router.slack = part
        return ray, Ran("ray", ray.workers, 1, execution.batch_pairs or part * ray.workers)
    if workers == 1 or batches < 2 or not recipes:
        return InlineBackend([metric for _, metric in metrics]), Ran("inline", 1, cores, batch_pairs)
    workers = min(workers, batches)
    threads = max(1, cores // workers)
    # The pool splits each batch among its workers (by source affinity): a batch holds a part for each.
    batch_pairs = execution.batch_pairs or part * workers
    pool = PoolBackend(recipes, workers=workers, threads=threads, max_failures=execution.max_failures, slack=part)
    return pool, Ran("pool", workers, threads, batch_pairs)


def _whole_call(
    metrics: list[Metric],
    system: SystemInput,
    journal: Journal,
    ids: list[str],
    sources: list[tuple[str, list[Removed]]],
    rules: tuple[CleanRule, ...],
) -> dict[str, tuple[list[Outcome], float]]:
    """Scores of the metrics that need every example in one call: metric -> (outcome per example, seconds)."""
    found: dict[str, tuple[list[Outcome], float]] = {}
    wanted = [metric for metric in metrics if not metric.per_example()]
    if not wanted or all(example_id in journal.done for example_id in ids):
        return found
    kept = [i for i, example_id in enumerate(ids) if example_id not in system.generation_failures]
    texts = [sources[i][0] for i in kept]
    candidates = [clean_text(system.texts[ids[i]], rules)[0] for i in kept]
    for metric in wanted:
        started = time.perf_counter()
        outcomes: list[Outcome] = ["not scored"] * len(ids)
        try:
            rows, extra = metric.score_with_details(sources=texts, candidates=candidates)
        except HarnessError:
            raise  # a configuration error (a missing model, a bad option) fails every system alike: stop
        except Exception as exc:
            # Recorded on each example this system's call covered, as a per-example metric failure is: the
            # other metrics and systems go on, and run.json's failures say what happened.
            message = (
                f"failed when scoring all examples in one call (its scores depend on the whole set): {one_line(exc)}"
            )
            for index in kept:
                outcomes[index] = message
            found[metric.name] = (outcomes, time.perf_counter() - started)
            continue
        for position, index in enumerate(kept):
            problem = score_problem(metric, rows[position])
            outcomes[index] = problem if problem else (rows[position], None if extra is None else extra[position])
        found[metric.name] = (outcomes, time.perf_counter() - started)
    return found


def whole_seconds(whole: dict[str, dict[str, tuple[list[Outcome], float]]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for by_metric in whole.values():
        for name, (_, seconds) in by_metric.items():
            totals[name] = totals.get(name, 0.0) + seconds
    return totals


def _slots(
    journals: dict[str, Journal],
    systems: dict[str, SystemInput],
    ids: list[str],
    sources: list[tuple[str, list[Removed]]],
    rules: tuple[CleanRule, ...],
) -> Iterator[_Slot]:
    """Each example still missing somewhere, with its candidates cleaned as they are needed."""
    for index, example_id in enumerate(ids):
        slot = _Slot(index, *sources[index])
        for name, journal in journals.items():
            if example_id in journal.done:
                continue
            system = systems[name]
            if example_id in system.generation_failures:
                error = {"stage": system.failure_stage, "message": system.generation_failures[example_id]}
                slot.direct.append((name, {"id": example_id, "candidate": None, "error": error}))
                continue
            raw = system.texts[example_id]
            scored, removed = clean_text(raw, rules)
            slot.pairs.append(_Pair(name, raw, scored, removed))
        if slot.pairs or slot.direct:
            yield slot


def _batches(slots: Iterator[_Slot], batch_pairs: int) -> Iterator[tuple[list[_Slot], list[Chunk]]]:
    """Consecutive slots grouped into batches of about ``batch_pairs`` pairs (the slots ride along)."""
    batch: list[_Slot] = []
    chunks: list[Chunk] = []
    pairs = 0
    for slot in slots:
        batch.append(slot)
        if slot.pairs:
            chunks.append(Chunk(slot.source, tuple(pair.scored for pair in slot.pairs)))
            pairs += len(slot.pairs)
        if pairs >= batch_pairs:
            yield batch, chunks
            batch, chunks, pairs = [], [], 0
    if batch:
        yield batch, chunks


def _write(
    batch: list[_Slot],
    result: BatchResult,
    journals: dict[str, Journal],
    tallies: dict[str, Tally],
    whole: dict[str, dict[str, tuple[list[Outcome], float]]],
    ids: list[str],
    metrics: list[Metric],
) -> int:
    """Append a batch's rows to each system's journal (in input order) and make them durable."""
    results = iter(result.pairs)
    touched: set[str] = set()
    written = 0
    for slot in batch:
        outcomes: list[PairResult] = next(results) if slot.pairs else []
        for name, row in slot.direct:
            journals[name].append([row])
            tallies[name].add(row)
            touched.add(name)
        for pair, found in zip(slot.pairs, outcomes):
            for metric_name, (per_example, _) in whole[pair.system].items():
                found[metric_name] = per_example[slot.index]
            row = _row(ids[slot.index], pair, slot.source_removed, found, metrics)
            journals[pair.system].append([row])
            tallies[pair.system].add(row)
            touched.add(pair.system)
            written += 1
    for name in touched:
        journals[name].sync()
    return written


def _row(
    example_id: str, pair: _Pair, source_removed: list[Removed], found: PairResult, metrics: list[Metric]
) -> dict[str, Any]:
    """An example's row as ``examples.jsonl`` holds it; the first metric that failed on it makes it an error row."""
    scores: dict[str, float] = {}
    details: dict[str, Any] = {}
    error: dict[str, str] | None = None
    for metric in metrics:
        outcome = found[metric.name]
        if isinstance(outcome, str):
            error = error or {"stage": f"metric:{metric.name}", "message": outcome}
            continue
        values, detail = outcome
        scores.update(values)
        if detail is not None:
            details[metric.name] = detail
    row: dict[str, Any] = {"id": example_id, "candidate": pair.raw}
    if pair.scored != pair.raw:
        # Offsets in `details` point into the text that was scored: kept here when cleaning changed it.
        row["scored_candidate"] = pair.scored
    if error is not None:
        row["error"] = error
    else:
        row.update(scores)
    row["flags"] = [] if pair.scored.strip() else [EMPTY_CANDIDATE]
    row["removed"] = {
        "source": [r.to_json() for r in source_removed],
        "candidate": [r.to_json() for r in pair.removed],
    }
    row["details"] = details if error is None else {}
    return row


class Tally:
    """What a run's rows add up to, counted as they are written (and, on resume, as the kept ones are read
    back): scored examples' values, failures, cleaning, flags. Only numbers are kept, 8 bytes a value, so
    the driver's memory grows by about a hundred bytes an example, not by the rows."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        self.written: list[str] = []
        self.values = array("d")
        self.failures: dict[str, dict[str, str]] = {}
        self.removed_by_rule: dict[str, Counter[str]] = {"source": Counter(), "candidate": Counter()}
        self.empty: list[str] = []
        self.means: dict[str, float] = {}
        self.intervals: dict[str, list[float]] = {}
        # Tokens a model-calling metric reports per example (details.<metric>.tokens: the judge), summed.
        self.tokens: dict[str, Counter[str]] = {}

    @property
    def n_scored(self) -> int:
        return len(self.values) // len(self.keys) if self.keys else 0

    def add(self, row: dict[str, Any]) -> None:
        example_id = str(row["id"])
        self.written.append(example_id)
        if "error" in row:
            self.failures[example_id] = dict(row["error"])
            return
        self.values.extend(float(row[key]) for key in self.keys)
        for metric, detail in (row.get("details") or {}).items():
            spent = detail.get("tokens") if isinstance(detail, dict) else None
            if isinstance(spent, dict):
                self.tokens.setdefault(metric, Counter()).update(
                    {part: n for part, n in spent.items() if isinstance(n, int) and not isinstance(n, bool)}
                )
        if EMPTY_CANDIDATE in row.get("flags", []):
            self.empty.append(example_id)
        for side in ("source", "candidate"):
            self.removed_by_rule[side].update(item["rule"] for item in row.get("removed", {}).get(side, []))

    def summarise(self, *, resamples: int, seed: int) -> None:
        """Means (correctly rounded, as math.fsum gives them) and 95% intervals over the scored examples."""
        if not self.n_scored:
            return
        import numpy as np

        matrix = np.frombuffer(self.values, dtype=np.float64).reshape(self.n_scored, len(self.keys))
        self.means = {key: math.fsum(matrix[:, k].tolist()) / self.n_scored for k, key in enumerate(self.keys)}
        found = stats.bootstrap_intervals(matrix, resamples=resamples, seed=seed)
        self.intervals = {key: [interval.low, interval.high] for key, interval in zip(self.keys, found)}

    def failures_json(self) -> dict[str, Any]:
        """run.json's ``failures``: how many examples were left out of the scores, by stage, and which."""
        return {
            "n": len(self.failures),
            "by_stage": dict(sorted(Counter(error["stage"] for error in self.failures.values()).items())),
            "ids": list(self.failures),
        }
