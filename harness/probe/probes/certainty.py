"""A hedge dropped ("are expected to" -> "will", "reportedly" removed) or, failing one, a booster inserted.

The probe's own short list of English hedges (attribution, expectation, modality, estimation), independent
of the certainty metric's lexicon so that the probe does not test a metric against itself.
"""

from __future__ import annotations

import re

import numpy as np

from harness.probe.base import Edit, Probe, choose, match_case, register_probe

# (pattern, replacement): the replacement states as fact what the pattern reports or expects.
_HEDGES = [
    (r"\bit is (?:understood|believed|thought|reported|expected|likely|possible) that\s+", ""),
    (r"\b(?:is|are) (?:expected|likely|set|due) to\b", "will"),
    (r"\b(?:may|might|could)\b(?=\s+\w)", "will"),
    (r"\b(?:reportedly|allegedly|apparently|possibly|probably|perhaps|reputedly)\s+", ""),
    (r"\b(?:about|around|nearly|almost|roughly|approximately|an estimated|some)\s+(?=[£$€]?\d)", ""),
]
_HEDGE = [(re.compile(pattern, re.IGNORECASE), new) for pattern, new in _HEDGES]
_WILL = re.compile(r"\bwill\b(?!\s+(?:certainly|clearly|definitely)\b)", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))\s*([A-Z])")
_LOWER_FIRST = {"the", "a", "an", "this", "these", "those", "they", "it", "there", "both", "police", "some"}


@register_probe
class Certainty(Probe):
    name = "certainty"
    description = "a hedge dropped ('are expected to' -> 'will') or, if none, a booster inserted"
    # FRANK has no type for certainty; the predicate's modality is what changes.
    frank = "PredE"
    damages = frozenset({"support"})
    designated = ("certainty_shift", "certainty_flags")
    order = 60

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        hedges: list[tuple[Edit, str]] = []
        for pattern, new in _HEDGE:
            for m in pattern.finditer(candidate):
                edit = Edit(m.start(), m.end(), match_case(new, m.group()))
                if not new and _starts_sentence(candidate, m.start()) and m.end() < len(candidate):
                    # "It is understood that the pair" -> "The pair": take the next letter into the edit.
                    edit = Edit(m.start(), m.end() + 1, candidate[m.end()].upper())
                hedges.append((edit, f"dropped hedge {m.group().strip()!r}"))
        if hedges:
            edit, note = choose(rng, hedges)
            return [edit], note
        boosters: list[tuple[Edit, str]] = []
        for m in _WILL.finditer(candidate):
            boosters.append((Edit(m.end(), m.end(), " certainly"), "inserted booster 'certainly' after 'will'"))
        for m in _SENTENCE_START.finditer(candidate):
            word = re.match(r"\w+", candidate[m.start(1) :])
            first = candidate[m.start(1)]
            keep = first if not word or word.group().lower() not in _LOWER_FIRST else first.lower()
            boosters.append(
                (Edit(m.start(1), m.start(1) + 1, "It is clear that " + keep), "inserted booster 'It is clear that'")
            )
        if not boosters:
            return None
        edit, note = choose(rng, boosters)
        return [edit], note


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t")
    return not before.strip() or before[-1] == "\n" or before.rstrip()[-1] in '.!?"\u201d\u2019'
