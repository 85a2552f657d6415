"""Compare the certainty of aligned sentences: hedges dropped, boosters added, negations that changed parity.

Each candidate sentence is aligned with its most similar source sentence (``analyse.align``); candidate
sentences aligned with the same source sentence are compared with it together, so a sentence split in two
that keeps its attribution in one half is not a shift. For one such pair, with the in-scope cues (see
``metrics.certainty.analyse``) counted per category on each side:

    shift = max(0, sum over hedge categories (source - candidate) + (candidate boosters - source boosters))

where attribution counts 0 or 1 on each side (one attribution makes a claim a report, however many there
are), so a hedge exchanged for another hedge ("reportedly" → "may") is no shift, a hedge dropped is +1 and a
booster added is +1 ("it is understood that" → "it is clear that": +2). A pair is *flagged* when its shift is
positive. The polarity check counts negations (minus idioms such as "not least", "no doubt") one of whose
next three words in their clause occurs on the other side: an odd difference is a *flip*. Lexical negation
is not read, so "will fail" → "will not succeed next year" is a flip too.

Within a category, cues are paired up first by equal text (kept), then in order (replaced, e.g. "sources
said" → "according to"); what is left is dropped (source) or added (candidate); no attribution is listed
as dropped while the candidate keeps one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metrics.certainty import lexicon
from metrics.certainty.analyse import Analysed, Cue, Sentence, align

VERSION = "1"


@dataclass
class Result:
    """The counts behind the keys, every aligned pair's details, and the candidate sentences not compared."""

    shift: int = 0
    flags: int = 0
    flips: int = 0
    pairs: list[dict[str, Any]] = field(default_factory=list)
    unaligned: list[dict[str, int]] = field(default_factory=list)


def _in_scope(cue: Cue, sentence: Sentence, other: frozenset[str]) -> bool:
    """A source cue counts when a content word next to it survives in the candidate (or it has none)."""
    near = sentence.near(cue)
    return not near or any(word in other for word in near)


def _belongs_elsewhere(cue: Cue, sentence: Sentence, aligned: frozenset[str], source: Analysed) -> bool:
    """A candidate cue is left out when its neighbours come from another source sentence, none from the
    aligned one (a sentence that merges two). New words around it (a paraphrase) keep it in."""
    near = sentence.near(cue)
    return not any(word in aligned for word in near) and any(word in source.index for word in near)


def _pair_up(source: list[Cue], candidate: list[Cue]) -> tuple[list[Cue], list[tuple[Cue, Cue]], list[Cue]]:
    """Dropped source cues, replaced (source, candidate) pairs and added candidate cues of one category.
    Linear: a text of a megabyte can hold a hundred thousand cues."""
    by_text: dict[str, list[int]] = {}
    for index, cue in reversed(list(enumerate(candidate))):
        by_text.setdefault(cue.text.lower(), []).append(index)  # reversed, so pop() gives the earliest
    used: set[int] = set()
    unmatched: list[Cue] = []
    for cue in source:
        same = by_text.get(cue.text.lower())
        if same:
            used.add(same.pop())
        else:
            unmatched.append(cue)
    left = [cue for index, cue in enumerate(candidate) if index not in used]
    replaced = list(zip(unmatched, left))
    return unmatched[len(replaced) :], replaced, left[len(replaced) :]


def compare(source: Analysed, candidate: Analysed, floor: float) -> Result:
    """Align ``candidate``'s sentences with ``source``'s (similarity >= ``floor``) and compare each pair."""
    result = Result()
    groups: dict[int, list[int]] = {}
    similarity: dict[int, float] = {}
    for index, found in enumerate(align(source, candidate, floor)):
        sentence = candidate.sentences[index]
        if found is None:
            result.unaligned.append({"start": sentence.start, "end": sentence.end})
            continue
        groups.setdefault(found[0], []).append(index)
        similarity[index] = found[1]
    for at in sorted(groups):
        src = source.sentences[at]
        cands = [candidate.sentences[i] for i in groups[at]]
        cand_words = frozenset().union(*(c.vocabulary for c in cands))
        src_words = src.vocabulary
        src_cues = [c for c in src.cues if _in_scope(c, src, cand_words)]
        cand_cues = [c for s in cands for c in s.cues if not _belongs_elsewhere(c, s, src_words, source)]
        counted = set(src_cues) | set(cand_cues)
        out_of_scope = [c for c in src.cues if c not in counted] + [
            c for s in cands for c in s.cues if c not in counted
        ]
        dropped: list[Cue] = []
        added: list[Cue] = []
        replaced: list[dict[str, Any]] = []
        net = 0
        for category in lexicon.CATEGORIES:
            mine = [c for c in src_cues if c.category == category]
            theirs = [c for c in cand_cues if c.category == category]
            gone, swapped, new = _pair_up(mine, theirs)
            replaced += [{"source": a.as_json(), "candidate": b.as_json()} for a, b in swapped]
            if category == "attribution":
                # One attribution is enough to make a claim someone's report ("X, sources said, according to
                # the Telegraph" -> "X, sources said" shifts nothing): count whether there is one, not how many.
                net += min(len(mine), 1) - min(len(theirs), 1)
                gone = gone if not theirs else []
                new = new if not mine else []
            else:
                sign = 1 if category in lexicon.HEDGES else -1
                net += sign * (len(mine) - len(theirs))
            dropped += gone
            added += new
        shift = max(0, net)
        src_neg = [c for c in src.negations if _in_scope(c, src, cand_words)]
        # Negations count on the candidate's side too only when the words they negate come from this source
        # sentence: a "not" that arrived with words from another sentence (a merge) is not a flip here.
        cand_neg = [c for s in cands for c in s.negations if _in_scope(c, s, src_words)]
        flip = (len(src_neg) - len(cand_neg)) % 2 == 1
        result.shift += shift
        result.flags += shift > 0
        result.flips += flip
        result.pairs.append(
            {
                "source": {"start": src.start, "end": src.end},
                "candidates": [{"start": c.start, "end": c.end} for c in cands],
                "similarity": round(max(similarity[i] for i in groups[at]), 6),
                "shift": shift,
                "dropped": [c.as_json() for c in dropped],
                "added": [c.as_json() for c in added],
                "replaced": replaced,
                "out_of_scope": [c.as_json() for c in out_of_scope],
                "negations": {"source": [c.as_json() for c in src_neg], "candidate": [c.as_json() for c in cand_neg]},
                "polarity_flip": flip,
            }
        )
    return result
