"""The probe x metric matrix as a terminal table, Markdown, JSON and an HTML block for ``harness report``; and
where ``harness probe`` keeps its results (``<results>/_probes/<task>/<run-id>.json``, beside the runs: no
system name can start with ``_``, so the folder is never read as a system's runs).

Everything renders from the JSON form (:meth:`harness.probe.runner.ProbeRun.to_json`), so a report built later
from the saved file shows what ``harness probe`` printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

FORMATS = ("table", "md", "json")
PROBES_DIR = "_probes"
_SYMBOL = {"worse": "worse", "better": "better", "same": "same", "not_worse": "not worse"}


def save(data: dict[str, Any], results_dir: Path, run_id: str) -> Path:
    """Write the probe results as ``<results_dir>/_probes/<task>/<run_id>.json``."""
    folder = results_dir / PROBES_DIR / str(data["task"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{run_id}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"{folder}: cannot write the probe results ({exc.strerror})") from None
    return path


def latest(results_dir: Path, task: str) -> dict[str, Any] | None:
    """The newest saved probe results of ``task`` under ``results_dir`` (run ids sort by time), or None."""
    folder = results_dir / PROBES_DIR / task
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("task") == task and isinstance(data.get("probes"), list):
            data["file"] = str(path)
            return data
    return None


def columns(data: dict[str, Any]) -> list[str]:
    """The keys some probe tests, in the order the metrics list them."""
    tested = {key for probe in data["probes"] for key in probe["cells"]}
    return [key for key in data["keys"] if key in tested]


def _part(key: str) -> tuple[str, str]:
    """``rouge1_p`` -> (``rouge1``, ``p``): two-line headers, grouped as the leaderboard groups them."""
    group, _, part = key.partition("_")
    return group, part


def _rate(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return ""
    return "n/a" if cell["rate"] is None else f"{cell['rate']:.2f}"


def _interval(cell: dict[str, Any] | None) -> str:
    if not cell or cell["rate"] is None:
        return "n/a"
    return f"{cell['rate']:.2f} [{cell['low']:.2f}, {cell['high']:.2f}]"


def _detection(probe: dict[str, Any]) -> str:
    if not probe["designated"]:
        return "not gated"
    return _interval(probe["detection"])


def render(data: dict[str, Any], fmt: str) -> str:
    """``table``, ``md`` or ``json``."""
    if fmt == "json":
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if fmt == "md":
        return markdown(data)
    if fmt == "table":
        return _table(data)
    raise HarnessError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")


def _header(data: dict[str, Any]) -> list[str]:
    return [
        f"{data['task']}: probe x metric matrix ({len(data['items'])} items of {data['probed_system']}, "
        f"seed {data['seed']}). Cell: share of the probe's items on which the key behaved as expected: worse by "
        "more than its margin (errors), within it (invariance), not worse by more (the source itself)."
    ]


def _footer(data: dict[str, Any], *, markdown: bool) -> list[str]:
    mark = "bold" if markdown else "*"
    lines = [
        f"{mark} = a designated key of the probe (what --fail-under checks); blank = not tested. Detection: share "
        "of items on which any designated key moved as expected (invariance probes: every designated key stayed), "
        f"with its 95% bootstrap interval over items ({data['bootstrap']['resamples']} resamples, "
        f"seed {data['seed']}).",
        "Margin: half the key's standard deviation across the task's systems on the same items "
        f"({', '.join(data['margin_systems']) or 'one system'}); one flag for counts.",
    ]
    blind = data["blind_spots"]
    lines.append(
        "Blind spots (no key moves the expected way on at least half the items): " + (", ".join(blind) or "none")
    )
    breaks = data["invariance_breaks"]
    lines.append(
        "Invariance broken (a designated key moved on some item): "
        + ("; ".join(f"{p}: {', '.join(keys)}" for p, keys in breaks.items()) or "none")
    )
    return lines


def _table(data: dict[str, Any]) -> str:
    keys = columns(data)
    heads = [_part(key) for key in keys]
    rows = [
        ["", "", "", ""] + [g for g, _ in heads] + [""],
        ["probe", "FRANK", "n", "expects"] + [p for _, p in heads] + ["detection 95% CI"],
    ]
    for probe in data["probes"]:
        cells = []
        for key in keys:
            cell = probe["cells"].get(key)
            cells.append(_rate(cell) + ("*" if key in probe["designated"] else " ") if cell else "")
        expects = {_SYMBOL[c["expected"]] for c in probe["cells"].values()}
        rows.append(
            [
                probe["name"],
                probe["frank"] or "-",
                str(probe["n"]),
                "/".join(sorted(expects)),
                *cells,
                _detection(probe),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, (group, _) in enumerate(heads):  # a group name is printed once, over its first column
        if i and heads[i - 1][0] == group:
            rows[0][4 + i] = ""
    lines = _header(data)
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(w) if i < 4 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        )
    return "\n".join(line.rstrip() for line in [*lines, *_footer(data, markdown=False)]) + "\n"


def markdown(data: dict[str, Any]) -> str:
    """The matrix, the designated detections with intervals, blind spots and invariance breaks."""
    keys = columns(data)
    lines = [f"### {_header(data)[0]}", ""]
    header = ["probe", "FRANK", "n", *(f"{g} {p}".strip() for g, p in (_part(k) for k in keys))]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    for probe in data["probes"]:
        cells = []
        for key in keys:
            text = _rate(probe["cells"].get(key))
            cells.append(f"**{text}**" if text and key in probe["designated"] else text)
        name = probe["name"] + (" (invariance)" if probe["kind"] == "invariance" else "")
        lines.append("| " + " | ".join([name, probe["frank"] or "-", str(probe["n"]), *cells]) + " |")
    lines += ["", "| probe | what it does | designated keys | detection (95% CI) |", "|---|---|---|---:|"]
    for probe in data["probes"]:
        designated = ", ".join(probe["designated"]) or "-"
        if probe["kind"] == "invariance" and probe["designated"]:
            designated = f"the {len(probe['designated'])} fidelity-check keys (numeric, entities, quotes, certainty)"
        lines.append(f"| {probe['name']} | {probe['description']} | {designated} | {_detection(probe)} |")
    for line in _footer(data, markdown=True):
        lines += ["", line]
    return "\n".join(lines) + "\n"


def html_block(data: dict[str, Any]) -> str:
    """The matrix as an HTML fragment for the report (the template ``probe.html.j2``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    keys = columns(data)
    groups: list[tuple[str, int]] = []
    for key in keys:
        group = _part(key)[0]
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1] + 1)
        else:
            groups.append((group, 1))
    rows = []
    for probe in data["probes"]:
        cells: list[dict[str, Any] | None] = []
        for key in keys:
            cell = probe["cells"].get(key)
            if cell is None:
                cells.append(None)
                continue
            margin = data["keys"][key]
            tip = (
                f"{probe['name']} x {key}: expected {cell['expected'].replace('_', ' ')}; "
                f"{_interval(cell)} of {cell['n']} items"
                + (
                    f"; mean change {cell['delta']:+.4f} [{cell['delta_low']:+.4f}, {cell['delta_high']:+.4f}]"
                    if cell["delta"] is not None
                    else ""
                )
                + f"; margin {'1 flag' if margin['count'] else format(margin['margin'], '.4f')}"
            )
            cells.append(
                {
                    "text": _rate(cell),
                    "tip": tip,
                    "rate": cell["rate"],
                    "designated": key in probe["designated"],
                }
            )
        rows.append({**probe, "cells_shown": cells, "detection_text": _detection(probe)})
    return env.get_template("probe.html.j2").render(
        data=data,
        keys=keys,
        parts=[_part(k)[1] for k in keys],
        groups=groups,
        rows=rows,
        footer=_footer(data, markdown=True),
    )


def report_html(results_dir: Path, task: str) -> str:
    """The matrix block for ``harness report`` from the task's newest saved probe results; empty if none."""
    data = latest(results_dir, task)
    return html_block(data) if data is not None else ""


def report_markdown(results_dir: Path, task: str) -> str:
    """The matrix for ``harness report --markdown`` from the newest saved probe results; empty if none."""
    data = latest(results_dir, task)
    return markdown(data) if data is not None else ""
