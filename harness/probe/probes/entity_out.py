"""A named entity of the candidate replaced by one of the same type that the source does not mention."""

from __future__ import annotations

import numpy as np

from harness.probe import names
from harness.probe.base import Edit, Probe, choose, register_probe


@register_probe
class EntityOut(Probe):
    name = "entity_out"
    description = "an entity replaced by one of the same type not in the source"
    frank = "EntE"  # a wrong argument of the predicate (and one from outside the article)
    damages = frozenset({"support", "coverage"})
    designated = ("entities_precision",)
    order = 30

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        # Only an entity the source mentions: replacing one it does not would swap one error for another.
        found = [m for m in names.mentions(candidate) if names.mentioned(m.text, source)]
        if not found:
            return None
        target = choose(rng, found)
        pool = [n for n in names.POOL[target.label] if not names.mentioned(n, source + "\n" + candidate)]
        if not pool:
            return None
        new = choose(rng, pool)
        start, end = names.name_span(target)
        return [Edit(start, end, new)], f"{candidate[start:end]!r} ({target.label}) -> {new!r}"
