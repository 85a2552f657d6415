"""FRANK's statistics (Pagnoni, Balachandran & Tsvetkov 2021, "Understanding Factuality in Abstractive
Summarization with FRANK", NAACL): the partial correlation, and the binary view of its error labels.

- Partial correlation (FRANK's ``evaluation/evaluate.py``, ``human_metric_correlation``): regress the metric and
  the human score on the system (a one-hot encoding with an intercept: the fitted value is the system's mean),
  and correlate the residuals, Pearson's r and Spearman's rho of the residuals as ``scipy.stats`` computes them.
  This removes what separates systems (FRANK's systems differ much more than summaries within one) and measures
  whether a metric orders the summaries of each system as people do. The residuals use each resample's own
  system means, so the bootstrap refits the regression every time, as a resampled evaluate.py would.
- ROC-AUC per label: for "has any error" (Factuality < 1) and for each error type (its column < 1), the chance
  that a summary free of it outscores one that has it (ties one half), by :func:`coefficients.auc`.

FRANK's script evaluates on whatever rows it is given (its README asks that the ``valid`` split be used for
tuning and ``test`` reported); ``harness meta-eval frank`` reports ``test`` unless told otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from harness.metaeval import coefficients as coef
from harness.metaeval.coefficients import Array
from harness.metaeval.weights import Weights, system_means

ANY_ERROR = "any error"


def _within_systems_constant(v: Array, present: NDArray[np.bool_], weights: Weights) -> NDArray[np.bool_]:
    """(B,) True where, in every system, all weighted cells hold one value: the residuals are all zero then
    (exactly, whatever rounding the subtraction of a mean leaves)."""
    rows, cols = np.nonzero(present)
    wc = weights.docs[:, rows] * weights.systems[:, cols]
    if v.shape[0] != 1:  # values differ per resample (an explicit permutation): compare per resample
        filled = v[:, rows, cols]
        out = np.ones(max(v.shape[0], wc.shape[0]), dtype=bool)
        for j in np.unique(cols):
            mine = cols == j
            out &= coef.constant(filled[:, mine], wc[:, mine])
        return out
    # Fixed values: sort the cells by (system, value) once; a system is constant in a resample when at most one
    # of its groups of equal values has weight.
    values = v[0, rows, cols]
    order = np.lexsort((values, cols))
    system, value = cols[order], values[order]
    new_group = np.concatenate(([True], (system[1:] != system[:-1]) | (value[1:] != value[:-1])))
    starts = np.flatnonzero(new_group)
    weighted = np.add.reduceat(wc[:, order], starts, axis=1) > 0
    group_system = system[starts]
    system_starts = np.flatnonzero(np.concatenate(([True], group_system[1:] != group_system[:-1])))
    groups_per_system = np.add.reduceat(weighted.astype(np.int64), system_starts, axis=1)
    return np.asarray((groups_per_system <= 1).all(axis=1), dtype=bool)


class _HumanSide:
    """The human half of a partial correlation, computed once per (human scores, resamples) and shared by every
    metric key. The last few entries are kept (a statistic and its resamples alternate), each holding
    references to its inputs, so an entry can never be mistaken for another's."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.entries: list[tuple[Array, Weights, NDArray[np.bool_], dict[str, Any]]] = []

    def get(self, h: Array, present: NDArray[np.bool_], weights: Weights) -> dict[str, Any]:
        for key_h, key_weights, key_present, found in self.entries:
            if key_h is h and key_weights is weights and key_present is present:
                return found
        rows, cols = np.nonzero(present)
        means, _ = system_means(h[None], present, weights)
        residual = h[None, rows, cols] - means[:, cols]
        wc = weights.docs[:, rows] * weights.systems[:, cols]
        found = {
            "residual": residual,
            # Residuals equal in exact arithmetic (h - 7/3 in one system, h' - 7/3 in another) can differ in the
            # last bit; rounded to 12 decimals they tie, as ranks of the exact residuals would.
            "ranks": coef.weighted_ranks(np.round(residual, 12), wc),
            "flat": _within_systems_constant(h[None], present, weights),
        }
        self.entries = [*self.entries[-(self.size - 1) :], (h, weights, present, found)]
        return found


_HUMAN = _HumanSide()


def partial(x: Array, h: Array, present: NDArray[np.bool_], weights: Weights, coefficient: str) -> Array:
    """Partial correlation of metric and human scores given the system: (B,)."""
    rows, cols = np.nonzero(present)
    mx, _ = system_means(x, present, weights)
    rx = x[:, rows, cols] - mx[:, cols]
    wc = weights.docs[:, rows] * weights.systems[:, cols]
    human = _HUMAN.get(h, present, weights)
    if coefficient == coef.PEARSON:
        r = coef.pearson(rx, human["residual"], wc, policy=False)
    elif coefficient == coef.SPEARMAN:
        r = coef.pearson(coef.weighted_ranks(np.round(rx, 12), wc), human["ranks"], wc, policy=False)
    else:
        raise ValueError(f"FRANK's partial correlation is Pearson or Spearman, not {coefficient}")
    flat_x = _within_systems_constant(x, present, weights)
    return np.where(human["flat"], np.nan, np.where(flat_x, 0.0, np.clip(np.nan_to_num(r), -1.0, 1.0)))


def label(human: Array, present: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """FRANK's labels are 1 for "no such error" and less for "some sentence has it": True = free of it."""
    return np.asarray(present & (human >= 1.0), dtype=bool)


def auc(x: Array, free: NDArray[np.bool_], present: NDArray[np.bool_], weights: Weights) -> Array:
    """ROC-AUC of fixed metric values x (n, m) for each label of ``free`` (L, n, m), per resample: (L, B)."""
    rows, cols = np.nonzero(present)
    wc = weights.docs[:, rows] * weights.systems[:, cols]
    return coef.auc(x[rows, cols], free[:, rows, cols], wc)
