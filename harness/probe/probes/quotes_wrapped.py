"""A sentence of the candidate that the source does not contain word for word wrapped in quote marks: a
paraphrase presented as somebody's exact words."""

from __future__ import annotations

import numpy as np

from harness.probe.base import Edit, Probe, choose, register_probe, sentence_spans
from harness.probe.quotes import quoted
from metrics.entities.match import fold

_MIN_WORDS = 4
_TRAILING = ".!?;:,"


@register_probe
class QuotesWrapped(Probe):
    name = "quotes_wrapped"
    description = "a paraphrased sentence wrapped in quote marks"
    frank = "OutE"  # a quotation the article does not contain
    damages = frozenset({"support"})
    designated = ("quotes_precision", "quotes_fabricated", "quotes_altered")
    order = 80

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        marked = [(m.start(), m.end()) for m in quoted(candidate)]
        folded_source = fold(source).casefold()
        options = []
        for start, end in sentence_spans(candidate):
            while end > start and candidate[end - 1] in _TRAILING:
                end -= 1
            body = candidate[start:end]
            if any(a < end and start < b for a, b in marked) or any(c in body for c in '"\u201c\u201d'):
                continue
            if len(body.split()) >= _MIN_WORDS and fold(body).casefold() not in folded_source:
                options.append((start, end))
        if not options:
            return None
        start, end = choose(rng, options)
        edits = [Edit(start, start, "\u201c"), Edit(end, end, "\u201d")]
        body = candidate[start:end]
        return edits, f"quoted {body[:60] + ('…' if len(body) > 60 else '')}"
