"""The candidate's sentences put in another order (every sentence kept, word for word)."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, register_probe, sentence_spans


@register_probe
class Shuffle(Probe):
    name = "shuffle"
    description = "the candidate's sentences shuffled"
    frank = "LinkE"  # the discourse links between statements (then, because, it) now point elsewhere
    damages = frozenset({"support"})
    # No metric of the harness is built to check discourse order; not gated, the matrix shows what sees it.
    designated = ()
    order = 90

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        spans = sentence_spans(candidate)
        if len(spans) < 2 or len({candidate[a:b] for a, b in spans}) < 2:
            return None
        order = list(range(len(spans)))
        while order == sorted(order):
            order = [int(i) for i in rng.permutation(len(spans))]
        # The text between sentences stays where it was; only the sentences move.
        gaps = [candidate[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        pieces = [candidate[slice(*spans[order[0]])]]
        for gap, index in zip(gaps, order[1:]):
            pieces += [gap, candidate[slice(*spans[index])]]
        return [Edit(spans[0][0], spans[-1][1], "".join(pieces))], f"sentence order {[i + 1 for i in order]}"
