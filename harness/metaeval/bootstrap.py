"""Confidence intervals for meta-evaluation statistics: the bootstrap over systems and documents together.

Deutsch, Dror & Roth (2021, TACL) show that resampling only documents (or only systems) gives intervals that
are too narrow for a conclusion about new systems *and* new documents; their BOOT-BOTH resamples the documents
with replacement and, independently, the systems with replacement, and recomputes the statistic on the
resampled matrix. Here a resample is a pair of copy counts (:class:`~harness.metaeval.weights.Weights`), drawn as
multinomial counts, which is the same distribution as drawing indices with replacement; the statistic is
computed on the copies without building them (:mod:`harness.metaeval.coefficients`).

The interval is the percentile interval (Efron & Tibshirani 1993, ch. 13) of the resamples in which the
statistic is defined; how many were is reported beside it (a resample can draw only documents on which people
agree, or a single system). The point estimate is the statistic itself, never a resampled median. Randomness
comes only from ``numpy.random.default_rng(seed)``, and every metric and level shares the same resamples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.metaeval.coefficients import Array
from harness.metaeval.weights import Weights
from harness.rank.stats import DEFAULT_LEVEL, DEFAULT_RESAMPLES

METHOD = "percentile bootstrap resampling documents and systems together (Deutsch, Dror & Roth 2021, BOOT-BOTH)"


def draw(n_docs: int, n_systems: int, *, resamples: int = DEFAULT_RESAMPLES, seed: int = 1234) -> Weights:
    """``resamples`` draws of documents and systems with replacement, as copy counts."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    rng = np.random.default_rng(seed)
    docs = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=resamples).astype(np.float64)
    systems = rng.multinomial(n_systems, np.full(n_systems, 1.0 / n_systems), size=resamples).astype(np.float64)
    return Weights(docs, systems)


@dataclass(frozen=True)
class Interval:
    """A percentile interval and how many resamples it was taken from."""

    low: float | None
    high: float | None
    valid: int
    resamples: int

    def to_json(self) -> dict[str, float | int | None]:
        return {"low": self.low, "high": self.high, "valid_resamples": self.valid, "resamples": self.resamples}


def interval(samples: Array, *, level: float = DEFAULT_LEVEL) -> Interval:
    """Percentile interval of the defined (non-NaN) resampled values; no interval when none is defined."""
    defined = samples[~np.isnan(samples)]
    if defined.size == 0:
        return Interval(None, None, 0, int(samples.size))
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(defined, [tail, 100.0 - tail])
    return Interval(float(low), float(high), int(defined.size), int(samples.size))
