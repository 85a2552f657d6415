"""What a figure is bound to: the content words of its clause, to check that a figure the source backs is backed
*for the same thing*.

A value match alone lets a rewrite exchange two figures ("the bridge will cost £2bn, the tunnel £500m" where
the source says the reverse). Dependency- and QA-based factuality checks (DAE, Goyal &
Durrett 2020; QAGS, Wang et al. 2020; QAFactEval, Fabbri et al. 2022) test each fact in the context the source
gives it; this is the light, explainable version for figures: each quantity carries the content words of its
clause (bounded by punctuation and by ``and``/``but``/``while``/``which``/``who``, at most eight words each
side), lightly stemmed, and the matcher compares the rewrite's clause with the clause of each source mention.

An ``attribution`` error is an exchange (see :func:`metrics.numeric.match.attribution`): the figure's clause
shares more words with the clause of *another* source figure, one the rewrite states elsewhere, than with any
mention that backs it, and that other figure of the rewrite is misplaced the same way; or two figures of one
clause each sit in the slot where the source has the other.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from metrics.numeric import lexicon as lx
from metrics.numeric import words as nw

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# Clause ends: punctuation (a full stop or comma only before a space, so "2.5" and "1,200" stay whole) and
# the conjunctions and relative pronouns that start another clause.
_BOUNDARY = re.compile(
    r"[;:!?\n()\"“”]|[.,](?=\s|$)|\s(?:and|but|while|whereas|which|who|whose|although|though)\s", re.I
)
_SPAN = 80  # characters looked at on each side of a figure
_SENTENCE_SPAN = 300
# A sentence ends at . ! ? before a space, or before a capital with the space lost ("said.The"), or a line break.
_SENTENCE_END = re.compile(r"[.!?](?=\s|$|[A-Z])|\n")
_WORDS_EACH_SIDE = 8
# Words that say nothing of what a figure counts: function words, reporting and auxiliary verbs.
_STOP = (
    lx.STOPWORDS
    | nw.NUMBER_WORDS
    | frozenset(nw.DENOMINATORS)
    | frozenset(lx.QUALIFIERS)
    | frozenset(
        [
            "it",
            "he",
            "she",
            "they",
            "we",
            "you",
            "i",
            "him",
            "them",
            "us",
            "me",
            "there",
            "here",
            "not",
            "no",
            "nor",
            "so",
            "if",
            "then",
            "than",
            "also",
            "just",
            "only",
            "still",
            "said",
            "says",
            "say",
            "told",
            "according",
            "has",
            "have",
            "had",
            "having",
            "will",
            "would",
            "could",
            "should",
            "may",
            "might",
            "must",
            "can",
            "do",
            "does",
            "did",
            "done",
            "being",
            "be",
            "is",
            "was",
            "were",
            "are",
            "am",
            "been",
            "get",
            "got",
            "make",
            "made",
            "new",
            "last",
            "next",
            "first",
            "this",
            "that",
            "these",
            "those",
            "what",
            "when",
            "where",
            "why",
            "how",
            "all",
            "any",
            "both",
            "each",
            "few",
            "many",
            "much",
            "most",
            "other",
            "such",
            "own",
            "same",
            "very",
            "more",
            "less",
            "least",
            "into",
            "onto",
            "upon",
            "out",
            "off",
            "up",
            "down",
            "over",
            "under",
            "again",
            "further",
            "once",
            "after",
            "before",
            "since",
            "until",
            "during",
            "about",
            "against",
            "between",
            "through",
            "per",
            "via",
            "within",
            "without",
            "around",
            "among",
            "mr",
            "mrs",
            "ms",
            "dr",
            "year",
            "years",
        ]
    )
)
_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stem (lower-cased): "charged"/"charges" -> "charg", "homes" -> "hom"."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class Frame(NamedTuple):
    """What a figure is bound to: the content words of its clause (lower-cased, and stemmed in ``stems``), and
    its slot, the words right before and after it, function words included ("high of 745,000 in")."""

    clause: tuple[str, ...]
    slot: tuple[str, str]
    stems: frozenset[str]


EMPTY = Frame((), ("", ""), frozenset())


def _between(left: str, right: str, boundary: re.Pattern[str]) -> tuple[str, str]:
    """The text before and after a figure cut at the nearest ``boundary`` on each side."""
    cuts = list(boundary.finditer(left))
    if cuts:
        left = left[cuts[-1].end() :]
    cut = boundary.search(right)
    return left, (right[: cut.start()] if cut else right)


def _window(text: str, start: int, end: int, span: int) -> tuple[str, str]:
    """Up to ``span`` characters each side of ``text[start:end]``, less a word the window's edge cuts (a
    fragment of a word is no word)."""
    left = text[max(0, start - span) : start]
    right = text[end : end + span]
    if start > span and text[start - span - 1].isalpha():
        left = left[left.find(" ") + 1 :] if " " in left else ""
    if end + span < len(text) and text[end + span].isalpha():
        right = right[: right.rfind(" ")] if " " in right else ""
    return left, right


def frame(text: str, start: int, end: int) -> Frame:
    """The clause and slot of the figure at ``text[start:end]``, its own words left out."""
    left, right = _between(*_window(text, start, end, _SPAN), _BOUNDARY)
    words_left, words_right = _WORD.findall(left), _WORD.findall(right)
    before = [w.lower() for w in words_left if w.lower() not in _STOP][-_WORDS_EACH_SIDE:]
    after = [w.lower() for w in words_right if w.lower() not in _STOP][:_WORDS_EACH_SIDE]
    clause = tuple(dict.fromkeys(before + after))
    slot = (words_left[-1].lower() if words_left else "", words_right[0].lower() if words_right else "")
    return Frame(clause, slot, frozenset(stem(w) for w in clause))


def sentence(text: str, start: int, end: int) -> frozenset[str]:
    """The stems of the content words of the sentence around ``text[start:end]`` (within 300 characters each
    side), its own words left out: a looser frame than the clause, for checks where the clause is too narrow
    (a bound backed by another figure: "the council in south London, which paid more than £2.1m" is about
    London, and so is "more than £1m was spent in London")."""
    left, right = _between(*_window(text, start, end, _SENTENCE_SPAN), _SENTENCE_END)
    words = (w.lower() for w in (*_WORD.findall(left), *_WORD.findall(right)))
    return frozenset(stem(w) for w in words if w not in _STOP)


def overlap(a: Frame, b: Frame) -> int:
    """How many clause words (stemmed) two figures share."""
    return len(a.stems & b.stems)


def same_clause(a: Frame, b: Frame) -> bool:
    """Two figures of one clause: their clause words (windows that differ at the edges) mostly agree."""
    first, second = a.stems, b.stems
    return bool(first and second) and len(first & second) >= 0.6 * max(len(first), len(second))
