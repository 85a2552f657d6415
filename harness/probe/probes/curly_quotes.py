"""Invariance: straight quote marks and apostrophes made curly (or curly ones straight, if it has no straight)."""

from __future__ import annotations

import re

import numpy as np

from harness.probe.base import Edit, Probe, register_probe

_STRAIGHT = re.compile(r"[\"']")
_CURLY = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}
_OPENS_AFTER = " \t\n([{\u2014\u2013-"


@register_probe
class CurlyQuotes(Probe):
    name = "curly_quotes"
    description = "straight quotes and apostrophes made curly, or curly ones straight"
    kind = "invariance"
    order = 200

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        straight = list(_STRAIGHT.finditer(candidate))
        if straight:
            edits = []
            for m in straight:
                opening = m.start() == 0 or candidate[m.start() - 1] in _OPENS_AFTER
                if m.group() == '"':
                    edits.append(Edit(m.start(), m.end(), "\u201c" if opening else "\u201d"))
                else:
                    edits.append(Edit(m.start(), m.end(), "\u2018" if opening else "\u2019"))
            return edits, f"{len(edits)} straight marks made curly"
        edits = [Edit(i, i + 1, _CURLY[c]) for i, c in enumerate(candidate) if c in _CURLY]
        return (edits, f"{len(edits)} curly marks made straight") if edits else None
