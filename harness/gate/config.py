"""The regression gate's configuration: its thresholds, and how a threshold is parsed and checked.

A gate is the same whether it comes from a task file's ``gate:`` section (read by :mod:`harness.read.tasks`) or
from ``--max-drop`` / ``--min`` / ``--max-count`` flags (:func:`parse_flags`); :mod:`harness.gate.compare` decides
it against a comparison. This module is below both so that a task file can be checked without the comparison
code and the comparison can read a task file's gate without a cycle back through :mod:`harness.read.tasks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError, did_you_mean
from harness.rank import findings

# The numeric metric's discrepancy kinds from before findings had names: ``max_count: {scale: 0}`` still
# counts ``details.numeric.discrepancies`` of that kind.
DISCREPANCY_KINDS = ("unsupported", "scale", "unit", "value", "bound", "missing")
GATE_SECTIONS = ("max_drop", "min", "max_count")


@dataclass(frozen=True)
class Gate:
    """Thresholds, by key (``max_drop``, ``min``) or by finding name or numeric discrepancy kind (``max_count``)."""

    max_drop: dict[str, float] = field(default_factory=dict)
    min: dict[str, float] = field(default_factory=dict)
    max_count: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.max_drop or self.min or self.max_count)

    def overridden_by(self, other: Gate) -> Gate:
        """This gate with ``other``'s thresholds added, ``other`` winning on the same key or kind."""
        return Gate(
            {**self.max_drop, **other.max_drop}, {**self.min, **other.min}, {**self.max_count, **other.max_count}
        )


def gate_value_problem(section: str, name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid threshold for ``name`` in ``section`` (None when it is)."""
    if section == "max_count":
        if ":" in name:
            problem = findings.name_problem(name)
            if problem:
                return problem
        elif name not in DISCREPANCY_KINDS:
            return (
                f"unknown discrepancy kind {name!r}{did_you_mean(name, DISCREPANCY_KINDS)}; "
                "or give a finding name METRIC:KIND (e.g. quotes:fabricated)"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"max_count {name}: expected a whole number >= 0, got {value!r}"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{section} {name}: expected a number, got {value!r}"
    if section == "max_drop" and value < 0:
        return f"max_drop {name}: the allowed drop must be >= 0, got {value!r}"
    return None


def parse_flags(max_drop: list[str], minimum: list[str], max_count: list[str]) -> Gate:
    """A gate from ``--max-drop KEY=DELTA``, ``--min KEY=VALUE`` and ``--max-count KIND=N`` values."""
    found: dict[str, dict[str, Any]] = {section: {} for section in GATE_SECTIONS}
    for section, option, values, example in (
        ("max_drop", "--max-drop", max_drop, "numeric_precision=0.02"),
        ("min", "--min", minimum, "rougeLsum_f=0.4"),
        ("max_count", "--max-count", max_count, "unsupported=0"),
    ):
        for item in values:
            name, sep, text = item.partition("=")
            name = name.strip()
            try:
                value: Any = int(text) if section == "max_count" else float(text)
            except ValueError:
                value = None
            if not sep or not name or value is None:
                raise HarnessError(f"{option} {item!r}: expected {option} {example}")
            problem = gate_value_problem(section, name, value)
            if problem:
                raise HarnessError(f"{option} {item!r}: {problem}")
            if name in found[section]:
                raise HarnessError(f"{option} {name!r} given twice")
            found[section][name] = value
    return Gate(found["max_drop"], found["min"], found["max_count"])
