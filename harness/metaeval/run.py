"""``harness meta-eval`` without the CLI: resolve the datasets, gather their scores (scoring what is missing),
compute every statistic, and write the JSON and the HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.metaeval import analysis, data, formats
from harness.metaeval.levels import LEVELS
from harness.rank.stats import DEFAULT_RESAMPLES

ALL = "all"
JSON_FILE, HTML_FILE = "metaeval.json", "metaeval.html"


def parse_list(text: str | None, what: str, known: tuple[str, ...] | None = None) -> list[str] | None:
    """A comma-separated option, each name checked against ``known`` when given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise HarnessError(f"--{what} needs at least one name")
    for name in names:
        if names.count(name) > 1:
            raise HarnessError(f"--{what} lists {name!r} twice")
        if known is not None and name not in known:
            raise HarnessError(f"--{what}: unknown {what} {name!r}{did_you_mean(name, known)}")
    return names


def meta_evaluate(
    dataset: str,
    *,
    results_dir: Path,
    metrics: str | None = None,
    metric_options: list[str] | None = None,
    aspect: str | None = None,
    level: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 1234,
    split: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """The meta-evaluation document of one dataset, or of every known one (``all``)."""
    if resamples < 1:
        raise HarnessError("--resamples must be at least 1")
    metric_names = parse_list(metrics, "metrics")
    from harness.scoring.metric_options import parse_metric_options

    flags = parse_metric_options(metric_options or [])  # checked before any dataset is read
    chosen_levels = parse_list(level, "level", LEVELS)
    infos = list(data.DATASETS.values()) if dataset == ALL else [data.resolve(dataset)]
    settings = analysis.Settings(
        aspect=aspect,
        levels=tuple(chosen_levels) if chosen_levels else None,
        resamples=resamples,
        seed=seed,
    )
    results = []
    for info in infos:
        # With "all", --split is FRANK's: the datasets without splits ignore it.
        own_split = None if dataset == ALL and info.split_field is None else split
        scores = data.gather(
            info,
            results_dir=results_dir,
            metric_names=metric_names,
            metric_options=flags,
            split=own_split,
            seed=seed,
            progress=progress,
        )
        if dataset == ALL and aspect is not None and aspect not in scores.human:
            progress(f"note: {info.name} has no human field {aspect!r}: left out")
            continue
        progress(f"{info.name}: statistics ({resamples} resamples)")
        results.append(analysis.evaluate(scores, settings))
    if not results:
        raise HarnessError(f"no dataset has the human field {aspect!r}")
    return formats.document(results, settings)


def write_outputs(doc: dict[str, Any], out_dir: Path) -> list[Path]:
    """``metaeval.json`` and the self-contained ``metaeval.html`` in ``out_dir``."""
    from harness.metaeval.page import render_page

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path, html_path = out_dir / JSON_FILE, out_dir / HTML_FILE
        json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
        html_path.write_text(render_page(doc), encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"{out_dir}: cannot write the meta-evaluation ({exc.strerror})") from None
    return [json_path, html_path]
