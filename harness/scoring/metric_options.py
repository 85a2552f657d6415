"""``--metric-option NAME.KEY=VALUE``: set a metric's option from the command line (eval, score, probe,
meta-eval), over what the task file sets.

VALUE is read as YAML, as it would be written in the task file: ``false``, ``3``, ``0.5``, ``{entailment: 0,
contradiction: 2}``; anything else is the string itself (``command:./my_judge.sh``). A mistyped metric or
option name gets "did you mean", from the metric's own option list, before anything runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError, did_you_mean
from harness.scoring.registry import metric_class, metric_names

if TYPE_CHECKING:
    from harness.read.tasks import MetricSpec

FLAG = "--metric-option"


def option_names(metric: str) -> list[str]:
    """The options a metric takes (its keyword-only ``__init__`` parameters)."""
    return [p for p in inspect.signature(metric_class(metric).__init__).parameters if p != "self"]


def parse_metric_options(items: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``NAME.KEY=VALUE`` flags as ``{metric: {option: value}}``, each name checked."""
    import yaml

    found: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, text = item.partition("=")
        metric, dot, key = target.strip().partition(".")
        if not sep or not dot or not metric or not key:
            raise HarnessError(f"{FLAG} {item!r}: expected NAME.KEY=VALUE, e.g. {FLAG} rouge.use_stemmer=false")
        if metric not in metric_names():
            raise HarnessError(f"{FLAG} {item!r}: unknown metric {metric!r}{did_you_mean(metric, metric_names())}")
        allowed = option_names(metric)
        if key not in allowed:
            raise HarnessError(f"{FLAG} {item!r}: metric {metric!r} has no option {key!r}{did_you_mean(key, allowed)}")
        if key in found.get(metric, {}):
            raise HarnessError(f"{FLAG} {metric}.{key} given twice")
        try:
            value = yaml.safe_load(text) if text.strip() else text
        except yaml.YAMLError as exc:
            problem = str(exc).splitlines()[0]
            raise HarnessError(f"{FLAG} {item!r}: the value is not valid YAML ({problem})") from None
        # A scalar that YAML turns into something else (a date, null) stays the text the user typed.
        if not isinstance(value, bool | int | float | str | dict | list):
            value = text
        found.setdefault(metric, {})[key] = value
    return found


def apply_metric_options(
    specs: Sequence[MetricSpec], options: dict[str, dict[str, Any]], *, chosen_by: str = "the task"
) -> tuple[MetricSpec, ...]:
    """``specs`` with the flags' options over their own; a flag for a metric not among them is an error."""
    from harness.read.tasks import MetricSpec

    names = [spec.name for spec in specs]
    for metric in options:
        if metric not in names:
            raise HarnessError(
                f"{FLAG} {metric}.…: metric {metric!r} is not among the metrics of this run ({', '.join(names)}, "
                f"from {chosen_by}); add it with --metrics"
            )
    return tuple(MetricSpec(spec.name, {**spec.options, **options.get(spec.name, {})}) for spec in specs)
