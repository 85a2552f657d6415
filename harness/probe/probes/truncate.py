"""The candidate cut short: its second half dropped (at a sentence boundary when it has several)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from harness.probe.base import WORD, Edit, Probe, aspect, register_probe, sentence_spans


@register_probe
class Truncate(Probe):
    name = "truncate"
    description = "the second half of the candidate dropped"
    frank = None  # an omission: FRANK labels errors in what a summary says, not what it leaves out
    damages = frozenset({"coverage"})
    order = 100

    def designated_keys(self, keys: Mapping[str, str]) -> list[str]:
        # Every key that measures how much of the source is kept is meant to see an omission.
        return [k for k, d in keys.items() if d in ("higher", "lower") and aspect(k) == "coverage"]

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        spans = sentence_spans(candidate)
        if len(spans) >= 2:
            keep = (len(spans) + 1) // 2
            cut = spans[keep - 1][1]
            note = f"kept {keep} of {len(spans)} sentences"
        else:
            words = list(WORD.finditer(candidate))
            if len(words) < 2:
                return None
            keep = (len(words) + 1) // 2
            cut = words[keep - 1].end()
            note = f"kept {keep} of {len(words)} words"
        return [Edit(cut, len(candidate), "")], note
