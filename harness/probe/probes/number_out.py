"""A figure of the candidate changed to a value the source never states (an extrinsic number)."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, choose, register_probe
from harness.probe.numbers import another, figures, value


@register_probe
class NumberOut(Probe):
    name = "number_out"
    description = "a figure of the candidate changed to a value the source does not state"
    frank = "OutE"  # information not in the article
    damages = frozenset({"support", "coverage"})  # an unsupported figure in, the source's figure out
    designated = ("numeric_precision",)
    order = 10

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        avoid = {value(m.group()) for m in figures(source)}
        # Only a figure the source states: changing one it does not would swap one error for another.
        found = [m for m in figures(candidate) if value(m.group()) in avoid]
        if not found:
            return None
        target = choose(rng, found)
        new = another(target.group(), rng, avoid)
        if new is None:
            return None
        return [Edit(target.start(), target.end(), new)], f"{target.group()!r} -> {new!r}"
