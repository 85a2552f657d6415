"""Invariance: contractions expanded ("isn't" -> "is not"), or, in a text with none, phrases contracted.

Only unambiguous forms: "'s" is expanded to "is" only where "has" cannot be meant (not before "been", "got"
or "had"), and "'d" (had or would) is left alone.
"""

from __future__ import annotations

import re

import numpy as np

from harness.probe.base import Edit, Probe, match_case, register_probe

_PAIRS = [
    ("will not", "won't"),
    ("cannot", "can't"),
    ("shall not", "shan't"),
    *((f"{verb} not", f"{verb}n't") for verb in ("do", "does", "did", "is", "are", "was", "were", "has", "have")),
    *((f"{verb} not", f"{verb}n't") for verb in ("had", "would", "could", "should", "must")),
    *((f"{pronoun} is", f"{pronoun}'s") for pronoun in ("it", "that", "there", "he", "she", "what", "who")),
    *((f"{pronoun} are", f"{pronoun}'re") for pronoun in ("they", "we", "you")),
    *((f"{pronoun} have", f"{pronoun}'ve") for pronoun in ("they", "we", "you", "I")),
    *((f"{pronoun} will", f"{pronoun}'ll") for pronoun in ("they", "we", "you", "I", "it", "he", "she")),
    ("I am", "I'm"),
    ("let us", "let's"),
]
_APOSTROPHE = "['\u2019]"


def _pattern(phrases: list[str], *, contracted: bool) -> re.Pattern[str]:
    parts = sorted(phrases, key=len, reverse=True)
    body = "|".join(re.escape(p).replace("'", _APOSTROPHE).replace(r"\ ", r"\s+") for p in parts)
    # "it's been" means "it has been": never expand "'s" before a participle or "got".
    guard = r"(?!\s+(?:been|got|had)\b)" if contracted else ""
    return re.compile(rf"\b(?:{body})\b{guard}", re.IGNORECASE)


_EXPANDED = {long.lower(): short for long, short in _PAIRS}
_CONTRACTED = {short.lower(): long for long, short in _PAIRS}
_FIND_EXPANDED = _pattern([long for long, _ in _PAIRS], contracted=False)
_FIND_CONTRACTED = _pattern([short for _, short in _PAIRS], contracted=True)


@register_probe
class Contractions(Probe):
    name = "contractions"
    description = "contractions expanded (isn't -> is not), or phrases contracted in a text with none"
    kind = "invariance"
    order = 220

    def edits(self, candidate: str, *, source: str, rng: np.random.Generator) -> tuple[list[Edit], str] | None:
        contracted = list(_FIND_CONTRACTED.finditer(candidate))
        if contracted:
            edits = [Edit(m.start(), m.end(), match_case(_CONTRACTED[_key(m.group())], m.group())) for m in contracted]
            return edits, f"{len(edits)} contractions expanded"
        curly = "\u2019" in candidate
        edits = []
        for m in _FIND_EXPANDED.finditer(candidate):
            short = _EXPANDED[" ".join(m.group().lower().split())]
            edits.append(
                Edit(m.start(), m.end(), match_case(short.replace("'", "\u2019") if curly else short, m.group()))
            )
        return (edits, f"{len(edits)} phrases contracted") if edits else None


def _key(text: str) -> str:
    return text.lower().replace("\u2019", "'")
