"""Two figures of the candidate with different values swapped (each still stated somewhere in it)."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, choose, register_probe
from harness.probe.numbers import figures, value


@register_probe
class NumberSwap(Probe):
    name = "number_swap"
    description = "two figures of the candidate swapped"
    # A figure moved to another fact: in FRANK's examples a wrong quantity or date around the predicate.
    frank = "CircE"
    damages = frozenset({"support"})  # both figures are still there; what they are attached to is wrong
    designated = ("numeric_precision",)
    order = 20

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        found = figures(candidate)
        pairs = [(a, b) for i, a in enumerate(found) for b in found[i + 1 :] if value(a.group()) != value(b.group())]
        if not pairs:
            return None
        first, second = choose(rng, pairs)
        edits = [Edit(first.start(), first.end(), second.group()), Edit(second.start(), second.end(), first.group())]
        return edits, f"{first.group()!r} <-> {second.group()!r}"
