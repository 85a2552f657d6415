"""Statistics over per-example scores that are already computed (nothing is re-scored here).

- Confidence intervals: the percentile bootstrap over examples (Efron & Tibshirani 1993, ch. 13), seeded.
  The point estimate is always the plain mean, never the bootstrap median (rouge-score's
  ``BootstrapAggregator`` reports the median of unseeded resamples, so evaluate's ROUGE moves between runs).
- Paired comparisons on the same example ids: the paired bootstrap of the mean difference (Koehn 2004) and
  the paired approximate randomisation test (Noreen 1989; Riezler & Maxwell 2005), as in sacrebleu's
  ``significance.py``: one set of resample indices / swaps shared by every key, and
  p = (count + 1) / (N + 1). Unlike sacrebleu, which counts shuffles strictly greater than the observed
  difference, the count here is of shuffles at least as large (Phipson & Smyth 2010, "Permutation P-values
  should never be zero"), so two identical systems get p = 1 rather than 1 / (N + 1).
- Holm's step-down correction (Holm 1979) when one leaderboard makes several comparisons.

Randomness comes only from ``numpy.random.default_rng(seed)``; the seed and the number of resamples are
recorded wherever a result is written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95
DEFAULT_ALPHA = 0.05
# Resamples are drawn in blocks so memory stays bounded (block x examples weights) on large test sets.
_BLOCK = 200


def _matrix(scores: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(scores, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"expected a non-empty (examples,) or (examples, keys) array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("scores must be finite")
    return array


def column_means(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correctly rounded column means (``math.fsum``), the same numbers ``run.json`` reports; numpy's
    pairwise sum gives 0.7000000000000002 for fifty 0.7s."""
    return np.array([math.fsum(column) / len(column) for column in matrix.T])


def _resampled_means(matrix: NDArray[np.float64], resamples: int, seed: int) -> NDArray[np.float64]:
    """Means of ``resamples`` bootstrap resamples of the rows, one column per key: shape (resamples, keys).

    Drawing how often each example is picked (multinomial counts) and taking a weighted mean is the same
    distribution as drawing indices with replacement, and turns each block into one matrix product.
    """
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    # Resample deviations from the mean: a constant column then gives exactly its mean in every resample
    # (a zero-width interval), and rounding error is relative to the spread rather than the level.
    center = column_means(matrix)
    deviations = matrix - center
    out = np.empty((resamples, matrix.shape[1]))
    for start in range(0, resamples, _BLOCK):
        size = min(_BLOCK, resamples - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=size)
        out[start : start + size] = counts @ deviations / n + center
    return out


@dataclass(frozen=True)
class Interval:
    """A mean and its percentile bootstrap interval."""

    mean: float
    low: float
    high: float


def bootstrap_intervals(
    scores: ArrayLike, *, resamples: int = DEFAULT_RESAMPLES, level: float = DEFAULT_LEVEL, seed: int = 1234
) -> list[Interval]:
    """Percentile bootstrap interval of the mean of each column (all columns share the resamples)."""
    matrix = _matrix(scores)
    means = _resampled_means(matrix, resamples, seed)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail], axis=0)
    point = column_means(matrix)
    # Rounding can put a percentile a hair past the plain mean when nearly every resample equals it;
    # clamp so that low <= mean <= high always holds.
    return [
        Interval(float(m), float(min(lo, m)), float(max(hi, m))) for m, lo, hi in zip(point, low, high, strict=True)
    ]


def paired_bootstrap(
    a: ArrayLike, b: ArrayLike, *, resamples: int = DEFAULT_RESAMPLES, level: float = DEFAULT_LEVEL, seed: int = 1234
) -> list[Interval]:
    """Interval of the mean of ``a - b`` per column, resampling examples (pairs stay together)."""
    first, second = _matrix(a), _matrix(b)
    if first.shape != second.shape:
        raise ValueError(f"paired scores must have the same shape, got {first.shape} and {second.shape}")
    return bootstrap_intervals(first - second, resamples=resamples, level=level, seed=seed)


def permutation_test(
    a: ArrayLike, b: ArrayLike, *, resamples: int = DEFAULT_RESAMPLES, seed: int = 1234
) -> list[float]:
    """Two-sided paired approximate randomisation p-value per column.

    Each shuffle swaps the two systems' scores on every example with probability 1/2, which flips the sign
    of that example's difference; the statistic is |mean difference|.
    """
    first, second = _matrix(a), _matrix(b)
    if first.shape != second.shape:
        raise ValueError(f"paired scores must have the same shape, got {first.shape} and {second.shape}")
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    diff = first - second
    n = diff.shape[0]
    observed = np.abs(column_means(diff))
    # Shuffled means are sums in another order: allow for the rounding of equal values.
    tolerance = 1e-12 * np.maximum(1.0, np.abs(diff).max(axis=0))
    rng = np.random.default_rng(seed)
    count = np.zeros(diff.shape[1], dtype=np.int64)
    for start in range(0, resamples, _BLOCK):
        size = min(_BLOCK, resamples - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, n))
        shuffled = np.abs(signs @ diff / n)
        count += (shuffled >= observed - tolerance).sum(axis=0)
    return [float(c) for c in (count + 1) / (resamples + 1)]


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (monotone step-down, capped at 1), in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted
