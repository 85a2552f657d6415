"""The report's plots, drawn with Plotly: interactive in the browser, and offline, because the page inlines
plotly.js once (:func:`plotly_js`) and each figure is a ``<div>`` with the script that draws it.

- ``means``: every key's mean per system with its run's 95% bootstrap interval as an error bar;
- ``scores``: the per-example scores of each system as a box with every example as a point (a menu picks
  the key; clicking a point opens that example in the drill-down);
- ``novelty`` (rewrite tasks scored with ``extractiveness``): each system's mean fidelity (``rougeL_p``, or
  the other fidelity keys through a menu) against its novelty (``extractiveness_novel2``), with the Pareto front
  of those two axes drawn as a line and near-copies marked (:mod:`harness.rank.novelty`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from harness.rank import novelty
from harness.rank.leaderboard import Board

# Colour-blind-safe (Okabe-Ito), one per system in rank order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


# plotly.js's "cartesian" partial bundle (scatter, box and the other 2-D traces), vendored with its licence from
# npm: 1.5 MB against the 4.8 MB full bundle of the Python package, inlined into every page (harness/vendor/README.md).
PLOTLY_BUNDLE = "plotly-cartesian-4.1.1.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The vendored plotly.js bundle, to inline once per page."""
    from importlib.resources import files

    return files("harness").joinpath("vendor", PLOTLY_BUNDLE).read_text(encoding="utf-8")


def _layout(title: str, y_title: str, height: int) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        "plot_bgcolor": "#fafafa",
        "font": {"family": "system-ui, sans-serif", "size": 12},
    }


def means_figure(board: Board) -> Any:
    """Mean of every scored key per system, with its 95% bootstrap interval. Counts (keys without a better
    direction, e.g. numeric_n_source) are left out: they are not on the scores' 0-1 scale."""
    import plotly.graph_objects as go

    keys = [key for key in board.keys if board.directions.get(key, "higher") != "none"]
    fig = go.Figure()
    for i, run in enumerate(board.ranked):
        means = [float(run.meta["means"][key]) for key in keys]
        intervals = [board.interval(run, key) or (mean, mean) for key, mean in zip(keys, means)]
        fig.add_trace(
            go.Scatter(
                x=keys,
                y=means,
                name=run.system,
                mode="markers",
                marker={"color": PALETTE[i % len(PALETTE)], "size": 9},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [high - mean for (_, high), mean in zip(intervals, means)],
                    "arrayminus": [mean - low for (low, _), mean in zip(intervals, means)],
                    "thickness": 1.5,
                },
                hovertemplate="%{x}: %{y:.4f}<extra>" + run.system + "</extra>",
            )
        )
    fig.update_layout(**_layout("Means, 95% intervals", "mean over examples", 340), scattermode="group")
    return fig


def _short(value: float) -> float:
    """A plotted value to 6 significant digits: every key's scores of every example are in the page (the menu), and
    17 digits each would make them a tenth of it; a plot cannot show the difference."""
    return float(f"{value:.6g}")


def scores_figure(board: Board, rows: list[dict[str, Any]]) -> Any:
    """Per-example scores of each system on one key (a menu switches the key)."""
    import plotly.graph_objects as go

    systems = [run.system for run in board.ranked]
    mine = {s: [r for r in rows if r["system"] == s] for s in systems}
    fig = go.Figure()
    for i, system in enumerate(systems):
        fig.add_trace(
            go.Box(
                y=[_short(r["scores"][board.primary]) for r in mine[system]],
                name=system,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": PALETTE[i % len(PALETTE)], "size": 6, "opacity": 0.7},
                line={"width": 1},
                customdata=[r["index"] for r in mine[system]],
                text=[r["id"] for r in mine[system]],
                hovertemplate="%{text}: %{y:.4f}<extra>" + system + "</extra>",
            )
        )
    buttons = [
        {
            "label": key,
            "method": "update",
            "args": [{"y": [[_short(r["scores"][key]) for r in mine[s]] for s in systems]}, {"yaxis.title.text": key}],
        }
        for key in board.keys
    ]
    start = board.keys.index(board.primary) if board.primary in board.keys else 0
    fig.update_layout(
        **_layout("Per-example scores", board.primary, 340),
        showlegend=False,
        updatemenus=[{"buttons": buttons, "active": start, "x": 1, "xanchor": "right", "y": 1.15, "yanchor": "top"}],
    )
    return fig


def novelty_figure(board: Board, view: novelty.View) -> Any:
    """Mean fidelity (y) against mean novel2 (x), one point per system; per fidelity key, the Pareto front of
    the two axes shown (no system higher on both) as a line through its points in order of novelty."""
    import plotly.graph_objects as go

    fig = go.Figure()
    systems = [run.system for run in board.ranked]
    keys = view.fidelity_keys
    for k, key in enumerate(keys):
        shown = k == 0
        for point in view.points:
            colour = PALETTE[systems.index(point.system) % len(PALETTE)]
            label = point.system + (f" {novelty.NEAR_COPY_MARK}" if point.near_copy else "")
            fig.add_trace(
                go.Scatter(
                    x=[point.novelty],
                    y=[point.fidelity[key]],
                    name=label,
                    mode="markers",
                    marker={"color": colour, "size": 12, "symbol": "x" if point.near_copy else "circle"},
                    hovertemplate=f"{point.system}<br>novel2 %{{x:.4f}}<br>{key} %{{y:.4f}}"
                    f"<br>density {point.density:.2f}<extra></extra>",
                    visible=shown,
                )
            )
        front = novelty.pareto_front({p.system: (p.fidelity[key], p.novelty) for p in view.points})
        line = sorted((p.novelty, p.fidelity[key]) for p in view.points if p.system in front)
        fig.add_trace(
            go.Scatter(
                x=[x for x, _ in line],
                y=[y for _, y in line],
                name="Pareto front",
                mode="lines",
                line={"color": "#444", "dash": "dash", "width": 1.5},
                hoverinfo="skip",
                visible=shown,
            )
        )
    per_key = len(view.points) + 1
    layout = _layout("Fidelity vs novelty (means)", keys[0], 380)
    layout["xaxis"] = {"title": {"text": f"{novelty.NOVELTY} (share of new bigrams)"}, "zeroline": False}
    # Systems often sit on top of each other (copy and lead-3): a legend names them where labels would collide.
    layout["legend"] = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "font": {"size": 11}}
    if len(keys) > 1:
        buttons = [
            {
                "label": key,
                "method": "update",
                "args": [
                    {"visible": [j // per_key == k for j in range(per_key * len(keys))]},
                    {"yaxis.title.text": key},
                ],
            }
            for k, key in enumerate(keys)
        ]
        layout["updatemenus"] = [{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.15, "yanchor": "top"}]
    fig.update_layout(**layout)
    return fig


def figures(board: Board, rows: list[dict[str, Any]]) -> dict[str, str]:
    """The board's figures as HTML fragments (a div and its drawing script; plotly.js itself not included)."""
    slug = "".join(c if c.isalnum() else "-" for c in board.task)
    drawn = {"means": means_figure(board), "scores": scores_figure(board, rows)}
    view, _ = novelty.view(board)
    if view is not None:
        drawn["novelty"] = novelty_figure(board, view)
    return {
        name: str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{name}-{slug}", config=_CONFIG))
        for name, fig in drawn.items()
    }
