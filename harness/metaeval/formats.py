"""``harness meta-eval`` output: a plain-text table, Markdown, or JSON with every number.

The JSON (:func:`document`) is the result itself: per dataset, level, coefficient and key the value, its
interval with the count of valid resamples, the documents or summaries used and skipped, the cluster rank, the
permutation test's pairs, the human ceiling and (FRANK) the ROC-AUC view, with the settings, seed, data hashes
and metric signatures. The table and Markdown render that document; they print 3 decimals, JSON keeps all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from harness import __version__
from harness.metaeval.analysis import Settings

SCHEMA = 1


def document(results: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """The whole meta-evaluation as one JSON-ready object."""
    return {
        "schema": SCHEMA,
        "harness_version": __version__,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings.to_json(),
        "datasets": results,
    }


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(ci: dict[str, Any]) -> str:
    if ci.get("low") is None:
        return "(no valid resample)"
    return f"[{ci['low']:.3f}, {ci['high']:.3f}]"


def _table(header: list[str], rows: list[list[str]], right: set[int], markdown: bool) -> list[str]:
    if markdown:
        out = [
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
        ]
        return out + ["| " + " | ".join(row) + " |" for row in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return [line(header)] + [line(row) for row in rows]


def _level_lines(dataset: dict[str, Any], level: dict[str, Any], settings: dict[str, Any], markdown: bool) -> list[str]:
    headline = level["headline"]
    coefficients = [headline, *[c for c in level["coefficients"] if c != headline]]
    blocks = level["coefficients"]
    n = level["n"]
    used = f"{n['used']} {n['unit']} used"
    if n["unit"] == "documents":
        used += f", {n['skipped']} skipped ({dataset['aspect']} constant in them)"
    significance = blocks[headline].get("significance")
    ranked = (
        f"rank: significance cluster on {headline} (PERM-BOTH, {significance['permutations']} permutations, "
        f"Holm, alpha {significance['alpha']})"
        if significance
        else f"sorted by {headline}"
    )
    title = f"{level['level']} level: {level['description']}"
    lines = [f"#### {title}" if markdown else title, f"{used}; {ranked}", ""]
    header = ["rank", "key"]
    for c in coefficients:
        header += [c, "95% CI"]
    if n["unit"] == "documents":
        header.append("metric constant")
    order = [row["key"] for row in blocks[headline]["results"]]
    by_key = {c: {row["key"]: row for row in blocks[c]["results"]} for c in coefficients}
    rows = []
    for key in order:
        first = by_key[headline][key]
        cells = [str(first.get("rank", "")), key]
        for c in coefficients:
            row = by_key[c][key]
            cells += [_num(row["value"]), _ci(row["ci"])]
        if n["unit"] == "documents":
            cells.append(str(first["n"]["metric_constant"]))
        rows.append(cells)
    # Keys constant in every group: no correlation to rank, so no value, interval or cluster (analysis.py).
    for item in level.get("constant_keys", []):
        cells = ["-", item["key"]]
        for _ in coefficients:
            cells += ["constant", ""]
        if n["unit"] == "documents":
            cells.append(str(item["constant_in"]))
        rows.append(cells)
    ceiling = blocks[headline].get("ceiling")
    if ceiling:
        for item in ceiling:
            label = (
                "human: mean of the annotators"
                if item["annotator"] == "mean"
                else f"human: annotator {item['annotator']} vs the others"
            )
            cells = ["", label]
            for c in coefficients:
                mine = [x for x in blocks[c].get("ceiling", []) if x["annotator"] == item["annotator"]]
                cells += [_num(mine[0]["value"]), _ci(mine[0]["ci"])] if mine else ["", ""]
            if n["unit"] == "documents":
                cells.append("")
            rows.append(cells)
    right = {i for i in range(2, len(header)) if (i % 2 == 0 or i == len(header) - 1)}
    lines += _table(header, rows, right, markdown)
    valid = [row["ci"]["valid_resamples"] for c in coefficients for row in blocks[c]["results"]]
    lines += [""]
    if valid:
        lines.append(
            f"95% CI: {settings['bootstrap']}, {settings['resamples']} resamples (valid: {min(valid)} to "
            f"{max(valid)}), seed {settings['seed']}."
        )
    bullet = "- " if markdown else "  "
    for item in level.get("constant_keys", []):
        lines.append(
            f"{bullet}constant: {item['key']} is constant in every one of the {item['groups']} {item['unit']}: "
            "nothing to correlate, so it is not ranked or clustered."
        )
    for key, warning in level.get("warnings", {}).items():
        lines.append(f"{bullet}warning: {key}: {warning}.")
    lines.append("")
    return lines


def _binary_lines(binary: dict[str, Any], markdown: bool) -> list[str]:
    labels = [label for label in binary["labels"] if label["auc"]]
    if not labels:
        return []
    title = "binary view: ROC-AUC for each error label"
    lines = [f"#### {title}" if markdown else title, binary["definition"] + "; 95% CI as above", ""]
    header = ["key"] + [
        f"{label['label']} ({label['with_error']}/{label['with_error'] + label['without']})" for label in labels
    ]
    keys = [row["key"] for row in sorted(labels[0]["auc"], key=lambda r: -r["value"])]
    values = {label["label"]: {row["key"]: row for row in label["auc"]} for label in labels}
    rows = []
    for key in keys:
        cells = [key]
        for label in labels:
            row = values[label["label"]][key]
            cells.append(f"{row['value']:.3f} {_ci(row['ci'])}")
        rows.append(cells)
    return lines + _table(header, rows, set(range(1, len(header))), markdown) + [""]


def render(doc: dict[str, Any], fmt: str) -> str:
    """``table``, ``md`` or ``json``."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    markdown = fmt == "md"
    settings = doc["settings"]
    lines: list[str] = []
    for dataset in doc["datasets"]:
        shape = dataset["shape"]
        split = f", split {dataset['split']}" if dataset["split"] else ""
        head = (
            f"{dataset['dataset']}: human {dataset['aspect']}{split}; {shape['documents']} documents x "
            f"{shape['systems']} systems ({shape['summaries']} summaries); data sha256 {dataset['data']['sha256'][:12]}"
        )
        lines += [f"### {head}" if markdown else head]
        for metric, signature in dataset["signatures"].items():
            lines.append(
                f"{'- ' if markdown else '  '}{metric}: `{signature}`" if markdown else f"  {metric}: {signature}"
            )
        if dataset["excluded_keys"]:
            lines.append(
                f"{'- ' if markdown else '  '}left out (no better direction): {', '.join(dataset['excluded_keys'])}"
            )
        for note in dataset["notes"]:
            lines.append(f"{'- ' if markdown else '  '}note: {note}")
        lines.append("")
        for level in dataset["levels"]:
            lines += _level_lines(dataset, level, settings, markdown)
        if dataset.get("binary"):
            lines += _binary_lines(dataset["binary"], markdown)
    lines.append(f"Undefined groups: {settings['undefined_groups']}.")
    return "\n".join(lines) + "\n"
