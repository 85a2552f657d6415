"""The quote marks of one quotation removed: the words stay, the attribution to the speaker goes."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, choose, register_probe
from harness.probe.quotes import quoted


@register_probe
class QuotesRemoved(Probe):
    name = "quotes_removed"
    description = "the quote marks of a quotation removed"
    # FRANK has no attribution type: a speaker's words now read as the writer's statement.
    frank = "Other"
    damages = frozenset({"support", "coverage"})
    designated = ("quotes_kept",)
    order = 70

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        found = quoted(candidate)
        if not found:
            return None
        target = choose(rng, found)
        edits = [Edit(target.start(), target.start() + 1, ""), Edit(target.end() - 1, target.end(), "")]
        text = target.group()
        return edits, f"unquoted {text[:60] + ('…' if len(text) > 60 else '')}"
