"""Compare two runs on their common examples and decide a regression gate (``harness compare``).

For every key of the metrics both runs share, the candidate-minus-baseline difference of the means on the
example ids both runs scored, with its paired percentile bootstrap interval (Koehn 2004) and the paired
approximate randomisation p-value, both from :mod:`harness.rank.stats` (one set of resamples shared by every
key). Runs are compared only when their task, task version, data and the signatures of the shared metrics
agree and their ids overlap; otherwise :class:`~harness.errors.HarnessError` says which differs.

Gates:

- ``max_drop`` KEY=DELTA fails when the *whole* interval lies below -DELTA (above +DELTA for a key where
  lower is better): the drop is both larger than allowed and not noise. With DELTA=0 this is a one-sided test
  at (1 - level) / 2, so a candidate that differs from the baseline only by noise fails about 2.5% of the time.
- ``min`` KEY=VALUE fails when the candidate's mean (the one its ``run.json`` reports) is below VALUE.
- ``max_count`` NAME=N fails when more than N of the candidate's examples have a finding NAME (``METRIC:KIND``,
  :mod:`harness.rank.findings`, e.g. ``quotes:fabricated``); a bare numeric discrepancy kind (``scale``, ``missing``,
  the names from before findings) counts ``details.numeric.discrepancies`` of that kind. Every such example is
  named with what was found.

Findings are compared too: for every finding name either run has, the examples with it among the common ids
in each run, the change in that rate with its paired bootstrap interval and the paired permutation p (each
example a 0/1 indicator), from the same resamples as the keys.

With no gate at all the default is ``max_drop`` of 0 on the task's primary key. Nothing here prints or exits;
:mod:`harness.gate.junit` renders the verdicts for CI.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.gate.config import Gate
from harness.rank import findings, stats
from harness.read.tasks import load_task
from harness.store.store import RUN_FILE, StoredRun, examples_by_id, read_runs


def read_run(path: Path) -> StoredRun:
    """One run directory (holding ``run.json``)."""
    try:
        meta = json.loads((path / RUN_FILE).read_text(encoding="utf-8"))
        str(meta["task"]["name"]), str(meta["system"]["name"]), dict(meta["means"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise HarnessError(f"{path / RUN_FILE}: unreadable run ({type(exc).__name__}: {exc})") from None
    return StoredRun(path, meta)


def resolve_run(path: Path, *, system: str | None = None, task: str | None = None) -> StoredRun:
    """A run directory as given, or the newest run of ``system`` (of ``task``) under a results directory."""
    if (path / RUN_FILE).is_file():
        return read_run(path)
    if not path.is_dir():
        raise HarnessError(f"{path}: not found (give a run directory, or a results directory with --system)")
    if system is None:
        raise HarnessError(f"{path}: no {RUN_FILE} here; give a run directory, or a results directory with --system")
    runs, _ = read_runs(path, task)
    matching = [run for run in runs if run.system == system]
    if not matching:
        hint = did_you_mean(system, [run.system for run in runs])
        raise HarnessError(f"{path}: no run of system {system!r}{' in task ' + repr(task) if task else ''}{hint}")
    tasks = sorted({run.task for run in matching})
    if len(tasks) > 1:
        raise HarnessError(f"{path}: system {system!r} has runs of several tasks ({', '.join(tasks)}); pass --task")
    return matching[-1]  # run ids sort by time: the newest


@dataclass(frozen=True)
class KeyDiff:
    """One key's candidate-minus-baseline difference on the common examples."""

    key: str
    direction: str
    baseline: float
    candidate: float
    difference: stats.Interval
    p: float


@dataclass(frozen=True)
class FindingDiff:
    """One finding's examples on the common ids in each run, and the change in its rate (lower is better)."""

    name: str
    baseline: int
    candidate: int
    n: int
    difference: stats.Interval  # of the rate, candidate - baseline
    p: float


@dataclass
class Comparison:
    """Two comparable runs, their common example ids and every shared key's paired difference."""

    baseline: StoredRun
    candidate: StoredRun
    ids: list[str]
    only_baseline: int
    only_candidate: int
    keys: list[KeyDiff]
    candidate_rows: list[dict[str, Any]]
    skipped_metrics: list[str]
    resamples: int
    seed: int
    level: float
    findings: list[FindingDiff] = field(default_factory=list)

    def key(self, name: str) -> KeyDiff:
        for found in self.keys:
            if found.key == name:
                return found
        raise HarnessError(f"key {name!r} is not compared here{did_you_mean(name, [k.key for k in self.keys])}")


def comparability_problem(baseline: StoredRun, candidate: StoredRun) -> str | None:
    """Why two runs cannot be compared, or None."""
    ours, theirs = baseline.meta, candidate.meta
    if ours["task"]["name"] != theirs["task"]["name"]:
        return f"the tasks differ: baseline {ours['task']['name']!r}, candidate {theirs['task']['name']!r}"
    if ours["task"].get("version") != theirs["task"].get("version"):
        return (
            f"task versions differ: baseline {ours['task'].get('version')!r}, "
            f"candidate {theirs['task'].get('version')!r}; re-run the baseline on the current task"
        )
    if ours["task"].get("data_sha256") != theirs["task"].get("data_sha256"):
        return "the task data differs (data_sha256) though the task version is the same; bump the task's version"
    sig_b, sig_c = ours.get("signatures", {}), theirs.get("signatures", {})
    shared = sorted(set(sig_b) & set(sig_c))
    if not shared:
        return f"no metric in common (baseline: {', '.join(sorted(sig_b))}; candidate: {', '.join(sorted(sig_c))})"
    for name in shared:
        if sig_b[name] != sig_c[name]:
            return f"metric signatures differ for {name}: baseline {sig_b[name]} vs candidate {sig_c[name]}"
    return None


def _directions(run: StoredRun, name: str) -> dict[str, str]:
    info = run.meta.get("metrics", {}).get(name, {})
    keys = info.get("keys") or []
    return {key: str(info.get("directions", {}).get(key, "higher")) for key in keys}


def compare_runs(
    baseline: StoredRun,
    candidate: StoredRun,
    *,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = 1234,
    level: float = stats.DEFAULT_LEVEL,
) -> Comparison:
    """Paired differences (candidate - baseline) on every key of the shared metrics, or why not."""
    problem = comparability_problem(baseline, candidate)
    if problem:
        raise HarnessError(f"cannot compare {baseline.path} with {candidate.path}: {problem}")
    rows_b, rows_c = examples_by_id(baseline.path), examples_by_id(candidate.path)
    # An example with an error row (its generation or a metric failed) has no scores: pair what both scored.
    scored_b, scored_c = ([i for i, row in rows.items() if "error" not in row] for rows in (rows_b, rows_c))
    in_candidate = set(scored_c)
    ids = [i for i in scored_b if i in in_candidate]
    if not ids:
        raise HarnessError(
            f"cannot compare {baseline.path} with {candidate.path}: no example ids in common "
            f"(baseline: {', '.join(list(rows_b)[:3])}…; candidate: {', '.join(list(rows_c)[:3])}…)"
        )
    sig_b, sig_c = baseline.meta.get("signatures", {}), candidate.meta.get("signatures", {})
    shared = sorted(set(sig_b) & set(sig_c), key=list(sig_c).index)
    directions = {key: d for name in shared for key, d in _directions(candidate, name).items()}
    keys = list(directions)
    matrices = []
    for run, rows in ((baseline, rows_b), (candidate, rows_c)):
        try:
            matrices.append([[float(rows[i][key]) for key in keys] for i in ids])
        except (KeyError, TypeError, ValueError) as exc:
            raise HarnessError(f"{run.path}: examples.jsonl lacks a numeric score ({exc})") from None
    # Findings as 0/1 columns beside the keys: one set of resamples for both (the same seed draws the same
    # example counts whatever the number of columns).
    found_b, found_c = (findings.found_by_id(rows[i] for i in ids)[0] for rows in (rows_b, rows_c))
    names = findings.with_totals(
        set(findings.declared(shared)) | {n for found in (found_b, found_c) for mine in found.values() for n in mine}
    )
    for matrix, found in zip(matrices, (found_b, found_c), strict=True):
        for row, i in zip(matrix, ids, strict=True):
            row.extend(1.0 if findings.has(name, found[i]) else 0.0 for name in names)
    intervals = stats.paired_bootstrap(matrices[1], matrices[0], resamples=resamples, level=level, seed=seed)
    pvalues = stats.permutation_test(matrices[1], matrices[0], resamples=resamples, seed=seed)
    means_b, means_c = ([math.fsum(column) / len(ids) for column in zip(*m, strict=True)] for m in matrices)
    diffs = [
        KeyDiff(key, directions[key], float(b), float(c), interval, p)
        for key, b, c, interval, p in zip(keys, means_b, means_c, intervals, pvalues)
    ]
    finding_diffs = [
        FindingDiff(name, round(b * len(ids)), round(c * len(ids)), len(ids), interval, p)
        for name, b, c, interval, p in zip(
            names, means_b[len(keys) :], means_c[len(keys) :], intervals[len(keys) :], pvalues[len(keys) :]
        )
    ]
    return Comparison(
        baseline=baseline,
        candidate=candidate,
        ids=ids,
        only_baseline=len(scored_b) - len(ids),
        only_candidate=len(scored_c) - len(ids),
        keys=diffs,
        candidate_rows=list(rows_c.values()),
        skipped_metrics=sorted((set(sig_b) | set(sig_c)) - set(shared)),
        resamples=resamples,
        seed=seed,
        level=level,
        findings=finding_diffs,
    )


@dataclass(frozen=True)
class ExampleFailure:
    """An example that breaks a hard check, with its discrepancies in words."""

    id: str
    message: str


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict."""

    name: str
    passed: bool
    detail: str
    examples: tuple[ExampleFailure, ...] = ()


def default_gate(comparison: Comparison) -> Gate:
    """The gate used when none is given: no real drop on the task's primary key."""
    primary = str(comparison.candidate.meta["task"].get("primary", ""))
    return Gate(max_drop={primary: 0.0}) if primary in [k.key for k in comparison.keys] else Gate()


def _figure(span: dict[str, Any] | None) -> str:
    return f'"{span["text"]}"' if span else "none"


def describe(discrepancy: dict[str, Any]) -> str:
    """A discrepancy in words, e.g. ``scale: "£500bn" where the source has "£500m"``."""
    kind, cand, source = discrepancy.get("kind"), discrepancy.get("candidate"), discrepancy.get("source")
    if kind == "missing":
        return f"missing: the source's {_figure(source)} is not in the candidate"
    if kind == "unsupported":
        closest = f"closest in the source: {_figure(source)}" if source else "the source has no such figure"
        return f"unsupported: {_figure(cand)} ({closest})"
    return f"{kind}: {_figure(cand)} where the source has {_figure(source)}"


def evaluate_gate(comparison: Comparison, gate: Gate) -> list[GateResult]:
    """Every gate's verdict; a key or kind the runs cannot answer is a configuration error."""
    results: list[GateResult] = []
    for key, delta in gate.max_drop.items():
        found = comparison.key(key)
        if found.direction == "none":
            raise HarnessError(f"max-drop {key}: {key} is a count with no better direction; gate it with min instead")
        ci = found.difference
        shown = f"difference {ci.mean:+.4f}, {comparison.level:.0%} CI [{ci.low:+.4f}, {ci.high:+.4f}]"
        if found.direction == "lower":
            failed, bound = ci.low > delta, f"above +{delta:g} (lower is better)"
        else:
            failed, bound = ci.high < -delta, f"below {-delta:g}" if delta else "below 0"
        verdict = f"lies wholly {bound}" if failed else f"does not lie wholly {bound}"
        results.append(GateResult(f"max-drop {key}={delta:g}", not failed, f"{shown} {verdict}"))
    for key, floor in gate.min.items():
        comparison.key(key)
        mean = float(comparison.candidate.meta["means"][key])
        passed = mean >= floor
        results.append(
            GateResult(f"min {key}={floor:g}", passed, f"candidate mean {mean:.4f} {'>=' if passed else '<'} {floor:g}")
        )
    ran = comparison.candidate.meta.get("metrics", {})
    for name, allowed in gate.max_count.items():
        metric = name.split(":")[0] if ":" in name else "numeric"
        if metric not in ran:
            raise HarnessError(f"max-count {name}: needs the {metric} metric, and the candidate run has no {metric}")
        broken = _count_broken(comparison.candidate_rows, name)
        passed = len(broken) <= allowed
        named = f": {', '.join(e.id for e in broken[:10])}{'…' if len(broken) > 10 else ''}" if broken else ""
        what = f"a finding {name}" if ":" in name else f"a discrepancy of kind {name}"
        detail = f"{len(broken)} example(s) with {what}, {allowed} allowed{named}"
        results.append(GateResult(f"max-count {name}={allowed}", passed, detail, tuple(broken)))
    return results


def _count_broken(rows: list[dict[str, Any]], name: str) -> list[ExampleFailure]:
    """The scored rows with finding ``name`` (METRIC:KIND), or with a numeric discrepancy of kind ``name``."""
    broken = []
    for row in rows:
        if ":" in name:
            found = [(n, what) for n, whats in findings.example_findings(row).items() for what in whats]
            found = [(n, what) for n, what in found if findings.has(name, [n])]
            if found:
                broken.append(ExampleFailure(str(row["id"]), "; ".join(f"{n}: {what}" for n, what in found)))
            continue
        found_all = ((row.get("details") or {}).get("numeric") or {}).get("discrepancies") or []
        of_kind = [d for d in found_all if d.get("kind") == name]
        if of_kind:
            broken.append(ExampleFailure(str(row["id"]), "; ".join(describe(d) for d in of_kind)))
    return broken


def task_gate(run: StoredRun) -> tuple[Gate, str | None]:
    """The ``gate:`` of the task file a run recorded, and a note when that file is gone."""
    if not run.meta["task"].get("file"):
        return Gate(), None
    path = Path(str(run.meta["task"]["file"]))
    if not path.is_file():
        return Gate(), f"task file {path} not found: its gate: section (if any) is not applied"
    task = load_task(path)
    if str(task.version) != str(run.meta["task"].get("version")):
        raise HarnessError(
            f"{path}: task version {task.version!r}, but the runs are of version "
            f"{run.meta['task'].get('version')!r}: re-run them, or gate with flags from another checkout"
        )
    return task.gate, None
