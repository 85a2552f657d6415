"""Resample weights on a documents x systems matrix, and the systems' weighted means.

A resample is a pair of copy counts: of each document (B, n) and of each system (B, m); all ones is the data
itself (:meth:`Weights.identity`), :func:`harness.metaeval.bootstrap.draw` draws them. Every level of
:mod:`harness.metaeval.levels` and FRANK's partial correlation (:mod:`harness.metaeval.frank`, which regresses
on the system means) take them, so they live below both: the levels dispatch to FRANK's statistic, and FRANK's
statistic needs these, not the levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from harness.metaeval.coefficients import Array


@dataclass(frozen=True)
class Weights:
    """Copies of each document (B, n) and each system (B, m) per resample."""

    docs: Array
    systems: Array

    @staticmethod
    def identity(n_docs: int, n_systems: int) -> Weights:
        return Weights(np.ones((1, n_docs)), np.ones((1, n_systems)))


def system_means(x: Array, present: NDArray[np.bool_], weights: Weights) -> tuple[Array, Array]:
    """Each system's mean over its (weighted) documents, (B, m), and the weight that has it in the resample."""
    dp = weights.docs[:, :, None] * present[None, :, :]
    count = dp.sum(axis=1)
    safe = np.where(count > 0, count, 1.0)
    means = (dp * np.where(present, x, 0.0)).sum(axis=1) / safe
    return means, weights.systems * (count > 0)
