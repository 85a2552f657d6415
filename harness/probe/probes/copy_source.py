"""The source itself as the candidate: faithful by construction, so no fidelity key should call it worse."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, register_probe


@register_probe
class CopySource(Probe):
    name = "copy_source"
    description = "the source itself as the candidate"
    frank = None
    kind = "reference"
    order = 110

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        if candidate == source:
            return None
        return [Edit(0, len(candidate), source)], "candidate replaced by its source"
