"""Leaderboards built from run files only (as HELM does): the latest run per system, ranked by the task's
primary key, among runs that are comparable, with intervals and significance groups.

Two runs are comparable when their task version, metric signatures and scored examples (data hash and ids)
agree. The comparable group with the most runs (ties: the newest) is ranked; every other run is listed
below it with the reason it was left out.

Each mean carries the 95% percentile bootstrap interval its run recorded. For every key with a better
direction, the best system is compared with each other ranked system on the same example ids by the paired
approximate randomisation test of :mod:`harness.rank.stats`, Holm-corrected over those comparisons; the systems
whose adjusted p is at least alpha form the top group (not significantly different from the best).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.rank import findings as named_findings
from harness.rank import stats
from harness.store.store import BrokenRun, StoredRun, examples_by_id, examples_problem, scan_runs


@dataclass(frozen=True)
class Significance:
    """How a leaderboard's significance groups were decided."""

    resamples: int
    seed: int
    alpha: float = stats.DEFAULT_ALPHA
    test: str = "paired approximate randomisation"
    correction: str = "holm"

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "resamples": self.resamples,
            "seed": self.seed,
            "alpha": self.alpha,
            "correction": self.correction,
        }


@dataclass
class Board:
    """One task's leaderboard."""

    task: str
    primary: str
    keys: list[str]
    ranked: list[StoredRun]
    excluded: list[tuple[StoredRun, str]] = field(default_factory=list)
    directions: dict[str, str] = field(default_factory=dict)
    # key -> systems not significantly different from the best on that key (the best included)
    top: dict[str, set[str]] = field(default_factory=dict)
    # key -> system -> Holm-adjusted p-value of its difference from the best (the best has none)
    p_values: dict[str, dict[str, float]] = field(default_factory=dict)
    significance: Significance | None = None
    # The example ids every ranked run scored (a generating system may have failed on some): significance
    # tests pair the runs on these.
    common_ids: list[str] = field(default_factory=list)
    # Runs of this task whose run.json or examples.jsonl is broken, left out with --skip-broken ("not ranked").
    broken: list[BrokenRun] = field(default_factory=list)
    # system -> finding name (METRIC:KIND) -> the examples with at least one (harness.rank.findings), every name
    # that any ranked run has or that its metrics' rules declare, so a 0 is shown as 0.
    findings: dict[str, dict[str, named_findings.Count]] = field(default_factory=dict)
    # system -> metric -> the examples with at least one finding of any of its kinds
    finding_totals: dict[str, dict[str, named_findings.Count]] = field(default_factory=dict)

    def finding_names(self) -> list[str]:
        """The finding names of this board, grouped by metric in the order the runs recorded the metrics."""
        names = {name for counts in self.findings.values() for name in counts}
        order = list(self.metric_keys())
        return sorted(names, key=lambda n: (order.index(n.split(":")[0]) if n.split(":")[0] in order else 99, n))

    def finding_metrics(self) -> list[str]:
        """The metrics with findings on this board, in board order."""
        return list(dict.fromkeys(name.split(":")[0] for name in self.finding_names()))

    def failed(self, run: StoredRun) -> int:
        """Examples the run attempted but could not score (their generation or a metric failed)."""
        return int(run.meta.get("failures", {}).get("n", 0))

    def interval(self, run: StoredRun, key: str) -> tuple[float, float] | None:
        found = run.meta.get("intervals", {}).get(key)
        return (float(found[0]), float(found[1])) if found else None

    def metric_keys(self) -> dict[str, list[str]]:
        """Metric name -> its keys on this board, as the ranked runs recorded them in ``run.json``."""
        recorded = self.ranked[0].meta.get("metrics", {}) if self.ranked else {}
        return {name: [key for key in info.get("keys", []) if key in self.keys] for name, info in recorded.items()}

    def headline(self) -> list[str]:
        """The compact key set, in board order: the primary key and each metric's headline keys (recorded in
        ``run.json``; all keys of a metric whose run recorded none)."""
        recorded = self.ranked[0].meta.get("metrics", {}) if self.ranked else {}
        if not recorded:
            return list(self.keys)
        chosen = {self.primary}
        for info in recorded.values():
            chosen.update(info.get("headline", info.get("keys", [])))
        return [key for key in self.keys if key in chosen]

    def select(self, names: list[str]) -> list[str]:
        """The keys named by ``names`` (keys or metric names) that this board has, in board order."""
        by_metric = self.metric_keys()
        chosen = {key for name in names for key in by_metric.get(name, [name])}
        return [key for key in self.keys if key in chosen]


def check_key_names(boards: list[Board], names: list[str]) -> None:
    """Reject a ``--keys`` name that is neither a key nor a metric of any board, with the closest name."""
    known = {key for board in boards for key in board.keys} | {m for board in boards for m in board.metric_keys()}
    if not names:
        raise HarnessError("--keys needs at least one key or metric name, e.g. --keys rouge,bertscore_f")
    for name in names:
        if name not in known:
            raise HarnessError(f"--keys: unknown key or metric {name!r}{did_you_mean(name, known)}")


def _comparable(run: StoredRun) -> tuple[Any, ...]:
    meta = run.meta
    return (
        json.dumps(meta["task"].get("version")),
        json.dumps(meta.get("signatures", {}), sort_keys=True),
        meta["task"].get("data_sha256"),
        meta.get("examples", {}).get("ids_sha256"),
    )


def _difference(run: StoredRun, reference: StoredRun) -> str:
    ours, theirs = run.meta, reference.meta
    if ours["task"].get("version") != theirs["task"].get("version"):
        return f"task version {ours['task'].get('version')!r} differs from {theirs['task'].get('version')!r}"
    sig_ours, sig_theirs = ours.get("signatures", {}), theirs.get("signatures", {})
    for name in sorted(set(sig_ours) | set(sig_theirs)):
        if sig_ours.get(name) != sig_theirs.get(name):
            ours_sig, theirs_sig = sig_ours.get(name) or "not run", sig_theirs.get(name) or "not run"
            return f"metric signature differs: {name}: {ours_sig} vs {theirs_sig}"
    if ours["task"].get("data_sha256") != theirs["task"].get("data_sha256"):
        return "task data differs (data_sha256)"
    return f"scored other examples ({ours['examples'].get('n')} vs {theirs['examples'].get('n')}; --limit?)"


def _directions(run: StoredRun) -> dict[str, str]:
    """Per-key better direction recorded by the run (runs without it: higher is better)."""
    found: dict[str, str] = {}
    for info in run.meta.get("metrics", {}).values():
        found.update(info.get("directions", {}))
    return found


def build_boards(
    results_dir: Path,
    task: str | None = None,
    *,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int | None = None,
    alpha: float = stats.DEFAULT_ALPHA,
    skip_broken: bool = False,
) -> tuple[list[Board], list[str]]:
    """Leaderboards for every task under ``results_dir`` (or one task), and any partial-run messages.

    ``seed`` defaults to the seed the ranked runs recorded, so a leaderboard is reproducible from its files.
    A run whose ``run.json`` or (ranked) ``examples.jsonl`` is broken is an error naming the file, unless
    ``skip_broken``: then the others are ranked and it is listed in its board's ``broken``.
    """
    runs, broken, problems = scan_runs(results_dir, task)
    _stop_unless_skipped(broken, skip_broken)
    if task and not runs:
        raise HarnessError(f"{results_dir}: no runs of task {task!r}")
    latest: dict[tuple[str, str], StoredRun] = {}
    for run in runs:
        key = (run.task, run.system)
        if key not in latest or run.meta.get("started_at", "") > latest[key].meta.get("started_at", ""):
            latest[key] = run
    boards = []
    for task_name in sorted({t for t, _ in latest}):
        members = [r for (t, _), r in latest.items() if t == task_name]
        counts = Counter(_comparable(r) for r in members)
        newest = {k: max(r.meta.get("started_at", "") for r in members if _comparable(r) == k) for k in counts}
        chosen = max(counts, key=lambda k: (counts[k], newest[k]))
        ranked = [r for r in members if _comparable(r) == chosen]
        # Only the ranked runs' examples are read (for significance, findings and the report): check those.
        unreadable = [found for found in map(examples_problem, ranked) if found is not None]
        _stop_unless_skipped(unreadable, skip_broken)
        broken += unreadable
        ranked = [r for r in ranked if r.path not in {b.path for b in unreadable}]
        if not ranked:
            continue
        reference = ranked[0]
        primary = str(reference.meta["task"].get("primary", ""))
        keys = list(reference.meta["means"])
        if primary not in keys:
            primary = keys[0] if keys else primary
        ranked.sort(key=lambda r: (-r.meta["means"].get(primary, float("-inf")), r.system))
        excluded = [(r, _difference(r, reference)) for r in members if _comparable(r) != chosen]
        excluded.sort(key=lambda item: item[0].system)
        board = Board(task_name, primary, keys, ranked, excluded, directions=_directions(reference))
        board.broken = sorted((b for b in broken if b.task == task_name), key=lambda b: (b.system, str(b.path)))
        chosen_seed = seed if seed is not None else int(reference.meta.get("seed", 1234))
        rows = {run.system: examples_by_id(run.path) for run in board.ranked}
        _add_significance(board, Significance(resamples, chosen_seed, alpha), rows)
        _add_findings(board, rows)
        boards.append(board)
    shown = {board.task for board in boards}  # a broken run of a task with no board is still named
    problems += [f"not ranked: {b.system} ({b.path}): {b.reason}" for b in broken if b.task not in shown]
    return boards, problems


def _stop_unless_skipped(broken: list[BrokenRun], skip_broken: bool) -> None:
    """The error for broken runs: the first named with what is wrong, and how to rank the rest anyway."""
    if broken and not skip_broken:
        more = f" (and {len(broken) - 1} more broken runs)" if len(broken) > 1 else ""
        raise HarnessError(f"{broken[0]}{more}; --skip-broken ranks the other runs and lists this one as not ranked")


def _add_findings(board: Board, rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Fill ``board.findings`` and ``board.finding_totals`` from each run's scored examples."""
    found = {run.system: named_findings.found_by_id(rows[run.system].values()) for run in board.ranked}
    names = set(named_findings.declared(board.metric_keys()))
    names |= {name for mine, _ in found.values() for row in mine.values() for name in row}
    for system, (mine, n) in found.items():
        board.findings[system] = named_findings.counts(mine, n, names)
    for system, (mine, n) in found.items():
        board.finding_totals[system] = {m: named_findings.metric_count(mine, n, m) for m in board.finding_metrics()}


def _add_significance(board: Board, settings: Significance, rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Fill ``board.top`` and ``board.p_values`` from the runs' per-example scores (aligned by id)."""
    board.significance = settings
    order = list(rows[board.ranked[0].system])
    for run in board.ranked:
        if set(rows[run.system]) != set(order):
            raise HarnessError(f"{run.path}: examples.jsonl does not hold the ids its run.json describes")
    # Rows with an error (a failed generation or metric) have no scores: pair the runs on what all scored.
    order = [i for i in order if not any("error" in rows[run.system][i] for run in board.ranked)]
    board.common_ids = order
    if not order:
        return
    scores: dict[str, dict[str, list[float]]] = {}
    for run in board.ranked:
        by_id = rows[run.system]
        scores[run.system] = {key: [float(by_id[i][key]) for i in order] for key in board.keys}
    for key in board.keys:
        direction = board.directions.get(key, "higher")
        if direction == "none":
            continue
        sign = 1.0 if direction == "higher" else -1.0
        best = max(board.ranked, key=lambda r: sign * r.meta["means"][key]).system
        others = [r.system for r in board.ranked if r.system != best]
        raw = [
            stats.permutation_test(scores[best][key], scores[s][key], resamples=settings.resamples, seed=settings.seed)[
                0
            ]
            for s in others
        ]
        adjusted = stats.holm(raw)
        board.p_values[key] = dict(zip(others, adjusted, strict=True))
        board.top[key] = {best} | {s for s, p in zip(others, adjusted, strict=True) if p >= settings.alpha}
