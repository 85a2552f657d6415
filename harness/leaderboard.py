"""Leaderboards built from run files only (as HELM does): the latest run per system, ranked by the task's
primary key, among runs that are comparable.

Two runs are comparable when their task version, metric signatures and scored examples (data hash and ids)
agree. The comparable group with the most runs (ties: the newest) is ranked; every other run is listed
below it with the reason it was left out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.store import StoredRun, read_runs


@dataclass
class Board:
    """One task's leaderboard."""

    task: str
    primary: str
    keys: list[str]
    ranked: list[StoredRun]
    excluded: list[tuple[StoredRun, str]] = field(default_factory=list)


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


def build_boards(results_dir: Path, task: str | None = None) -> tuple[list[Board], list[str]]:
    """Leaderboards for every task under ``results_dir`` (or one task), and any unreadable-run messages."""
    runs, problems = read_runs(results_dir, task)
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
        reference = ranked[0]
        primary = str(reference.meta["task"].get("primary", ""))
        keys = list(reference.meta["means"])
        if primary not in keys:
            primary = keys[0] if keys else primary
        ranked.sort(key=lambda r: (-r.meta["means"].get(primary, float("-inf")), r.system))
        excluded = [(r, _difference(r, reference)) for r in members if _comparable(r) != chosen]
        excluded.sort(key=lambda item: item[0].system)
        boards.append(Board(task_name, primary, keys, ranked, excluded))
    return boards, problems


def rows(board: Board) -> list[dict[str, Any]]:
    """Machine-readable rows of the ranked runs: system, rank, n, every mean, and the run's path."""
    return [
        {
            "task": board.task,
            "system": run.system,
            "rank": rank,
            "n": run.meta["examples"]["n"],
            **{key: run.meta["means"][key] for key in board.keys},
            "run": str(run.path),
        }
        for rank, run in enumerate(board.ranked, start=1)
    ]


def _header(key: str) -> tuple[str, str]:
    """``rouge1_p`` -> (``rouge1``, ``P``), ``numeric_n_source`` -> (``numeric``, ``N_SOURCE``): the group
    before the first underscore and the part after it, for two-line headers."""
    group, _, part = key.partition("_")
    return (group, part.upper()) if part else (key, "")


def render(boards: list[Board], fmt: str) -> str:
    """Render leaderboards as ``table``, ``md``, ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps([row for board in boards for row in rows(board)], indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        keys = [k for k in dict.fromkeys(key for board in boards for key in board.keys)]
        writer = csv.DictWriter(out, fieldnames=["task", "system", "rank", "n", *keys, "run"], lineterminator="\n")
        writer.writeheader()
        for board in boards:
            writer.writerows(rows(board))
        return out.getvalue()
    if fmt in ("table", "md"):
        return "\n".join(_text(board, markdown=fmt == "md") for board in boards)
    raise HarnessError(f"unknown format {fmt!r}; use table, md, csv or json")


def _text(board: Board, *, markdown: bool) -> str:
    heads = [_header(key) for key in board.keys]
    names = ["#", "system", "n"]
    body = [
        [str(i), run.system, str(run.meta["examples"]["n"]), *(f"{run.meta['means'][key]:.4f}" for key in board.keys)]
        for i, run in enumerate(board.ranked, start=1)
    ]
    title = f"{board.task}: ranked by {board.primary} (mean over examples; {len(board.ranked)} systems)"
    lines: list[str] = []
    if markdown:
        lines += [f"### {title}", ""]
        header = names + [f"{g} {p}".strip() for g, p in heads]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---:" if i != 1 else "---" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
    else:
        groups = ["", "", ""] + [g if i == 0 or heads[i - 1][0] != g else "" for i, (g, _) in enumerate(heads)]
        parts = names + [p or g for g, p in heads]
        table = [groups, parts, *body]
        widths = [max(len(row[c]) for row in table) for c in range(len(parts))]
        lines.append(title)
        for row in table:
            lines.append(
                "  ".join(
                    cell.ljust(w) if c == 1 else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))
                ).rstrip()
            )
    for run, reason in board.excluded:
        lines.append(("- " if markdown else "  ") + f"not ranked: {run.system} ({run.path.name}): {reason}")
    lines.append("")
    return "\n".join(lines)
