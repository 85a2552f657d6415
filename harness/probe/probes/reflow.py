"""Invariance: the text re-wrapped at another line width (spaces become line breaks; paragraphs stay)."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, register_probe

_MIN_WIDTH, _MAX_WIDTH = 30, 70


@register_probe
class Reflow(Probe):
    name = "reflow"
    description = "whitespace re-flowed: the text re-wrapped at a width of 30 to 70 characters"
    kind = "invariance"
    order = 210

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        width = int(rng.integers(_MIN_WIDTH, _MAX_WIDTH + 1))
        edits = []
        line_start = 0
        last_space = -1
        for i, c in enumerate(candidate):
            if c == "\n":
                line_start, last_space = i + 1, -1
            elif c == " ":
                if i - line_start > width and last_space > line_start:
                    edits.append(Edit(last_space, last_space + 1, "\n"))
                    line_start = last_space + 1
                last_space = i
        if len(candidate) - line_start > width and last_space > line_start:
            edits.append(Edit(last_space, last_space + 1, "\n"))
        return (edits, f"wrapped at {width} characters ({len(edits)} line breaks)") if edits else None
