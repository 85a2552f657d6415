"""Extractive fragments (Grusky et al. 2018, "Newsroom", NAACL, section 4.1) and novel n-grams.

:func:`greedy_fragments` is the matching procedure of the Newsroom code (``newsroom/analyze/fragments.py``,
``Fragments._match``), which SummEval copies into ``summ_eval/data_stats_utils.py``: for each summary position
``i``, scan the article left to right for the longest run of tokens equal to the summary's from ``i``; when
a run starting at article position ``j`` has length ``L``, the scan resumes at ``j + L``, not at ``j + 1`` (so
a longer run starting inside an earlier one is not seen); a strictly longer run replaces the best one. If
one was found, it is a fragment and the summary resumes after it; else the summary token is novel and the
summary moves on by one.

Here the article side is an index (token -> sorted positions): the scan visits only the positions where the
summary token occurs, skipping those inside the last run, which is the same sequence of runs the Newsroom
code examines, without touching the other article tokens. It stops early when a run reaches the summary's
end, since no later run can be strictly longer.

Scores over the fragments ``F`` of summary ``S`` against article ``A`` (token counts):
coverage = Σ|f| / |S|, density = Σ|f|² / |S|, compression = |A| / |S|; each 0 when ``S`` is empty (Newsroom
returns 0 when a denominator is 0). novel-n = the share of the summary's distinct n-grams that are not
among the article's n-grams (SummEval's ``percentage_novel_{n}-gram``); 0 when the summary has no n-gram (it
has fewer than n tokens: nothing in it is new).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from metrics.extractiveness.tokens import Tokens

MAX_N = 3


@dataclass(frozen=True)
class Fragment:
    """A copied run: it starts at token ``summary`` of the summary and ``text`` of the article."""

    summary: int
    text: int
    length: int


class Article:
    """An article prepared once for matching against many summaries: token positions and n-gram sets."""

    __slots__ = ("tokens", "positions")

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        positions: dict[Hashable, list[int]] = {}
        for index, token in enumerate(tokens.norm):
            positions.setdefault(token, []).append(index)
        self.positions = positions

    def has(self, ngram: tuple[Hashable, ...]) -> bool:
        """Whether ``ngram`` occurs in the article: checked at the positions of its first token, so no n-gram
        set is kept per article (an article's n-gram sets take 4x the memory of its tokens)."""
        text = self.tokens.norm
        size = len(ngram)
        last = len(text) - size
        for j in self.positions.get(ngram[0], ()):
            if j > last:
                break
            if text[j : j + size] == ngram:
                return True
        return False


def ngram_set(tokens: Sequence[Hashable], n: int) -> set[tuple[Hashable, ...]]:
    """The distinct n-grams of ``tokens`` (SummEval's ``find_ngrams``: zip of n shifted copies)."""
    return set(zip(*[tokens[i:] for i in range(n)]))


def greedy_fragments(summary: Sequence[Hashable], article: Article) -> list[Fragment]:
    """Newsroom's greedy extractive fragments of ``summary`` in ``article`` (see the module docstring)."""
    text = article.tokens.norm
    n = len(text)
    m = len(summary)
    found: list[Fragment] = []
    i = 0
    while i < m:
        best_length = 0
        best_start = -1
        remaining = m - i
        resume = 0
        for j in article.positions.get(summary[i], ()):
            if j < resume:
                continue  # inside the previous run: the Newsroom scan jumped past it
            length = 1
            limit = min(remaining, n - j)
            while length < limit and text[j + length] == summary[i + length]:
                length += 1
            if length > best_length:
                best_length, best_start = length, j
                if length == remaining:
                    break  # reaches the summary's end: no later run can be strictly longer
            resume = j + length
        if best_length:
            found.append(Fragment(i, best_start, best_length))
            i += best_length
        else:
            i += 1
    return found


@dataclass(frozen=True)
class Stats:
    coverage: float
    density: float
    compression: float
    novel: tuple[float, ...]  # novel 1-grams, 2-grams, 3-grams


def stats(summary: Sequence[Hashable], article: Article, fragments: Sequence[Fragment]) -> Stats:
    """Coverage, density, compression and novel n-gram shares (definitions in the module docstring)."""
    m = len(summary)
    if m == 0:
        return Stats(0.0, 0.0, 0.0, (0.0,) * MAX_N)
    coverage = sum(f.length for f in fragments) / m
    density = sum(f.length**2 for f in fragments) / m
    compression = len(article.tokens) / m
    # An n-gram inside one fragment is a copy, so it occurs in the article: only the others are looked up.
    fragment_of = [-1] * m
    for number, fragment in enumerate(fragments):
        fragment_of[fragment.summary : fragment.summary + fragment.length] = [number] * fragment.length
    novel = []
    for n in range(1, MAX_N + 1):
        copied: set[tuple[Hashable, ...]] = set()
        other: set[tuple[Hashable, ...]] = set()
        for i in range(m - n + 1):
            gram = tuple(summary[i : i + n])
            if fragment_of[i] >= 0 and fragment_of[i] == fragment_of[i + n - 1]:
                copied.add(gram)
            else:
                other.add(gram)
        other -= copied
        total = len(copied) + len(other)
        novel.append(sum(1 for gram in other if not article.has(gram)) / total if total else 0.0)
    return Stats(coverage, density, compression, tuple(novel))
