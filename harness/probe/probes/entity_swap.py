"""A named entity of the candidate replaced by another entity of the same type from the source."""

from __future__ import annotations

import numpy as np

from harness.probe import names
from harness.probe.base import Edit, Probe, choose, register_probe
from metrics.entities import match


@register_probe
class EntitySwap(Probe):
    name = "entity_swap"
    description = "an entity replaced by another entity of the source"
    frank = "EntE"  # the wrong argument: "Cleverly said" for "Darmanin said"
    damages = frozenset({"support", "coverage"})
    # No metric of the harness is meant to catch it: the new entity is in the source, so entity precision
    # supports it by definition. Not gated; the matrix shows whether anything sees it.
    designated = ()
    order = 40

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        # A correct entity (one the source mentions) made another of the source's: "Darmanin said" for
        # "Cleverly said". The new one may already be in the candidate; it is still the wrong argument here.
        found = [m for m in names.mentions(candidate) if names.mentioned(m.text, source)]
        options = []
        for target in found:
            own = match.key(target)
            for other in names.mentions(source):
                if other.label == target.label and match.key(other) != own and _distinct(target.text, other.text):
                    options.append((target, source[slice(*names.name_span(other))]))
        options = list(dict.fromkeys(options))
        if not options:
            return None
        target, new = choose(rng, options)
        start, end = names.name_span(target)
        return [Edit(start, end, new)], f"{candidate[start:end]!r} ({target.label}) -> {new!r} (from the source)"


def _distinct(one: str, other: str) -> bool:
    """Two names for different things: no word of one inside a word of the other ("Olympic Games" and
    "Olympics" name one event; "UK" and "United Kingdom" are one country, which the alias key catches).
    Words of three letters or fewer ("of", "the", "UK") are not compared."""
    words = [[w for w in match.form(name).casefold().split() if len(w) > 3] for name in (one, other)]
    return not any(a in b or b in a for a in words[0] for b in words[1])
