"""The metric flags shared by ``eval``, ``score`` and ``probe``: ``--metrics a,b`` and ``--metric-option``."""

from __future__ import annotations

from harness.errors import HarnessError
from harness.read.tasks import MetricSpec, Task
from harness.scoring.metric_options import apply_metric_options, parse_metric_options


def metric_specs(metrics: str | None) -> tuple[MetricSpec, ...] | None:
    """The metrics of ``--metrics a,b`` (None when the flag is absent: the task's are used)."""
    if metrics is None:
        return None
    names = [name.strip() for name in metrics.split(",") if name.strip()]
    if not names:
        raise HarnessError("--metrics needs at least one metric name, e.g. --metrics rouge")
    for name in names:
        if names.count(name) > 1:
            raise HarnessError(f"--metrics lists {name!r} twice")
    return tuple(MetricSpec(name) for name in names)


def with_metric_options(
    specs: tuple[MetricSpec, ...] | None, items: list[str] | None, task: Task | None
) -> tuple[MetricSpec, ...] | None:
    """The run's metric specs (``specs``, else the task's) with the ``--metric-option`` flags applied; ``specs``
    unchanged when there are none."""
    flags = parse_metric_options(items or [])
    if not flags:
        return specs
    if specs is None:
        assert task is not None, "without --metrics the task's metrics are the ones the options apply to"
        return apply_metric_options(task.metrics, flags, chosen_by=f"task {task.name!r}")
    return apply_metric_options(specs, flags, chosen_by="--metrics")
