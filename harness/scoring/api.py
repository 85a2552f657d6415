"""``harness.score``: score candidates against their sources with any registered metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, build_metric, check_scores


def resolve_metrics(metrics: Sequence[str | Metric]) -> list[Metric]:
    """Turn metric names (or ready instances) into metric objects, rejecting duplicates."""
    built = [m if isinstance(m, Metric) else build_metric(m) for m in metrics]
    names = [m.name for m in built]
    for name in names:
        if names.count(name) > 1:
            raise HarnessError(f"metric {name!r} is listed twice")
    return built


def score(
    *,
    sources: Sequence[str],
    candidates: Sequence[str],
    metrics: Sequence[str | Metric] = ("rouge",),
    details: bool = False,
) -> list[dict[str, Any]]:
    """Score each candidate against the source at the same index; one flat dict of scores per pair.

    With ``details=True`` each dict also has a ``details`` entry: metric name -> what explains its scores
    (for the metrics that give any, such as the numeric discrepancies).

    >>> score(sources=["testing one two"], candidates=["testing"], metrics=["rouge"])[0]["rouge1_r"]
    0.3333333333333333
    """
    if isinstance(sources, str) or isinstance(candidates, str):
        raise HarnessError("score: sources and candidates must be lists of strings, not a single string")
    rows: list[dict[str, Any]] = [{} for _ in sources]
    explained: list[dict[str, Any]] = [{} for _ in sources]
    for metric in resolve_metrics(metrics):
        found, extra = metric.score_with_details(sources=sources, candidates=candidates)
        check_scores(metric, found)
        for row, values in zip(rows, found):
            row.update(values)
        for index, detail in enumerate(extra or []):
            explained[index][metric.name] = detail
    if details:
        for row, detail in zip(rows, explained):
            row["details"] = detail
    return rows
