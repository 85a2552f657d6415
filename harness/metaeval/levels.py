"""The levels at which a metric's agreement with people is measured, on a documents x systems matrix.

The data is one score per (document, system) cell for each metric key and for the human judgement; a cell
may be absent (FRANK's CNN/DM documents were summarised by other systems than its XSum documents). Following
Deutsch, Dror & Roth (2021, "A Statistical Analysis of Summarization Evaluation Metrics using Resampling
Methods", TACL) and the summarisation meta-evaluation literature before it:

- ``summary``: per document, the correlation across the systems that summarised it, averaged over documents
  (SummEval's and REALSumm's "summary level");
- ``system``: the correlation of the systems' mean scores (over their documents);
- ``global``: every summary pooled into one correlation;
- ``partial``: FRANK's (Pagnoni et al. 2021) partial correlation, the pooled correlation after regressing both
  the metric and the human scores on the system (:mod:`harness.metaeval.frank`).

**Undefined groups, one policy for every metric.** A document whose human scores are all equal has no
ordering to agree with: it is skipped, for every metric alike (77% of SummEval's consistency means are 5.0;
4 of its 100 documents are all-5.0, and FRANK's XSum test documents are mostly so). Where the human scores vary
but a metric's do not, that metric scores 0 for the document, the exact value of each coefficient's numerator:
it orders none of the pairs people distinguish. So every metric compared is averaged over the same documents,
and :func:`counts` reports per metric how many documents were used, skipped, and constant for it.

Every function takes bootstrap weights: ``d`` (B, n) copies of each document and ``s`` (B, m) copies of each
system per resample (all ones: the statistic itself); values are ``x`` (B or 1, n, m). It returns (B,), NaN
for a resample in which the statistic is undefined (every document constant for people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from harness.metaeval import coefficients as coef
from harness.metaeval import frank
from harness.metaeval.coefficients import Array
from harness.metaeval.weights import Weights, system_means

SUMMARY, SYSTEM, GLOBAL, PARTIAL = "summary", "system", "global", "partial"
LEVELS = (SUMMARY, SYSTEM, GLOBAL, PARTIAL)
# What a level's coefficients are: the system level adds pairwise accuracy; the partial level is FRANK's
# Pearson and Spearman of residuals (its evaluate.py reports no Kendall).
LEVEL_COEFFICIENTS = {
    SUMMARY: coef.COEFFICIENTS,
    SYSTEM: (*coef.COEFFICIENTS, coef.PAIRWISE),
    GLOBAL: coef.COEFFICIENTS,
    PARTIAL: (coef.PEARSON, coef.SPEARMAN),
}
DESCRIPTIONS = {
    SUMMARY: "per document, correlation across its systems, averaged over documents",
    SYSTEM: "correlation of the systems' mean scores",
    GLOBAL: "every summary pooled",
    PARTIAL: "pooled after regressing metric and human scores on the system (one-hot), as FRANK's evaluate.py",
}


@dataclass(frozen=True)
class Counts:
    """How many units a level used: documents (summary), systems (system) or summaries (global, partial)."""

    unit: str
    used: int
    skipped: int = 0  # documents whose human scores are constant (summary level)
    constant: int = 0  # used documents where this metric is constant and so scores 0 (summary level)

    def to_json(self) -> dict[str, int | str]:
        return {"unit": self.unit, "used": self.used, "skipped": self.skipped, "metric_constant": self.constant}


def _cells(present: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    rows, cols = np.nonzero(present)
    return rows, cols


def summary(x: Array, h: Array, present: NDArray[np.bool_], weights: Weights, coefficient: str) -> Array:
    """Summary level: mean over the documents (weighted by copies) where the human scores vary."""
    if x.shape[0] == 1:
        fill = np.where(present, x[0], 0.0), np.where(present, h, 0.0)  # absent cells have no weight
        r = coef.fixed_grouped(*fill, present, weights.systems, coefficient)
    else:
        w = weights.systems[:, None, :] * present[None, :, :]
        r = coef.grouped(np.where(present, x, 0.0), np.where(present, h, 0.0)[None], w, coefficient)
    defined = ~np.isnan(r)
    docs = weights.docs * defined
    total = docs.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (docs * np.where(defined, r, 0.0)).sum(axis=1) / total, np.nan)


def system(x: Array, h: Array, present: NDArray[np.bool_], weights: Weights, coefficient: str) -> Array:
    """System level: the coefficient over the systems' means (a system drawn twice counts twice)."""
    mx, w = system_means(x, present, weights)
    mh, _ = system_means(h[None], present, weights)
    if coefficient == coef.PAIRWISE:
        return coef.pairwise_accuracy(mx, mh, w)
    return coef.grouped(mx[:, None, :], mh[:, None, :], w[:, None, :], coefficient)[:, 0]


def pooled(x: Array, h: Array, present: NDArray[np.bool_], weights: Weights, coefficient: str) -> Array:
    """Global level: every present cell, weighted by its document's and its system's copies."""
    rows, cols = _cells(present)
    xc, hc = x[:, rows, cols], h[rows, cols]
    wc = weights.docs[:, rows] * weights.systems[:, cols]
    if coefficient == coef.PEARSON:
        r = coef.pearson(xc, hc[None], wc, policy=False)
        flat_x, flat_h = coef.constant_pooled(xc, wc), coef.constant_pooled(hc[None], wc)
        return np.where(flat_h, np.nan, np.where(flat_x, 0.0, np.clip(np.nan_to_num(r), -1.0, 1.0)))
    if coefficient == coef.SPEARMAN:
        return coef.pooled_spearman(xc, hc[None], wc)
    if coefficient == coef.KENDALL:
        if xc.shape[0] != 1:
            raise ValueError("global Kendall tau-b needs fixed values (no permutation test at this level)")
        return coef.pooled_kendall(xc[0], hc, wc)
    raise ValueError(f"no {coefficient} at the global level")


def values(level: str, x: Array, h: Array, present: NDArray[np.bool_], weights: Weights, coefficient: str) -> Array:
    """The level's coefficient for each resample (B,)."""
    if level == SUMMARY:
        return summary(x, h, present, weights, coefficient)
    if level == SYSTEM:
        return system(x, h, present, weights, coefficient)
    if level == GLOBAL:
        return pooled(x, h, present, weights, coefficient)
    if level == PARTIAL:
        return frank.partial(x, h, present, weights, coefficient)
    raise ValueError(f"unknown level {level!r}")


def counts(level: str, x: Array, h: Array, present: NDArray[np.bool_]) -> Counts:
    """What the level uses of the (unresampled) data for one metric ``x`` (n, m)."""
    if level == SUMMARY:
        w = present.astype(np.float64)
        docs = present.any(axis=1)
        varying = docs & ~coef.constant(h, w)
        flat = varying & coef.constant(x, w)
        return Counts("documents", int(varying.sum()), int(docs.sum() - varying.sum()), int(flat.sum()))
    if level == SYSTEM:
        return Counts("systems", int(present.any(axis=0).sum()))
    return Counts("summaries", int(present.sum()))


def constant_groups(level: str, x: Array, h: Array, present: NDArray[np.bool_]) -> tuple[int, int, str]:
    """In how many of the level's groups the metric ``x`` (n, m) is constant, of how many, and what a group is:
    the used documents (summary), the one vector of system means (system), the one pool of summaries (global),
    or the systems, within which FRANK's partial correlation compares (partial: a key constant within a system
    leaves it a zero residual there). A key constant in every group has nothing to correlate."""
    w = present.astype(np.float64)
    if level == SUMMARY:
        found = counts(level, x, h, present)
        return found.constant, found.used, "documents"
    if level == SYSTEM:
        means, _ = system_means(x[None], present, Weights.identity(*present.shape))
        return int(bool(coef.constant(means, np.ones_like(means))[0])), 1, "system means"
    if level == GLOBAL:
        return int(bool(coef.constant(x.reshape(1, -1), w.reshape(1, -1))[0])), 1, "pool of summaries"
    used = present.any(axis=0)
    flat = coef.constant(x.T, w.T) & used
    return int(flat.sum()), int(used.sum()), "systems"


def modal_share(x: Array, present: NDArray[np.bool_]) -> tuple[float, float]:
    """The most common value of ``x`` over the present summaries and the share of them that hold it: a key
    that is 1.0 for every summary without a figure (numeric precision) is *sparse* when that share is high."""
    values, frequency = np.unique(x[present], return_counts=True)
    top = int(np.argmax(frequency))
    return float(values[top]), float(frequency[top] / frequency.sum())
