"""Is metric A's agreement with people really higher than metric B's?

- The paired permutation test PERM-BOTH of Deutsch, Dror & Roth (2021, TACL), as WMT's mt-metrics-eval
  implements it (``PermutationSigDiff``): both metrics are z-scored over the whole matrix (so that swapping
  their values is meaningful), then every (document, system) cell's pair of values is swapped with probability
  1/2, and the level's statistic of each permuted metric is recomputed. The test here is two-sided: the count
  ``c`` is of the ``k`` permutations whose |difference| is at least the observed one, and p = (c + 1) / (k + 1)
  (Phipson & Smyth 2010), so p is never 0. One set of swaps is shared by every pair of a family.
- Holm's step-down correction (:func:`harness.rank.stats.holm`) over all pairs of a family (one level, one
  coefficient).
- Significance clusters as in the WMT metrics task (Freitag et al. 2022; mt-metrics-eval's ``AssignRanks``):
  metrics sorted by the statistic; a metric starts a new cluster (rank + 1) when some metric ranked above it
  within the current cluster beats it at alpha, so the metrics that no better-ranked metric of their cluster
  beats share a rank.

The global level's Kendall tau-b gets no test: each permutation would need an O(N log N) tau of every pair
(and the bootstrap's matrix-product trick needs fixed values); its interval is still computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from harness.metaeval import coefficients as coef
from harness.metaeval import levels
from harness.metaeval.coefficients import Array
from harness.metaeval.weights import Weights, system_means
from harness.rank.stats import DEFAULT_ALPHA, DEFAULT_RESAMPLES, holm

METHOD = (
    "paired permutation test PERM-BOTH (Deutsch, Dror & Roth 2021): z-scored metrics, each cell swapped with "
    "probability 1/2, two-sided, p = (c + 1) / (k + 1), Holm-corrected over all pairs"
)


def testable(level: str, coefficient: str) -> bool:
    """Whether :func:`compare` runs for this level and coefficient (not the global level's Kendall tau-b)."""
    return not (level == levels.GLOBAL and coefficient == coef.KENDALL)


def zscore(x: Array, present: NDArray[np.bool_]) -> Array:
    """z-scores over the present cells (a constant metric becomes all zeros); absent cells stay 0."""
    cells = x[present]
    spread = cells.std()
    z = (x - cells.mean()) / spread if spread > 0 else np.zeros_like(x)
    return np.where(present, z, 0.0)


@dataclass(frozen=True)
class Pair:
    """One comparison: the raw two-sided p and its Holm adjustment over the family."""

    a: str
    b: str
    difference: float
    p: float
    p_holm: float

    def to_json(self) -> dict[str, str | float]:
        return {"a": self.a, "b": self.b, "difference": self.difference, "p": self.p, "p_holm": self.p_holm}


class _Swaps:
    """Statistics of both metrics of a pair after the swaps, for every permutation: (k,) each.

    Closed forms for the tested statistics, with each metric's own terms computed once and shared by every
    pair it is in. With v the swap mask of a document's cells and u = p - v (p: present), a'_j - a'_k takes one
    of four values by which of j, k were swapped, so the summary level's Kendall S and tied-pair counts are
    bilinear forms in (u, v); since u = p - v, one matrix product per pair (v against the cross-metric
    matrix) gives every cross term. The pooled Pearson statistics (global, partial) are linear in v. Other
    levels and coefficients permute the matrices explicitly (slow, exact); the tests check the closed forms
    against that."""

    def __init__(
        self, level: str, coefficient: str, human: Array, present: NDArray[np.bool_], swaps: NDArray[np.bool_]
    ):
        self.level, self.coefficient = level, coefficient
        human = np.where(present, human, 0.0)  # absent cells (NaN) have no weight anywhere below
        self.human, self.present = human, present
        self.swaps = swaps.astype(np.float64)  # (k, n, m), 1 where the pair's values are swapped
        self.cache: dict[str, tuple[Array, ...]] = {}
        self.p = present.astype(np.float64)
        self.pp = self.p[:, :, None] * self.p[:, None, :]
        if level == levels.SUMMARY and coefficient == coef.KENDALL:
            self.v = np.ascontiguousarray(self.swaps.transpose(1, 0, 2)) * self.p[:, None, :]  # (n, k, m)
            self.v32 = self.v.astype(np.float32)
            self.sh = np.sign(human[:, :, None] - human[:, None, :]) * self.pp
            self.count = self.p.sum(axis=1)
            self.n0 = self.count * (self.count - 1.0) / 2.0
            tied_h = ((human[:, :, None] == human[:, None, :]) * self.pp).sum(axis=(1, 2))
            self.human_untied = self.n0 - (tied_h - self.count) / 2.0
        if level in (levels.GLOBAL, levels.PARTIAL) and coefficient == coef.PEARSON:
            rows, cols = np.nonzero(present)
            self.rows, self.cols = rows, cols
            self.flat = self.swaps[:, rows, cols]  # (k, N)
            h = human[rows, cols]
            if level == levels.PARTIAL:
                means, _ = system_means(human[None], present, Weights.identity(*present.shape))
                h = h - means[0, cols]  # the human residuals: they sum to 0 within each system
            self.h = h
            self.system_of = np.zeros((cols.size, present.shape[1]))
            self.system_of[np.arange(cols.size), cols] = 1.0
            self.sizes = np.maximum(self.system_of.sum(axis=0), 1.0)

    # --- summary level, Kendall tau-b -----------------------------------------------------------------------

    def _bilinear(self, matrix: Array) -> tuple[Array, Array, Array]:
        """For M (n, m, m): v'Mv, v'Mp and p'Mv per permutation and document, (k, n) each. M, v and p hold
        small integers, so float32 products and sums are exact (and twice as fast as float64)."""
        vmv = np.einsum("nkm,nkm->kn", np.matmul(self.v32, matrix.astype(np.float32)), self.v32)
        vmp = np.einsum("nkm,nm->kn", self.v, np.einsum("njm,nm->nj", matrix, self.p))
        pmv = np.einsum("nkm,nm->kn", self.v, np.einsum("nj,njm->nm", self.p, matrix))
        return vmv.astype(np.float64), vmp, pmv

    def _own_kendall(self, name: str, z: Array) -> tuple[Array, ...]:
        """u'Pu, v'Pv, u'Eu, v'Ev of one metric (P: sign products with the human, E: ties), (k, n) each."""
        if name not in self.cache:
            sign = np.sign(z[:, :, None] - z[:, None, :]) * self.sh
            tie = (z[:, :, None] == z[:, None, :]) * self.pp
            terms: list[Array] = []
            for matrix in (sign, tie):
                vmv, vmp, pmv = self._bilinear(matrix)
                pmp = np.einsum("nj,njm,nm->n", self.p, matrix, self.p)
                terms += [pmp[None, :] - vmp - pmv + vmv, vmv]  # u'Mu with u = p - v, and v'Mv
            self.cache[name] = tuple(terms)
        return self.cache[name]

    def _kendall_summary(self, a: str, b: str, za: Array, zb: Array) -> tuple[Array, Array]:
        upu_a, vpv_a, ueu_a, vev_a = self._own_kendall(a, za)
        upu_b, vpv_b, ueu_b, vev_b = self._own_kendall(b, zb)

        def cross(matrix: Array) -> tuple[Array, Array]:
            """u'Mv and v'Mu for the cross-metric matrix M (a's value at j against b's at k)."""
            vmv, vmp, pmv = self._bilinear(matrix)
            return pmv - vmv, vmp - vmv

        # sign(a_j - b_k) h_jk: M_ba is the transpose of M_ab, so u'M_ab v + v'M_ba u = 2 u'M_ab v.
        umv, vmu = cross(np.sign(za[:, :, None] - zb[:, None, :]) * self.sh)
        concord_a = (upu_a + vpv_b + 2.0 * umv) / 2.0
        concord_b = (upu_b + vpv_a + 2.0 * vmu) / 2.0
        equal = (za[:, :, None] == zb[:, None, :]) * self.pp
        # Exact equality between two metrics' z-scores is rare: skip the product when there is none.
        uev, veu = cross(equal) if equal.any() else (0.0 * umv, 0.0 * vmu)
        tied_a = (ueu_a + vev_b + 2.0 * uev - self.count) / 2.0
        tied_b = (ueu_b + vev_a + 2.0 * veu - self.count) / 2.0
        defined = self.human_untied > 0

        def summary(concordance: Array, tied: Array) -> Array:
            untied = self.n0 - tied
            with np.errstate(invalid="ignore", divide="ignore"):
                tau = np.where(untied > 0, concordance / np.sqrt(untied * self.human_untied), 0.0)
            return np.asarray(np.clip(tau[:, defined], -1.0, 1.0).mean(axis=1), dtype=np.float64)

        return summary(concord_a, tied_a), summary(concord_b, tied_b)

    # --- pooled Pearson (global, partial) ---------------------------------------------------------------------

    def _own_pearson(self, name: str, z: Array) -> tuple[Array, ...]:
        """Sums over the unswapped cells and over each permutation's swapped ones, for one metric."""
        if name not in self.cache:
            x = z[self.rows, self.cols]
            whole = np.array([x.sum(), (x * x).sum(), (x * self.h).sum()])
            swapped = self.flat @ np.stack([x, x * x, x * self.h], axis=1)  # (k, 3)
            by_system = x @ self.system_of  # (m,)
            swapped_by_system = (self.flat * x) @ self.system_of  # (k, m)
            self.cache[name] = (whole, swapped, by_system, swapped_by_system)
        return self.cache[name]

    def _pearson_pooled(self, a: str, b: str, za: Array, zb: Array) -> tuple[Array, Array]:
        own_a, own_b = self._own_pearson(a, za), self._own_pearson(b, zb)
        n, h = float(self.h.size), self.h

        def stat(mine: tuple[Array, ...], other: tuple[Array, ...]) -> Array:
            """r of the metric whose swapped cells take the other's values."""
            sums = mine[0][None, :] - mine[1] + other[1]  # (k, 3): sum, sum of squares, sum of x*h
            if self.level == levels.PARTIAL:
                by_system = mine[2][None, :] - mine[3] + other[3]
                var_x = sums[:, 1] - (by_system**2 / self.sizes).sum(axis=1)
                cov, var_h = sums[:, 2], (h * h).sum()
            else:
                var_x = sums[:, 1] - sums[:, 0] ** 2 / n
                cov = sums[:, 2] - sums[:, 0] * h.sum() / n
                var_h = (h * h).sum() - h.sum() ** 2 / n
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(var_x > 1e-12 * n, cov / np.sqrt(var_x * var_h), 0.0)
            return np.asarray(np.clip(r, -1.0, 1.0), dtype=np.float64)

        return stat(own_a, own_b), stat(own_b, own_a)

    def statistics(self, a: str, b: str, za: Array, zb: Array) -> tuple[Array, Array]:
        if self.level == levels.SUMMARY and self.coefficient == coef.KENDALL:
            return self._kendall_summary(a, b, za, zb)
        if self.level in (levels.GLOBAL, levels.PARTIAL) and self.coefficient == coef.PEARSON:
            return self._pearson_pooled(a, b, za, zb)
        identity = Weights.identity(*self.present.shape)
        if self.level == levels.SYSTEM:
            # Permuted system means without permuting the matrix: the mean of a plus the swapped differences.
            count = self.p.sum(axis=0)
            mean_a, mean_b = (za * self.p).sum(axis=0) / count, (zb * self.p).sum(axis=0) / count
            moved = np.einsum("kij,ij->kj", self.swaps, self.p * (zb - za)) / count
            mh, w = system_means(self.human[None], self.present, identity)
            out = []
            for means in (mean_a + moved, mean_b - moved):
                if self.coefficient == coef.PAIRWISE:
                    out.append(coef.pairwise_accuracy(means, mh, w))
                else:
                    out.append(coef.grouped(means[:, None, :], mh[:, None, :], w[:, None, :], self.coefficient)[:, 0])
            return out[0], out[1]
        swapped = self.swaps > 0
        first, second = np.where(swapped, zb[None], za[None]), np.where(swapped, za[None], zb[None])
        return (
            levels.values(self.level, first, self.human, self.present, identity, self.coefficient),
            levels.values(self.level, second, self.human, self.present, identity, self.coefficient),
        )


def permutations_needed(pairs: int, resamples: int, alpha: float = DEFAULT_ALPHA) -> int:
    """The permutations a family is tested with: at least ``resamples``, and enough that Holm's correction
    over ``pairs`` can reach ``alpha`` at all. The smallest p is 1 / (k + 1), which Holm multiplies by the
    number of pairs: with 1,000 permutations and 105 pairs (15 keys) nothing could ever be significant."""
    needed = int(np.ceil(pairs / alpha / 100.0)) * 100
    return max(resamples, needed)


def compare(
    level: str,
    coefficient: str,
    metrics: dict[str, Array],
    human: Array,
    present: NDArray[np.bool_],
    observed: dict[str, float],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 1234,
) -> list[Pair]:
    """Every pair of ``metrics`` (oriented values (n, m)) compared by PERM-BOTH with ``resamples``
    permutations; ``observed`` holds each metric's statistic. Pairs come in the order of ``observed`` (best
    first), Holm-adjusted together."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    if not testable(level, coefficient):
        raise ValueError(f"no permutation test for {coefficient} at the {level} level")
    names = list(observed)
    z = {name: zscore(metrics[name], present) for name in names}
    swaps = np.random.default_rng(seed).random((resamples, *present.shape)) < 0.5
    permuted = _Swaps(level, coefficient, human, present, swaps)
    raw: list[tuple[str, str, float, float]] = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            first, second = permuted.statistics(a, b, z[a], z[b])
            difference = observed[a] - observed[b]
            # Permuted statistics are sums in another order: allow for the rounding of equal values.
            tolerance = 1e-12 * max(1.0, abs(difference))
            count = int(np.count_nonzero(np.abs(first - second) >= abs(difference) - tolerance))
            raw.append((a, b, difference, (count + 1) / (resamples + 1)))
    adjusted = holm([p for *_, p in raw])
    return [Pair(a, b, d, p, q) for (a, b, d, p), q in zip(raw, adjusted, strict=True)]


def clusters(observed: dict[str, float], pairs: list[Pair], *, alpha: float = DEFAULT_ALPHA) -> dict[str, int]:
    """WMT-style ranks: ``observed`` in order best first; a metric gets a new rank when a metric above it in its
    current cluster beats it (Holm-adjusted p <= alpha)."""
    adjusted = {(pair.a, pair.b): pair.p_holm for pair in pairs}
    names = list(observed)
    ranks: dict[str, int] = {}
    rank, start = 1, 0
    for i, name in enumerate(names):
        above = names[start:i]
        beaten = any(adjusted.get((other, name), 1.0) <= alpha and observed[other] > observed[name] for other in above)
        if beaten:
            rank, start = rank + 1, i
        ranks[name] = rank
    return ranks
