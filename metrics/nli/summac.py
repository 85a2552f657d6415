"""SummaC-ZS aggregation (Laban et al. 2022, "SummaC: Re-Visiting NLI-based Models for Inconsistency
Detection in Summarization", TACL; the ``SummaCZS`` model of github.com/tingofurro/summac).

Given, for every (source unit i, candidate sentence j) pair, the NLI probabilities (entailment, neutral,
contradiction) with the source unit as premise and the candidate sentence as hypothesis:

- the pair's score is ``P(entail) - P(contradict)`` (SummaC-ZS with ``use_con=True``),
- each candidate sentence keeps its best source unit: ``best_j = max_i score_ij``,
- ``nli_score`` is the mean of ``best_j`` over candidate sentences (SummaC-ZS's ``mean`` operator), and
  ``nli_min`` the smallest ``best_j`` (the least supported sentence: SummaC's ``min`` operator).

Pure Python over floats: the same numbers whatever produced the probabilities (tests feed fixed ones).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Probabilities = tuple[float, float, float]  # entailment, neutral, contradiction


@dataclass(frozen=True)
class SentenceVerdict:
    """One candidate sentence's best source unit, its probabilities there, and its NLI label there."""

    best_unit: int
    probabilities: Probabilities

    @property
    def score(self) -> float:
        entail, _, contradict = self.probabilities
        return entail - contradict

    @property
    def label(self) -> str:
        """The most probable class at the best unit (ties go to entailment, then neutral)."""
        entail, neutral, contradict = self.probabilities
        if entail >= neutral and entail >= contradict:
            return "entailment"
        return "neutral" if neutral >= contradict else "contradiction"


def best_units(grid: Sequence[Sequence[Probabilities]]) -> list[SentenceVerdict]:
    """``grid[j][i]``: probabilities of candidate sentence j against source unit i. For each sentence, the unit
    with the highest ``P(e) - P(c)`` (the first one on a tie)."""
    verdicts = []
    for row in grid:
        if not row:
            raise ValueError("a candidate sentence needs at least one source unit")
        best = max(range(len(row)), key=lambda i: (row[i][0] - row[i][2], -i))
        verdicts.append(SentenceVerdict(best, row[best]))
    return verdicts


def aggregate(verdicts: Sequence[SentenceVerdict]) -> tuple[float, float]:
    """(``nli_score``, ``nli_min``): the mean and the minimum of the sentences' best scores."""
    if not verdicts:
        raise ValueError("no candidate sentence to aggregate")
    scores = [v.score for v in verdicts]
    return math.fsum(scores) / len(scores), min(scores)
