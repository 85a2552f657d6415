"""``harness eval`` without the CLI: load a task, get each system's candidates, clean, score, write runs.

All candidates are produced (and their ids checked) before anything is scored, so a bad candidate file
fails in seconds; each system's run is written as soon as it is scored, so a later failure loses nothing
already written.
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__, stats
from harness.cleaning import Removed, clean_text
from harness.errors import HarnessError, where
from harness.provenance import environment, package_versions, project_commit
from harness.registry import Metric, build_metric, check_scores
from harness.store import new_run_id, write_run
from harness.systems import Candidates, SystemSpec, candidates_for
from harness.tasks import Dataset, MetricSpec, Task, load_examples

EMPTY_CANDIDATE = "empty_candidate"


@dataclass(frozen=True)
class RunOutcome:
    """What one system's run produced: where it was written, its means, and flagged examples."""

    system: str
    run_dir: Path
    means: dict[str, float]
    n_examples: int
    empty_candidates: list[str]


@dataclass(frozen=True)
class RunOptions:
    """How a run is made: where it is written, how many examples, and the seeded bootstrap's settings."""

    results_dir: Path = Path("results")
    limit: int | None = None
    seed: int = 1234
    resamples: int = stats.DEFAULT_RESAMPLES


def run_eval(
    task: Task,
    systems: dict[str, SystemSpec],
    *,
    metric_specs: tuple[MetricSpec, ...] | None = None,
    options: RunOptions = RunOptions(),
    progress: Callable[[str], None] = lambda message: None,
) -> list[RunOutcome]:
    """Evaluate every system on the task and write one run per system."""
    started = time.perf_counter()
    dataset = load_examples(task)
    all_ids = [example.id for example in dataset.examples]
    examples = dataset.examples[: options.limit] if options.limit else dataset.examples
    metrics = [build_metric(spec.name, spec.options) for spec in (metric_specs or task.metrics)]
    sources = [clean_text(example.source, task.clean) for example in examples]
    for example, (text, _) in zip(examples, sources):
        if not text.strip():
            raise HarnessError(
                f"{where(dataset.location, example.line)}: example {example.id!r}: "
                "the task's clean patterns removed the whole source"
            )
    load_s = time.perf_counter() - started

    produced: dict[str, tuple[Candidates, float]] = {}
    for name, spec in systems.items():
        begun = time.perf_counter()
        produced[name] = (candidates_for(spec, examples, all_ids), time.perf_counter() - begun)

    outcomes = []
    for name, spec in systems.items():
        progress(f"scoring {name} ({spec.spec}) on {len(examples)} examples of {task.name}")
        candidates, candidates_s = produced[name]
        outcomes.append(
            _run_one(
                task,
                dataset,
                examples,
                sources,
                name,
                spec,
                candidates,
                metrics,
                options,
                timings={"load_s": load_s, "candidates_s": candidates_s},
            )
        )
    return outcomes


def _run_one(
    task: Task,
    dataset: Dataset,
    examples: list[Any],
    sources: list[tuple[str, list[Removed]]],
    name: str,
    spec: SystemSpec,
    candidates: Candidates,
    metrics: list[Metric],
    options: RunOptions,
    timings: dict[str, Any],
) -> RunOutcome:
    started_at = datetime.now(UTC)
    begun = time.perf_counter()
    raw = [candidates.texts[example.id] for example in examples]
    cleaned = [clean_text(text, task.clean) for text in raw]
    scored_candidates = [text for text, _ in cleaned]
    empty = [e.id for e, text in zip(examples, scored_candidates) if not text.strip()]

    scores: list[dict[str, float]] = [{} for _ in examples]
    details: list[dict[str, Any]] = [{} for _ in examples]
    metric_seconds: dict[str, float] = {}
    for metric in metrics:
        tick = time.perf_counter()
        found, extra = metric.score_with_details(sources=[text for text, _ in sources], candidates=scored_candidates)
        check_scores(metric, found)
        metric_seconds[metric.name] = round(time.perf_counter() - tick, 6)
        for row, values in zip(scores, found):
            row.update(values)
        for index, detail in enumerate(extra or []):
            details[index][metric.name] = detail

    keys = [key for metric in metrics for key in metric.keys()]
    means = {key: math.fsum(row[key] for row in scores) / len(scores) for key in keys}
    intervals = stats.bootstrap_intervals(
        [[row[key] for key in keys] for row in scores], resamples=options.resamples, seed=options.seed
    )
    rows = []
    by_rule: dict[str, Counter[str]] = {"source": Counter(), "candidate": Counter()}
    for example, candidate, (_, source_removed), (scored, candidate_removed), row, detail in zip(
        examples, raw, sources, cleaned, scores, details
    ):
        for side, removed in (("source", source_removed), ("candidate", candidate_removed)):
            by_rule[side].update(r.rule for r in removed)
        rows.append(
            {
                "id": example.id,
                "candidate": candidate,
                # Offsets in `details` point into the text that was scored: kept here when cleaning changed it.
                **({"scored_candidate": scored} if scored != candidate else {}),
                **row,
                "flags": [EMPTY_CANDIDATE] if example.id in empty else [],
                "removed": {
                    "source": [r.to_json() for r in source_removed],
                    "candidate": [r.to_json() for r in candidate_removed],
                },
                "details": detail,
            }
        )

    run_id = new_run_id(started_at)
    ids_digest = hashlib.sha256("\n".join(e.id for e in examples).encode("utf-8")).hexdigest()
    run = {
        "schema": 1,
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "task": {
            "name": task.name,
            "version": task.version,
            "kind": task.kind,
            "file": str(task.path),
            "primary": task.primary,
            "data": task.data,
            "data_sha256": dataset.sha256,
            "n_examples_total": len(dataset.examples),
        },
        "system": {"name": name, "spec": spec.spec, "candidates_sha256": candidates.sha256},
        "examples": {"n": len(examples), "limit": options.limit, "ids_sha256": ids_digest},
        "metrics": {
            m.name: {"keys": m.keys(), "directions": {key: m.direction(key) for key in m.keys()}} for m in metrics
        },
        "signatures": {m.name: m.signature() for m in metrics},
        "means": means,
        "intervals": {key: [interval.low, interval.high] for key, interval in zip(keys, intervals)},
        "bootstrap": {
            "method": "percentile",
            "level": stats.DEFAULT_LEVEL,
            "resamples": options.resamples,
            "seed": options.seed,
        },
        "cleaning": {
            "rules": [{"name": r.name, "pattern": r.pattern.pattern} for r in task.clean],
            "removed_lines": {side: sum(counts.values()) for side, counts in by_rule.items()},
            "removed_by_rule": {side: dict(sorted(counts.items())) for side, counts in by_rule.items()},
        },
        "flags": {EMPTY_CANDIDATE: empty},
        "seed": options.seed,
        "timings": {
            **{k: round(v, 6) for k, v in timings.items()},
            "metrics_s": metric_seconds,
            "score_s": round(time.perf_counter() - begun, 6),
        },
        "packages": package_versions(),
        "project": project_commit(),
        "environment": environment(),
        "harness_version": __version__,
        "command": sys.argv,
    }
    run_dir = write_run(options.results_dir, task.name, name, run, rows)
    return RunOutcome(name, run_dir, means, len(examples), empty)
