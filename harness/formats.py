"""Leaderboards as text: a terminal table, Markdown, CSV and JSON, all from :class:`harness.leaderboard.Board`.

Every format carries the same facts: each system's mean per key, its 95% bootstrap interval, and whether it
is in the key's top group (not significantly different from the best). The table and Markdown show the
interval of the primary key and mark top-group means; CSV and JSON carry every key's interval.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from harness.errors import HarnessError
from harness.leaderboard import Board

FORMATS = ("table", "md", "csv", "json")


def rows(board: Board) -> list[dict[str, Any]]:
    """Machine-readable rows of the ranked runs: system, rank, n, every mean; then intervals, top groups,
    Holm-adjusted p-values against the best, and how they were computed."""
    out = []
    for rank, run in enumerate(board.ranked, start=1):
        row: dict[str, Any] = {"task": board.task, "system": run.system, "rank": rank, "n": run.meta["examples"]["n"]}
        row.update({key: run.meta["means"][key] for key in board.keys})
        row["intervals"] = {key: list(board.interval(run, key) or ()) or None for key in board.keys}
        row["top"] = {key: run.system in systems for key, systems in board.top.items()}
        row["p_vs_best"] = {key: found.get(run.system) for key, found in board.p_values.items()}
        row["bootstrap"] = run.meta.get("bootstrap")
        row["significance"] = board.significance.to_json() if board.significance else None
        row["run"] = str(run.path)
        out.append(row)
    return out


def render(boards: list[Board], fmt: str) -> str:
    """Render leaderboards as ``table``, ``md``, ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps([row for board in boards for row in rows(board)], indent=2) + "\n"
    if fmt == "csv":
        return _csv(boards)
    if fmt in ("table", "md"):
        return "\n".join(_text(board, markdown=fmt == "md") for board in boards)
    raise HarnessError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")


def _csv(boards: list[Board]) -> str:
    """One line per ranked system; per key: mean, interval ends and top-group membership."""
    keys = list(dict.fromkeys(key for board in boards for key in board.keys))
    columns = ["task", "system", "rank", "n"]
    for key in keys:
        columns += [key, f"{key}_low", f"{key}_high", f"{key}_top"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*columns, "run"], lineterminator="\n")
    writer.writeheader()
    for board in boards:
        for row in rows(board):
            flat = {name: row[name] for name in ("task", "system", "rank", "n", "run")}
            for key in board.keys:
                low_high = row["intervals"][key] or [None, None]
                flat |= {key: row[key], f"{key}_low": low_high[0], f"{key}_high": low_high[1]}
                flat[f"{key}_top"] = row["top"].get(key, "")
            writer.writerow(flat)
    return out.getvalue()


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
    return lines


def _text(board: Board, *, markdown: bool) -> str:
    heads = [_header(key) for key in board.keys]
    ci_head = f"{board.primary} 95% CI"
    names = ["#", "system", "n", ci_head]
    body = []
    for i, run in enumerate(board.ranked, start=1):
        interval = board.interval(run, board.primary)
        ci = f"[{interval[0]:.4f}, {interval[1]:.4f}]" if interval else "n/a"
        means = [_cell(board, run.system, key, run.meta["means"][key], markdown=markdown) for key in board.keys]
        body.append([str(i), run.system, str(run.meta["examples"]["n"]), ci, *means])
    title = f"{board.task}: ranked by {board.primary} (mean over examples; {len(board.ranked)} systems)"
    lines: list[str] = []
    if markdown:
        lines += [f"### {title}", ""]
        header = names + [f"{g} {p}".strip() for g, p in heads]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 1 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        lines.append("")
        lines += footer(board, markdown=True)
    else:
        groups = ["", "", "", ""] + [g if i == 0 or heads[i - 1][0] != g else "" for i, (g, _) in enumerate(heads)]
        parts = names + [p or g for g, p in heads]
        table = [groups, parts, *body]
        widths = [max(len(row[c]) for row in table) for c in range(len(parts))]
        lines.append(title)
        for row in table:
            cells = [cell.ljust(w) if c in (1, 3) else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))]
            lines.append("  ".join(cells).rstrip())
        lines += footer(board, markdown=False)
    for run, reason in board.excluded:
        lines.append(("- " if markdown else "") + f"not ranked: {run.system} ({run.path.name}): {reason}")
    lines.append("")
    return "\n".join(lines)
