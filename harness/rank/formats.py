"""Leaderboards as text: a terminal table, Markdown, CSV and JSON, all from :class:`harness.rank.leaderboard.Board`.

Every format carries the same facts: each system's mean per key, its 95% bootstrap interval, and whether it
is in the key's top group (not significantly different from the best). The table and Markdown show the
interval of the primary key and mark top-group means; CSV and JSON carry every key's interval.

Findings (:mod:`harness.rank.findings`): per system, the examples with at least one finding of each ``METRIC:KIND``
and the 95% Wilson interval of that rate: a compact line per system under the terminal table, a table in
Markdown, ``<name>``/``<name>_low``/``<name>_high`` columns in CSV, and in JSON a ``findings`` object per row
(finding name -> example count) with ``findings_detail`` (count, n, rate, interval and the example ids).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from harness.errors import HarnessError
from harness.rank import novelty
from harness.rank.leaderboard import Board

FORMATS = ("table", "md", "csv", "json")


def rows(board: Board, keys: list[str] | None = None) -> list[dict[str, Any]]:
    """Machine-readable rows of the ranked runs: system, rank, n, every mean (or those of ``keys``); then
    intervals, top groups, Holm-adjusted p-values against the best, how they were computed, and the
    fidelity-novelty marks (null when the view is omitted)."""
    shown = board.keys if keys is None else keys
    view, _ = novelty.view(board)
    out = []
    for rank, run in enumerate(board.ranked, start=1):
        row: dict[str, Any] = {"task": board.task, "system": run.system, "rank": rank, "n": run.meta["examples"]["n"]}
        row["failed"] = board.failed(run)  # examples not scored: their generation or a metric failed
        row.update({key: run.meta["means"][key] for key in shown})
        row["intervals"] = {key: list(board.interval(run, key) or ()) or None for key in shown}
        row["top"] = {key: run.system in systems for key, systems in board.top.items() if key in shown}
        row["p_vs_best"] = {key: found.get(run.system) for key, found in board.p_values.items() if key in shown}
        point = view.point(run.system) if view else None
        row["fidelity_novelty"] = (
            {
                "novelty": point.novelty,
                "density": point.density,
                "coverage": point.coverage,
                "fidelity": point.fidelity,
                "pareto": point.pareto,
                "near_copy": point.near_copy,
            }
            if point
            else None
        )
        mine = board.findings.get(run.system, {})
        row["findings"] = {name: found.count for name, found in mine.items()}
        row["findings_detail"] = {name: found.to_json() | {"examples": list(found.ids)} for name, found in mine.items()}
        # METRIC -> examples with at least one finding of any of its kinds (an example may have several kinds).
        row["findings_by_metric"] = {m: c.count for m, c in board.finding_totals.get(run.system, {}).items()}
        row["bootstrap"] = run.meta.get("bootstrap")
        row["significance"] = board.significance.to_json() if board.significance else None
        row["run"] = str(run.path)
        out.append(row)
    return out


def broken_rows(board: Board) -> list[dict[str, Any]]:
    """One row per run left out as broken (``--skip-broken``): no rank and no scores, and why."""
    return [
        {"task": board.task, "system": b.system, "rank": None, "not_ranked": b.reason, "run": str(b.path)}
        for b in board.broken
    ]


def render(boards: list[Board], fmt: str, keys: list[str] | None = None) -> str:
    """Render leaderboards as ``table``, ``md``, ``csv`` or ``json``. ``keys`` (key or metric names, as
    ``--keys`` gives them) picks the columns; without it the table shows each board's headline keys and
    the other formats every key."""
    shown = {board.task: _shown(board, fmt, keys) for board in boards}
    if fmt == "json":
        found = [row for board in boards for row in [*rows(board, shown[board.task]), *broken_rows(board)]]
        return json.dumps(found, indent=2) + "\n"
    if fmt == "csv":
        return _csv(boards, shown)
    if fmt in ("table", "md"):
        return "\n".join(_text(board, shown[board.task], markdown=fmt == "md") for board in boards)
    raise HarnessError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")


def _shown(board: Board, fmt: str, keys: list[str] | None) -> list[str]:
    if keys is not None:
        return board.select(keys)
    return board.headline() if fmt == "table" else list(board.keys)


def _csv(boards: list[Board], shown: dict[str, list[str]]) -> str:
    """One line per ranked system; per key: mean, interval ends and top-group membership; then the
    fidelity-novelty marks (empty where a board has no such view)."""
    keys = list(dict.fromkeys(key for board in boards for key in shown[board.task]))
    # A `failed` column only when some run has failed examples, so CSVs of complete runs keep their shape.
    columns = ["task", "system", "rank", "n"] + (["failed"] if any(map(_any_failed, boards)) else [])
    for key in keys:
        columns += [key, f"{key}_low", f"{key}_high", f"{key}_top"]
    # Fidelity-novelty marks only when some board has the view (a rewrite task scored with extractiveness).
    marked = any(novelty.view(board)[0] for board in boards)
    columns += ["pareto", "near_copy"] if marked else []
    names = list(dict.fromkeys(name for board in boards for name in board.finding_names()))
    for name in names:
        columns += [name, f"{name}_low", f"{name}_high"]
    # A `not_ranked` column only when a broken run was skipped: its row has no rank and no scores.
    columns += ["not_ranked"] if any(board.broken for board in boards) else []
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*columns, "run"], lineterminator="\n")
    writer.writeheader()
    for board in boards:
        for row in rows(board, shown[board.task]):
            flat = {name: row[name] for name in ("task", "system", "rank", "n", "run")}
            if "failed" in columns:
                flat["failed"] = row["failed"]
            if marked:
                marks = row["fidelity_novelty"] or {}
                flat |= {"pareto": marks.get("pareto", ""), "near_copy": marks.get("near_copy", "")}
            for key in shown[board.task]:
                low_high = row["intervals"][key] or [None, None]
                flat |= {key: row[key], f"{key}_low": low_high[0], f"{key}_high": low_high[1]}
                flat[f"{key}_top"] = row["top"].get(key, "")
            for name, found in row["findings_detail"].items():
                low_high = found["interval"] or [None, None]
                flat |= {name: found["count"], f"{name}_low": low_high[0], f"{name}_high": low_high[1]}
            writer.writerow(flat)
        for row in broken_rows(board):
            writer.writerow({name: value if value is not None else "" for name, value in row.items()})
    return out.getvalue()


def _any_failed(board: Board) -> bool:
    return any(board.failed(run) for run in board.ranked)


def _header(key: str) -> tuple[str, str]:
    """``rouge1_p`` -> (``rouge1``, ``P``), ``numeric_n_source`` -> (``numeric``, ``N_SOURCE``): the group
    before the first underscore and the part after it, for two-line headers."""
    group, _, part = key.partition("_")
    return (group, part.upper()) if part else (key, "")


def _cell(board: Board, system: str, key: str, value: float, *, markdown: bool) -> str:
    text = f"{value:.4f}"
    if key not in board.top:
        return text
    if markdown:
        return f"**{text}**" if system in board.top[key] else text
    return text + ("*" if system in board.top[key] else " ")


def footer(board: Board, *, markdown: bool) -> list[str]:
    lines = []
    first = board.ranked[0].meta.get("bootstrap") if board.ranked else None
    if first:
        lines.append(
            f"CI: {int(first['level'] * 100)}% percentile bootstrap over examples "
            f"({first['resamples']} resamples, seed {first['seed']})."
        )
    if board.significance and board.top:
        s = board.significance
        mark = "bold" if markdown else "*"
        lines.append(
            f"{mark} = not significantly different from the best on that key ({s.test}, {s.resamples} shuffles, "
            f"seed {s.seed}, {s.correction.capitalize()}-corrected, alpha={s.alpha})."
        )
    if novelty.near_copies(board):
        lines.append(f"{novelty.NEAR_COPY_MARK} = {novelty.NEAR_COPY_RULE}: {novelty.NEAR_COPY_WHY}.")
    if _any_failed(board):
        lines.append(
            f"failed = examples not scored (their generation or a metric failed, or they had no candidate: run.json "
            f"failures), left out of "
            f"that system's means; significance pairs the {len(board.common_ids)} examples every ranked system scored."
        )
    return lines


def _text(board: Board, keys: list[str], *, markdown: bool) -> str:
    heads = [_header(key) for key in keys]
    copies = novelty.near_copies(board)
    ci_head = f"{board.primary} 95% CI"
    failed = _any_failed(board)
    names = ["#", "system", "n", *(["failed"] if failed else []), ci_head]
    body = []
    for i, run in enumerate(board.ranked, start=1):
        interval = board.interval(run, board.primary)
        ci = f"[{interval[0]:.4f}, {interval[1]:.4f}]" if interval else "n/a"
        means = [_cell(board, run.system, key, run.meta["means"][key], markdown=markdown) for key in keys]
        counts = [str(run.meta["examples"]["n"]), *([str(board.failed(run))] if failed else [])]
        system = f"{run.system} {novelty.NEAR_COPY_MARK}" if run.system in copies else run.system
        body.append([str(i), system, *counts, ci, *means])
    title = f"{board.task}: ranked by {board.primary} (mean over examples; {len(board.ranked)} systems)"
    lines: list[str] = []
    if markdown:
        lines += [f"### {title}", ""]
        header = names + [f"{g} {p}".strip() for g, p in heads]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 1 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        lines.append("")
    else:
        groups = [""] * len(names) + [g if i == 0 or heads[i - 1][0] != g else "" for i, (g, _) in enumerate(heads)]
        parts = names + [p or g for g, p in heads]
        table = [groups, parts, *body]
        widths = [max(len(row[c]) for row in table) for c in range(len(parts))]
        lines.append(title)
        for row in table:
            left = (1, len(names) - 1)  # the system names and the interval column
            cells = [cell.ljust(w) if c in left else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))]
            lines.append("  ".join(cells).rstrip())
    lines += footer(board, markdown=markdown)
    lines += _hidden(board, keys)
    found = finding_lines(board, markdown=markdown)
    lines += ["", *found] if found else []
    extra = novelty.lines(board, markdown=markdown)
    lines += ["", *extra] if extra else []
    for run, reason in board.excluded:
        lines.append(("- " if markdown else "") + f"not ranked: {run.system} ({run.path.name}): {reason}")
    for item in board.broken:
        lines.append(("- " if markdown else "") + f"not ranked: {item.system} ({item.path.name}): {item.reason}")
    lines.append("")
    return "\n".join(lines)


def _hidden(board: Board, keys: list[str]) -> list[str]:
    """A footer line when columns were left out, saying how to show them."""
    if len(keys) == len(board.keys):
        return []
    return [
        f"Showing {len(keys)} of {len(board.keys)} keys (the primary key and each metric's headline keys, or "
        "--keys); show others with --keys KEY_OR_METRIC,... (e.g. --keys rouge,bertscore_f) or all with "
        "--format md|csv|json."
    ]


def _rate(count: int, n: int, interval: tuple[float, float] | None, *, zero: bool = True) -> str:
    """``count/n [low, high]``; without the interval at 0 when ``zero`` is False (the compact line)."""
    if not interval or not (count or zero):
        return f"{count}/{n}"
    return f"{count}/{n} [{interval[0]:.2f}, {interval[1]:.2f}]"


FINDINGS_WHAT = (
    "examples with at least one finding of each kind (METRIC:KIND, harness/rank/findings.py), 95% Wilson interval "
    "on the rate"
)


def finding_lines(board: Board, *, markdown: bool) -> list[str]:
    """The findings under a leaderboard: a compact line per system (terminal) or a table (Markdown)."""
    names = board.finding_names()
    if not names:
        return []
    if markdown:
        lines = [f"Findings: {FINDINGS_WHAT}.", "", "| system | " + " | ".join(names) + " |"]
        lines.append("|---|" + "|".join("---:" for _ in names) + "|")
        for run in board.ranked:
            mine = board.findings[run.system]
            cells = [_rate(mine[n].count, mine[n].n, mine[n].interval) for n in names]
            lines.append(f"| {run.system} | " + " | ".join(cells) + " |")
        return lines
    width = max(len(run.system) for run in board.ranked)
    lines = [f"Findings: {FINDINGS_WHAT} (per metric here; per kind with --format md|csv|json)"]
    for run in board.ranked:
        parts = []
        for metric, total in board.finding_totals[run.system].items():
            kinds = [
                f"{found.name.split(':', 1)[1]} {found.count}"
                for found in board.findings[run.system].values()
                if found.name.startswith(f"{metric}:") and found.count
            ]
            text = f"{metric} {_rate(total.count, total.n, total.interval, zero=False)}"
            parts.append(text + (f" ({', '.join(kinds)})" if kinds else ""))
        lines.append(f"{run.system.ljust(width)}  " + "; ".join(parts))
    return lines
