"""The meta-evaluation page: one self-contained HTML file (plotly.js inlined once, as ``harness report`` does)
rendered from the meta-evaluation JSON document alone.

Per dataset and level: a bar per key with its bootstrap interval as whiskers, coloured by significance cluster
(on the level's headline coefficient), the human ceiling (the annotators' leave-one-out mean) as a dashed line,
a menu to switch coefficient, and the table of every number; for FRANK, the ROC-AUC of each key per error label.
"""

from __future__ import annotations

from typing import Any

from harness.report.plots import PALETTE, plotly_js

_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
_UNRANKED = "#9a9aa0"


def _slug(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "-" for c in part) for part in parts)


def _bars(block: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """One coefficient's bars in ``order``: values, whisker lengths, colours (by cluster) and hover text."""
    rows = {row["key"]: row for row in block["results"]}
    values = [rows[key]["value"] for key in order]
    low = [rows[key]["ci"]["low"] for key in order]
    high = [rows[key]["ci"]["high"] for key in order]
    ranks = [rows[key].get("rank") for key in order]
    colours = [PALETTE[(rank - 1) % len(PALETTE)] if rank else _UNRANKED for rank in ranks]
    text = [
        f"{key}: {v:.3f} [{lo:.3f}, {hi:.3f}]" + (f", cluster {r}" if r else "")
        if lo is not None
        else f"{key}: {v:.3f}"
        for key, v, lo, hi, r in zip(order, values, low, high, ranks)
    ]
    return {
        "y": values,
        "plus": [(hi - v) if hi is not None else 0.0 for v, hi in zip(values, high)],
        "minus": [(v - lo) if lo is not None else 0.0 for v, lo in zip(values, low)],
        "colours": colours,
        "text": text,
    }


def _ceiling(block: dict[str, Any]) -> float | None:
    mean = [item["value"] for item in block.get("ceiling", []) if item["annotator"] == "mean"]
    return float(mean[0]) if mean else None


def _ceiling_shape(block: dict[str, Any]) -> list[dict[str, Any]]:
    value = _ceiling(block)
    if value is None:
        return []
    line = {"color": "#C0392B", "width": 2, "dash": "dash"}
    return [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value, "line": line}]


def _range(block: dict[str, Any]) -> list[float]:
    """The y range: every whisker, zero and the ceiling line (Plotly's autorange ignores shapes)."""
    rows = block["results"]
    ends = [0.0, *(r["value"] for r in rows)]
    ends += [r["ci"][side] for r in rows for side in ("low", "high") if r["ci"][side] is not None]
    ceiling = _ceiling(block)
    ends += [ceiling] if ceiling is not None else []
    pad = 0.05 * (max(ends) - min(ends) or 1.0)
    return [min(ends) - pad, max(ends) + pad]


def level_figure(dataset: dict[str, Any], level: dict[str, Any]) -> str:
    """Bars with whiskers for every key at one level; a menu switches the coefficient."""
    import plotly.graph_objects as go

    headline = level["headline"]
    coefficients = [headline, *[c for c in level["coefficients"] if c != headline]]
    order = [row["key"] for row in level["coefficients"][headline]["results"]]
    drawn = {c: _bars(level["coefficients"][c], order) for c in coefficients}
    first = drawn[headline]
    fig = go.Figure(
        go.Bar(
            x=order,
            y=first["y"],
            marker={"color": first["colours"]},
            error_y={"type": "data", "symmetric": False, "array": first["plus"], "arrayminus": first["minus"]},
            hovertext=first["text"],
            hoverinfo="text",
        )
    )
    buttons = []
    for c in coefficients:
        bars = drawn[c]
        error = {"type": "data", "symmetric": False, "array": bars["plus"], "arrayminus": bars["minus"]}
        buttons.append(
            {
                "label": c,
                "method": "update",
                "args": [
                    {
                        "y": [bars["y"]],
                        "marker.color": [bars["colours"]],
                        "error_y": [error],
                        "hovertext": [bars["text"]],
                    },
                    {
                        "shapes": _ceiling_shape(level["coefficients"][c]),
                        "yaxis.title.text": c,
                        "yaxis.range": _range(level["coefficients"][c]),
                    },
                ],
            }
        )
    fig.update_layout(
        title={"text": f"{dataset['dataset']}: {level['level']} level", "x": 0, "font": {"size": 15}},
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
        yaxis={"title": {"text": headline}, "zeroline": True, "range": _range(level["coefficients"][headline])},
        plot_bgcolor="#fafafa",
        font={"family": "system-ui, sans-serif", "size": 12},
        shapes=_ceiling_shape(level["coefficients"][headline]),
        updatemenus=[{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.18, "yanchor": "top"}],
        showlegend=False,
    )
    div_id = "mplot-" + _slug(dataset["dataset"], level["level"])
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG))


def binary_figure(dataset: dict[str, Any]) -> str | None:
    """ROC-AUC per key, one trace per error label (0.5 = chance)."""
    import plotly.graph_objects as go

    labels = [label for label in dataset.get("binary", {}).get("labels", []) if label["auc"]]
    if not labels:
        return None
    order = [row["key"] for row in sorted(labels[0]["auc"], key=lambda r: -r["value"])]
    fig = go.Figure()
    for index, label in enumerate(labels):
        rows = {row["key"]: row for row in label["auc"]}
        fig.add_trace(
            go.Bar(
                x=order,
                y=[rows[k]["value"] for k in order],
                name=label["label"],
                marker={"color": PALETTE[index % len(PALETTE)]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [(rows[k]["ci"]["high"] or rows[k]["value"]) - rows[k]["value"] for k in order],
                    "arrayminus": [rows[k]["value"] - (rows[k]["ci"]["low"] or rows[k]["value"]) for k in order],
                },
                visible=True if index == 0 else "legendonly",
            )
        )
    chance = {"color": "#555", "width": 1, "dash": "dot"}
    fig.update_layout(
        title={"text": f"{dataset['dataset']}: ROC-AUC per error label (click a label to show it)", "x": 0},
        height=400,
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
        yaxis={"title": {"text": "ROC-AUC"}},
        plot_bgcolor="#fafafa",
        barmode="group",
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0.5, "y1": 0.5, "line": chance}],
    )
    div_id = "mplot-" + _slug(dataset["dataset"], "auc")
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG))


def render_page(doc: dict[str, Any]) -> str:
    """The whole page (template ``templates/metaeval.html.j2``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    figures = {
        dataset["dataset"]: {
            "levels": {level["level"]: level_figure(dataset, level) for level in dataset["levels"]},
            "auc": binary_figure(dataset),
        }
        for dataset in doc["datasets"]
    }
    return env.get_template("metaeval.html.j2").render(doc=doc, figures=figures, plotly_js=plotly_js())
