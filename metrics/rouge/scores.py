"""ROUGE-N, ROUGE-L and ROUGE-Lsum precision, recall and F from tokens (Lin 2004, sections 2, 3.1, 3.2).

Each function reproduces the rouge-score function named in its docstring operation for operation, so the
floats are the same to the last bit: counts are integers, and each ratio and the F-measure are formed in
the same order (``2 * p * r / (p + r)``, rouge_score.scoring.fmeasure). Only how the counts are found
differs: n-grams through ``collections.Counter`` over ``zip``, and LCS by the bit-parallel algorithms of
:mod:`metrics.rouge.lcs` instead of a Python DP table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import chain, repeat

from metrics.rouge.lcs import SentenceLayout, lcs_length, position_masks, union_lcs_positions

Score = tuple[float, float, float]  # precision, recall, F (rouge_score.scoring.Score's order)
ZERO: Score = (0.0, 0.0, 0.0)


def fmeasure(precision: float, recall: float) -> float:
    """F1, exactly as ``rouge_score.scoring.fmeasure``."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def ngram_counts(tokens: Sequence[str], n: int) -> Counter[Hashable]:
    """``rouge_scorer._create_ngrams``: each n-gram (a tuple of n tokens; for n = 1 the token) with its count."""
    if n == 1:
        return Counter(tokens)
    return Counter(zip(*(tokens[k:] for k in range(n))))


class NgramReference:
    """A reference prepared for ROUGE-N against many candidates: its n-gram counts and their total."""

    def __init__(self, tokens: Sequence[str], n: int) -> None:
        self.counts = ngram_counts(tokens, n)
        self.total = max(len(tokens) - n + 1, 0)  # = sum(self.counts.values())


def ngram_score(reference: Sequence[str] | NgramReference, candidate: Sequence[str], n: int) -> Score:
    """ROUGE-N, ``rouge_scorer._score_ngrams``: clipped n-gram matches over the candidate's (P) and the
    reference's (R) n-gram counts, each at least 1."""
    prepared = reference if isinstance(reference, NgramReference) else NgramReference(reference, n)
    reference_counts = prepared.counts
    candidate_counts = ngram_counts(candidate, n)
    # sum over shared n-grams of min(reference count, candidate count), in C (map) rather than a loop; walked over
    # the candidate's n-grams, the shorter side (an integer sum: the order cannot change it).
    overlap = sum(map(min, candidate_counts.values(), map(reference_counts.get, candidate_counts, repeat(0))))
    precision = overlap / max(len(candidate) - n + 1, 1)  # the candidate's n-gram count, at least 1
    recall = overlap / max(prepared.total, 1)
    return precision, recall, fmeasure(precision, recall)


class LcsReference:
    """A reference prepared for ROUGE-L against many candidates: its tokens' position masks."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.length = len(tokens)
        self.masks = position_masks(tokens)


def lcs_score(reference: LcsReference, candidate: Sequence[str]) -> Score:
    """ROUGE-L, ``rouge_scorer._score_lcs``: LCS length over the candidate's (P) and reference's (R) length."""
    if not reference.length or not candidate:
        return ZERO
    length = lcs_length(reference.masks, reference.length, candidate)
    precision = length / len(candidate)
    recall = length / reference.length
    return precision, recall, fmeasure(precision, recall)


class SummaryReference:
    """A reference prepared for ROUGE-Lsum against many candidates: its sentences packed for the union LCS,
    its tokens in order, and their counts."""

    def __init__(self, sentences: Sequence[Sequence[str]]) -> None:
        self.layout = SentenceLayout(sentences)
        self.tokens = [token for sentence in sentences for token in sentence]
        self.counts = Counter(self.tokens)


def summary_lcs_score(reference: SummaryReference, candidate: Sequence[Sequence[str]]) -> Score:
    """ROUGE-Lsum, ``rouge_scorer._summary_level_lcs``: union-LCS hits over all candidate (P) and
    reference (R) tokens.

    As in ROUGE-1.5.5 and rouge-score, a hit is counted only while the token still has an unused occurrence
    on both sides (the per-token counts below), so a reference token that several candidate sentences
    match, or that lies on the union of several reference sentences, is not counted more often than it
    occurs; the unions are walked reference sentence by sentence, position by position, as rouge-score does.
    """
    total_reference = len(reference.tokens)
    total_candidate = sum(map(len, candidate))
    if not total_reference or not total_candidate:  # also rouge-score's "no sentences" case
        return ZERO
    remaining_reference = dict(reference.counts)
    remaining_candidate = Counter(chain.from_iterable(candidate))
    hits = 0
    for index in union_lcs_positions(reference.layout, candidate):
        token = reference.tokens[index]
        if remaining_candidate[token] > 0 and remaining_reference[token] > 0:
            hits += 1
            remaining_candidate[token] -= 1
            remaining_reference[token] -= 1
    recall = hits / total_reference
    precision = hits / total_candidate
    return precision, recall, fmeasure(precision, recall)
