"""Invariance: "UK" written "United Kingdom" (or "United Kingdom" written "UK")."""

from __future__ import annotations

import re

import numpy as np

from harness.probe.base import Edit, Probe, register_probe

_UK = re.compile(r"\bUK\b")
_LONG = re.compile(r"\bUnited Kingdom\b")


@register_probe
class UkAlias(Probe):
    name = "uk_alias"
    description = "'UK' written 'United Kingdom', or the reverse"
    kind = "invariance"
    order = 230

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        short = list(_UK.finditer(candidate))
        if short:
            return [
                Edit(m.start(), m.end(), "United Kingdom") for m in short
            ], f"'UK' -> 'United Kingdom' x{len(short)}"
        long = list(_LONG.finditer(candidate))
        if long:
            return [Edit(m.start(), m.end(), "UK") for m in long], f"'United Kingdom' -> 'UK' x{len(long)}"
        return None
