"""``harness eval`` without the CLI: load a task, get each system's candidates, clean, score, write runs.

All candidates are produced (and their ids checked) before anything is scored, so a bad candidate file
fails in seconds. Then every system is scored together, source by source, on this process, a process pool
or Ray (:mod:`harness.parallel`), and each run's rows are written as they come: an interrupted eval leaves
partial runs that :func:`resume_eval` completes, and a finished run gets its run.json last.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.errors import HarnessError, where
from harness.generate.cache import default_path
from harness.generate.driver import GenerationSettings
from harness.generate.systems import Candidates, GenerationContext, SystemSpec, candidates_for, check_generating
from harness.parallel import Execution
from harness.parallel.engine import EMPTY_CANDIDATE, Meter, Ran, SystemInput, Tally, score_journals
from harness.parallel.journal import Journal, candidates_text, is_partial, reopen
from harness.parallel.journal import start as start_journal
from harness.parallel.work import Recipe
from harness.rank import stats
from harness.read.cleaning import Removed, clean_text
from harness.read.tasks import Dataset, MetricSpec, Task, load_examples, load_task
from harness.scoring.registry import Metric, build_metric
from harness.store.provenance import environment, package_versions, project_commit
from harness.store.store import new_run_id


@dataclass(frozen=True)
class RunOutcome:
    """What one system's run produced: where it was written, its means, and flagged examples."""

    system: str
    run_dir: Path
    means: dict[str, float]
    n_examples: int
    empty_candidates: list[str]
    # Examples a generating system failed on (id -> one-line error): recorded in the run, not scored.
    failures: dict[str, str] = field(default_factory=dict)
    # Examples a metric failed on (id -> "metric:NAME: message"): also recorded, not scored.
    metric_failures: dict[str, str] = field(default_factory=dict)
    # Task ids a file: system has no candidate for (--allow-missing): recorded, not scored.
    missing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunOptions:
    """How a run is made: where it is written, how many examples, and the seeded bootstrap's settings."""

    results_dir: Path = Path("results")
    limit: int | None = None
    seed: int = 1234
    resamples: int = stats.DEFAULT_RESAMPLES
    # Generating systems: the cache under results_dir (--no-cache, --refresh) and requests in flight.
    cache: bool = True
    refresh: bool = False
    concurrency: int = 4
    # Where scoring runs: --workers, --backend, --ray-address, --max-failures (harness.parallel).
    execution: Execution = Execution()
    # --allow-missing: a file: system's task ids without a candidate are recorded as missing, not an error.
    allow_missing: bool = False
    # The generation progress bar: None shows it when stderr is a terminal; --quiet makes it False.
    progress_bar: bool | None = None

    def generation(self) -> GenerationSettings:
        path = default_path(self.results_dir) if self.cache else None
        return GenerationSettings(
            cache_path=path, refresh=self.refresh, concurrency=self.concurrency, progress_bar=self.progress_bar
        )


def run_eval(
    task: Task,
    systems: dict[str, SystemSpec],
    *,
    metric_specs: tuple[MetricSpec, ...] | None = None,
    options: RunOptions = RunOptions(),
    progress: Callable[[str], None] = lambda message: None,
    meter: Meter | None = None,
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

    for name, spec in systems.items():
        check_generating(spec, name=name, task=str(task.path), prompt=task.prompt)
    produced: dict[str, tuple[Candidates, float]] = {}
    # Read or computed candidates first: a bad candidate file fails before any model is called.
    for name, spec in sorted(systems.items(), key=lambda item: item[1].generator is not None):
        begun = time.perf_counter()
        context, given = None, examples
        if spec.generator is not None:
            settings = options.generation()
            context = GenerationContext(name, str(task.path), task.prompt, dataset.location, settings, progress)
            # The prompt holds the source as it is scored: boilerplate the task cleans away is not rewritten.
            given = [replace(example, source=text) for example, (text, _) in zip(examples, sources)]
        found = candidates_for(spec, given, all_ids, generation=context, allow_missing=options.allow_missing)
        if found.failures and not found.texts:
            first_id, first = next(iter(found.failures.items()))
            what = "failed to generate" if spec.generator is not None else "have no candidate"
            raise HarnessError(
                f"system {name!r}: all {len(found.failures)} examples {what}, so no run is written; "
                f"example {first_id!r}: {first}"
            )
        produced[name] = (found, time.perf_counter() - begun)

    specs = metric_specs or task.metrics
    ids = [example.id for example in examples]
    started_at = datetime.now(UTC)
    run_ids = {name: new_run_id(started_at) for name in systems}
    # The runs of one eval are scored together: --resume on any of them finishes them all.
    group = [f"{task.name}/{name}/{run_id}" for name, run_id in run_ids.items()]
    journals: dict[str, Journal] = {}
    inputs: dict[str, SystemInput] = {}
    for name, spec in systems.items():
        candidates, candidates_s = produced[name]
        text = candidates_text((i, candidates.texts[i]) for i in ids if i not in candidates.failures)
        # A generating system's candidates stay in its run as candidates.jsonl, and are hashed as that file.
        generated = candidates.generation is not None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if generated else candidates.sha256
        plan = _plan(task, dataset, ids, name, spec.spec, digest, candidates, specs, metrics, options, run_ids[name])
        plan.update(
            started_at=started_at.isoformat(),
            timings={"load_s": load_s, "candidates_s": candidates_s},
            group=group,
        )
        journals[name] = start_journal(options.results_dir / task.name / name, run_ids[name], plan, text)
        inputs[name] = SystemInput(candidates.texts, dict(candidates.failures), _failure_stage(generated))
    return _score_and_finish(task, dataset, ids, sources, journals, inputs, specs, metrics, options, progress, meter)


def resume_eval(
    run_dir: Path,
    *,
    execution: Execution | None = None,
    progress: Callable[[str], None] = lambda message: None,
    meter: Meter | None = None,
) -> list[RunOutcome]:
    """Complete an interrupted ``harness eval``: the partial run at ``run_dir`` and the other runs started
    with it, scoring only the examples missing from each, with the task, candidates, metrics and seed it
    was started with (a task, data or metric that changed since is an error: start a new run instead)."""
    first = reopen(run_dir)
    plan = first.plan
    results_dir = run_dir.resolve().parents[2]
    journals: dict[str, Journal] = {}
    for relative in plan.get("group", []):
        path = results_dir / relative
        if path.resolve() == run_dir.resolve():
            journals[first.system] = first
        elif is_partial(path):
            other = reopen(path)
            journals[other.system] = other
    journals.setdefault(first.system, first)
    task = load_task(Path(plan["task"]["file"]))
    dataset = load_examples(task)
    limit = plan.get("limit")
    examples = dataset.examples[:limit] if limit else dataset.examples
    ids = [example.id for example in examples]
    sources = [clean_text(example.source, task.clean) for example in examples]
    specs = tuple(MetricSpec(m["name"], dict(m.get("options") or {})) for m in plan["metrics"])
    metrics = [build_metric(spec.name, spec.options) for spec in specs]
    for journal in journals.values():
        changed = _changed_since(journal.plan, task, dataset, ids, metrics)
        if changed:
            raise HarnessError(f"{journal.path}: cannot resume: {changed}; start a new run instead")
    options = RunOptions(
        results_dir=results_dir,
        limit=limit,
        seed=int(plan["seed"]),
        resamples=int(plan["resamples"]),
        execution=execution or Execution(),
    )
    inputs = {}
    for name, journal in journals.items():
        texts, failures = journal.candidates()
        inputs[name] = SystemInput(texts, failures, _failure_stage(journal.plan.get("generation") is not None))
        journal.plan["resumed_rows"] = len(journal.done)
    kept = sum(len(j.done) for j in journals.values())
    progress(f"resuming {len(journals)} runs of {task.name}: {kept} rows kept, scoring what is missing")
    return _score_and_finish(task, dataset, ids, sources, journals, inputs, specs, metrics, options, progress, meter)


def _failure_stage(generated: bool) -> str:
    """run.json's stage of an example a system gave no candidate for: its generation failed, or (a file:
    system with --allow-missing) its file has none."""
    return "generate" if generated else "missing"


def _plan(
    task: Task,
    dataset: Dataset,
    ids: list[str],
    name: str,
    spec: str,
    candidates_sha256: str | None,
    candidates: Candidates,
    specs: tuple[MetricSpec, ...],
    metrics: list[Metric],
    options: RunOptions,
    run_id: str,
) -> dict[str, Any]:
    """Everything a run needs to be written, and resumed: recorded in partial.json when scoring starts."""
    return {
        "schema": 1,
        "run_id": run_id,
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
        "clean": [{"name": r.name, "pattern": r.pattern.pattern} for r in task.clean],
        "system": {"name": name, "spec": spec, "candidates_sha256": candidates_sha256},
        "generation": candidates.generation,
        "generation_failures": dict(candidates.failures),
        "metrics": [
            {"name": s.name, "options": dict(s.options), "signature": m.signature()} for s, m in zip(specs, metrics)
        ],
        # Over every example attempted, failed ones included: runs with and without failures stay comparable.
        "ids_sha256": hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest(),
        "limit": options.limit,
        "seed": options.seed,
        "resamples": options.resamples,
        "command": sys.argv,
    }


def _changed_since(plan: dict[str, Any], task: Task, dataset: Dataset, ids: list[str], metrics: list[Metric]) -> str:
    """What changed since a partial run was started that would make its rows differ, or ''."""
    if str(task.version) != str(plan["task"]["version"]):
        return f"the task's version is {task.version!r} now, {plan['task']['version']!r} then"
    if dataset.sha256 != plan["task"]["data_sha256"]:
        return "the task's data changed (data_sha256)"
    if hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest() != plan["ids_sha256"]:
        return "the task's example ids changed"
    if [{"name": r.name, "pattern": r.pattern.pattern} for r in task.clean] != plan["clean"]:
        return "the task's clean rules changed"
    for metric, recorded in zip(metrics, plan["metrics"]):
        if metric.signature() != recorded["signature"]:
            return f"metric {metric.name} has signature {metric.signature()} now, {recorded['signature']} then"
    return ""


def _score_and_finish(
    task: Task,
    dataset: Dataset,
    ids: list[str],
    sources: list[tuple[str, list[Removed]]],
    journals: dict[str, Journal],
    inputs: dict[str, SystemInput],
    specs: tuple[MetricSpec, ...],
    metrics: list[Metric],
    options: RunOptions,
    progress: Callable[[str], None],
    meter: Meter | None,
) -> list[RunOutcome]:
    """Score what the journals lack (:mod:`harness.parallel.engine`), then turn each into a complete run."""
    recipes = [Recipe(type(metric), dict(spec.options)) for metric, spec in zip(metrics, specs)]
    keys = [key for metric in metrics for key in metric.keys()]
    tallies = {name: Tally(keys) for name in journals}
    for name, journal in journals.items():
        if journal.done:  # resumed: count the rows kept, in file order, before the new ones
            for row in journal.rows():
                tallies[name].add(row)
    ran = score_journals(
        journals,
        inputs,
        tallies,
        ids=ids,
        sources=sources,
        rules=task.clean,
        metrics=metrics,
        recipes=recipes,
        execution=options.execution,
        progress=progress,
        meter=meter,
    )
    outcomes: list[RunOutcome] = []
    empty_runs: list[str] = []
    for name, journal in journals.items():
        counted = tallies[name]
        counted.summarise(resamples=options.resamples, seed=options.seed)
        if counted.n_scored == 0:
            first_id, error = next(iter(counted.failures.items()))
            empty_runs.append(
                f"system {name!r}: every example failed ({counted.failures_json()['by_stage']}), so no run is "
                f"written; example {first_id!r}: {error['stage']}: {error['message']}"
            )
            shutil.rmtree(journal.path, ignore_errors=True)
            continue
        run = _record(journal.plan, metrics, counted, ran)
        keep = journal.plan.get("generation") is not None
        run_dir = journal.finish(run, written=counted.written, order=ids, keep_candidates=keep)
        by_stage = {
            stage: {i: e["message"] for i, e in counted.failures.items() if e["stage"] == stage}
            for stage in ("generate", "missing")
        }
        scoring = {
            i: f"{e['stage']}: {e['message']}"
            for i, e in counted.failures.items()
            if e["stage"] not in ("generate", "missing")
        }
        outcomes.append(
            RunOutcome(
                name,
                run_dir,
                counted.means,
                counted.n_scored,
                counted.empty,
                by_stage["generate"],
                scoring,
                by_stage["missing"],
            )
        )
    if empty_runs:
        # The other systems' runs are complete and kept: say where, as the error is all the user sees.
        written = f"; written: {', '.join(str(o.run_dir) for o in outcomes)}" if outcomes else ""
        raise HarnessError("; ".join(empty_runs) + written)
    return outcomes


def _record(plan: dict[str, Any], metrics: list[Metric], counted: Tally, ran: Ran) -> dict[str, Any]:
    """run.json, from the run's plan, its rows' tally and how it ran."""
    by_rule = counted.removed_by_rule
    timings = dict(plan.get("timings") or {"load_s": 0.0, "candidates_s": 0.0})
    execution = ran.to_json()
    if "resumed_rows" in plan:
        execution["resumed_rows"] = plan["resumed_rows"]  # timings are those of the session that finished it
    return {
        "schema": 1,
        "run_id": plan["run_id"],
        "started_at": plan["started_at"],
        "task": plan["task"],
        "system": plan["system"],
        "examples": {"n": counted.n_scored, "limit": plan["limit"], "ids_sha256": plan["ids_sha256"]},
        "metrics": {
            m.name: {
                "keys": m.keys(),
                "directions": {key: m.direction(key) for key in m.keys()},
                # What a compact leaderboard shows, recorded so leaderboards built from files know it.
                "headline": m.headline_keys(),
            }
            for m in metrics
        },
        "signatures": {m.name: m.signature() for m in metrics},
        # What the answers of a model-calling metric cost (the judge), cached answers at what they first cost.
        **({"metric_tokens": {m: dict(c) for m, c in counted.tokens.items()}} if counted.tokens else {}),
        "means": counted.means,
        "intervals": counted.intervals,
        "bootstrap": {
            "method": "percentile",
            "level": stats.DEFAULT_LEVEL,
            "resamples": plan["resamples"],
            "seed": plan["seed"],
        },
        "cleaning": {
            "rules": plan["clean"],
            "removed_lines": {side: sum(counts.values()) for side, counts in by_rule.items()},
            "removed_by_rule": {side: dict(sorted(counts.items())) for side, counts in by_rule.items()},
        },
        "flags": {EMPTY_CANDIDATE: counted.empty},
        # Examples left out of every score and mean: a generating system's or a metric's failures.
        "failures": counted.failures_json(),
        **({"generation": plan["generation"]} if plan.get("generation") is not None else {}),
        "seed": plan["seed"],
        "timings": {
            **{k: round(float(v), 6) for k, v in timings.items()},
            # Summed over workers and shared by the systems scored together.
            "metrics_s": {k: round(v, 6) for k, v in ran.metric_seconds.items()},
            "workers_cpu_s": round(ran.workers_cpu_s, 6),
            "score_s": round(ran.score_s, 6),
        },
        "execution": execution,
        "packages": package_versions(),
        "project": project_commit(),
        "environment": environment(),
        "harness_version": __version__,
        "command": plan["command"],
    }
