"""A negation inserted after an auxiliary ("will" -> "will not") or an existing one removed."""

from __future__ import annotations

import re

import numpy as np

from harness.probe.base import Edit, Probe, choose, register_probe

_AUXILIARY = re.compile(
    r"\b(?:is|are|was|were|will|would|can|could|should|may|might|must|has|have|had)\b(?!\s+not\b)(?!n['\u2019]t)",
    re.IGNORECASE,
)
# Removing: " not" and " never" after a word, and the n't of a contraction (won't -> will, can't -> can).
_NOT = re.compile(r"\s+(?:not|never)\b", re.IGNORECASE)
_CONTRACTED = re.compile(r"\b(?:(wo)|(ca)|([a-z]+))(n['\u2019]t)\b", re.IGNORECASE)


@register_probe
class Negation(Probe):
    name = "negation"
    description = "a negation inserted after an auxiliary, or an existing one removed"
    frank = "PredE"  # the predicate now says the opposite
    damages = frozenset({"support"})
    designated = ("polarity_flips",)
    order = 50

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        sites: list[tuple[Edit, str]] = []
        for m in _AUXILIARY.finditer(candidate):
            sites.append((Edit(m.end(), m.end(), " not"), f"inserted 'not' after {m.group()!r}"))
        for m in _NOT.finditer(candidate):
            sites.append((Edit(m.start(), m.end(), ""), f"removed {m.group().strip()!r}"))
        for m in _CONTRACTED.finditer(candidate):
            if m.group(1):  # won't -> will
                edit = Edit(m.start(), m.end(), m.group(1)[0] + "ill")
            elif m.group(2):  # can't -> can
                edit = Edit(m.start(2) + 2, m.end(), "n")
            else:  # isn't -> is, doesn't -> does
                edit = Edit(m.start(4), m.end(), "")
            sites.append((edit, f"removed the negation of {m.group()!r}"))
        if not sites:
            return None
        edit, note = choose(rng, sites)
        return [edit], note
