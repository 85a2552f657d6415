"""Correlation coefficients with frequency weights, vectorised over a batch of resamples.

A bootstrap resample draws documents and systems with replacement; a cell drawn ``w`` times is ``w`` copies
of the same (metric, human) pair. Every coefficient here is computed on that expanded data without expanding
it: integer weights act as copy counts, so a resample costs the same whatever it draws, and the unweighted
statistic is the special case of weights all 1 (the tests check both against scipy on explicitly expanded data).

- Pearson's r: weighted moments.
- Spearman's rho: Pearson's r of average ranks (ties get the mean of the positions they span; Spearman 1904,
  as ``scipy.stats.spearmanr``). A cell's rank among weighted copies is the weight strictly below it plus
  half of (the weight equal to it + 1).
- Kendall's tau-b (Kendall 1945, ties in both variables; ``scipy.stats.kendalltau(variant="b")``):
  ``S / sqrt((n0 - n1) (n0 - n2))``, with ``S`` the concordant minus discordant pairs, ``n0 = N (N - 1) / 2``
  and ``n1``, ``n2`` the pairs tied in each variable. Two copies of one cell are tied in both.
- Pairwise accuracy (Kocmi et al. 2021): the share of pairs that people order which the metric orders the same
  way; a pair the metric ties counts one half (what a coin flip would score).
- ROC-AUC: the probability that an item without the error scores higher than one with it, ties one half:
  the Mann-Whitney U statistic over ``n_pos * n_neg``.

Undefined values (the policy of :mod:`harness.metaeval.levels`): a group whose *human* scores are constant has
no ordering to agree with and is NaN (the caller skips it); a group whose human scores vary but whose *metric*
is constant gets 0, the exact value of every coefficient's numerator (its covariance with the human scores is
0: it orders none of the pairs people distinguish). Constancy is tested exactly (max == min over the cells with
weight), never through a variance that rounding can leave at 1e-32.

Small groups (the systems of one document) use ``m x m`` comparison matrices; pooled data (every summary at
once) uses sorting for ranks and, for Kendall's tau-b with fixed values, one matrix product per batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

PEARSON = "pearson"
SPEARMAN = "spearman"
KENDALL = "kendall_tau_b"
PAIRWISE = "pairwise_accuracy"
COEFFICIENTS = (PEARSON, SPEARMAN, KENDALL)
# Blocks of the batch are sized so that an (block, groups, m, m) comparison array stays near this many cells.
_CELLS = 2_000_000


def constant(values: Array, weights: Array) -> NDArray[np.bool_]:
    """True where every cell with positive weight (along the last axis) holds the same value, or none has weight."""
    present = weights > 0
    high = np.where(present, values, -np.inf).max(axis=-1)
    low = np.where(present, values, np.inf).min(axis=-1)
    return np.asarray(~(high > low), dtype=bool)


def _apply_policy(r: Array, x_const: NDArray[np.bool_], h_const: NDArray[np.bool_]) -> Array:
    """0 where only the metric is constant, NaN where the human scores are; coefficients clipped to [-1, 1]."""
    out = np.clip(np.where(x_const, 0.0, r), -1.0, 1.0)
    return np.where(h_const, np.nan, out)


def pearson(x: Array, h: Array, w: Array, *, policy: bool = True) -> Array:
    """Weighted Pearson r along the last axis; arrays broadcast (e.g. x (B, G, m), h (1, G, m)). ``policy``
    False leaves the constant cases to the caller, who knows them more cheaply (the raw quotient is returned)."""
    x, h, w = np.broadcast_arrays(x, h, w)
    total = w.sum(axis=-1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    dx = x - (w * x).sum(axis=-1, keepdims=True) / safe
    dh = h - (w * h).sum(axis=-1, keepdims=True) / safe
    cov = (w * dx * dh).sum(axis=-1)
    var = (w * dx * dx).sum(axis=-1) * (w * dh * dh).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var)
    return _apply_policy(r, constant(x, w), constant(h, w)) if policy else np.asarray(r, dtype=np.float64)


def _ranks_small(v: Array, w: Array) -> Array:
    """Weighted average ranks along the last axis by an m x m comparison (small groups)."""
    below = (v[..., None, :] < v[..., :, None]) * w[..., None, :]
    equal = (v[..., None, :] == v[..., :, None]) * w[..., None, :]
    return np.asarray(below.sum(axis=-1) + (equal.sum(axis=-1) + 1.0) / 2.0, dtype=np.float64)


def _kendall_small(x: Array, h: Array, w: Array) -> Array:
    sx = np.sign(x[..., :, None] - x[..., None, :])
    sh = np.sign(h[..., :, None] - h[..., None, :])
    pairs = w[..., :, None] * w[..., None, :]
    n = w.sum(axis=-1)
    n0 = n * (n - 1.0) / 2.0
    concordance = (pairs * sx * sh).sum(axis=(-1, -2)) / 2.0
    tied_x = ((pairs * (sx == 0)).sum(axis=(-1, -2)) - n) / 2.0
    tied_h = ((pairs * (sh == 0)).sum(axis=(-1, -2)) - n) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(concordance / np.sqrt((n0 - tied_x) * (n0 - tied_h)), dtype=np.float64)


def grouped(x: Array, h: Array, w: Array, coefficient: str) -> Array:
    """One coefficient per group along the last axis (groups of at most a few dozen items), for a batch.

    ``x``, ``h``, ``w`` broadcast to (B, G, m); returns (B, G). Processed in blocks of B to bound memory.
    """
    x, h, w = (np.asarray(a, dtype=np.float64) for a in (x, h, w))
    shape = np.broadcast_shapes(x.shape, h.shape, w.shape)
    if coefficient == PEARSON:
        return pearson(x, h, w)
    batch, groups, m = shape
    block = max(1, _CELLS // max(1, groups * m * m))
    out = np.empty((batch, groups))
    for start in range(0, batch, block):
        part = slice(start, min(batch, start + block))
        xs, hs, ws = (a[part] if a.shape[0] > 1 else a for a in (x, h, w))
        xs, hs, ws = np.broadcast_arrays(xs, hs, ws)
        if coefficient == SPEARMAN:
            r = pearson(_ranks_small(xs, ws), _ranks_small(hs, ws), ws)
        elif coefficient == KENDALL:
            r = _apply_policy(_kendall_small(xs, hs, ws), constant(xs, ws), constant(hs, ws))
        else:
            raise ValueError(f"unknown coefficient {coefficient!r}")
        out[part] = r
    return out


def fixed_grouped(x: Array, h: Array, present: NDArray[np.bool_], s: Array, coefficient: str) -> Array:
    """:func:`grouped` for fixed values x, h (G, m) whose weights are item weights s (B, m) times ``present``
    (G, m): what a bootstrap over items needs. Every weighted sum is a linear or quadratic form in s, so the
    m x m comparisons are made once and each resample costs matrix products (the tests check it against
    :func:`grouped`). Constancy is exact: a group is constant when its tied pairs are all of its pairs."""
    x, h, s = (np.asarray(a, dtype=np.float64) for a in (x, h, s))
    p = present.astype(np.float64)
    groups, m = x.shape
    column = s[:, :, None]

    def spread(matrix: Array) -> Array:
        """sum_k s_bk p_gk M_gjk for every b, g, j: (B, G, m)."""
        weighted = matrix * p[:, None, :]
        return (s @ weighted.transpose(2, 0, 1).reshape(m, groups * m)).reshape(-1, groups, m)

    def linear(values: Array) -> Array:
        """sum_j w_bgj v_bgj for values (B or 1, G, m): (B, G)."""
        return np.asarray(np.matmul(values * p, column)[..., 0], dtype=np.float64)

    def quadratic(matrix: Array) -> Array:
        """sum_jk w_bgj w_bgk M_gjk: (B, G)."""
        return linear(spread(matrix))

    n = s @ p.T
    n0 = n * (n - 1.0) / 2.0
    tied_x = quadratic((x[:, :, None] == x[:, None, :]).astype(np.float64))
    tied_h = quadratic((h[:, :, None] == h[:, None, :]).astype(np.float64))
    # Integer sums in float64 are exact: all pairs tied (including a copy with itself) <=> constant.
    x_const, h_const = tied_x >= n * n, tied_h >= n * n
    if coefficient == KENDALL:
        sx = np.sign(x[:, :, None] - x[:, None, :])
        sh = np.sign(h[:, :, None] - h[:, None, :])
        concordance = quadratic(sx * sh) / 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            r = concordance / np.sqrt((n0 - (tied_x - n) / 2.0) * (n0 - (tied_h - n) / 2.0))
        return _apply_policy(r, x_const, h_const)
    if coefficient == SPEARMAN:

        def ranks(v: Array) -> Array:
            below = (v[:, None, :] < v[:, :, None]).astype(np.float64)
            equal = (v[:, None, :] == v[:, :, None]).astype(np.float64)
            return spread(below) + (spread(equal) + 1.0) / 2.0

        rx, rh = ranks(x), ranks(h)
    elif coefficient == PEARSON:
        # Centre each group first (on its present cells), so the moments below lose nothing to cancellation.
        count = np.maximum(p.sum(axis=1, keepdims=True), 1.0)
        rx = (x - (x * p).sum(axis=1, keepdims=True) / count)[None]
        rh = (h - (h * p).sum(axis=1, keepdims=True) / count)[None]
    else:
        raise ValueError(f"unknown coefficient {coefficient!r}")
    safe = np.where(n > 0, n, 1.0)
    sum_x, sum_h = linear(rx), linear(rh)
    cov = linear(rx * rh) - sum_x * sum_h / safe
    var = (linear(rx * rx) - sum_x**2 / safe) * (linear(rh * rh) - sum_h**2 / safe)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var)
    return _apply_policy(r, x_const, h_const)


def pairwise_accuracy(x: Array, h: Array, w: Array) -> Array:
    """Weighted pairwise accuracy along the last axis, x/h/w broadcasting to (B, m); NaN where people tie every
    pair. A pair of copies of one item is tied for people too, so it never counts."""
    x, h, w = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (x, h, w)))
    sx = np.sign(x[..., :, None] - x[..., None, :])
    sh = np.sign(h[..., :, None] - h[..., None, :])
    pairs = w[..., :, None] * w[..., None, :] * (sh != 0)
    score = (sx == sh) + 0.5 * (sx == 0)
    total = pairs.sum(axis=(-1, -2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (pairs * score).sum(axis=(-1, -2)) / total, np.nan)


# --- pooled data: every cell at once ---------------------------------------------------------------------------


def weighted_ranks(v: Array, w: Array) -> Array:
    """Weighted average ranks along the last axis by sorting: (B, N) -> (B, N); ``v`` may be (1, N)."""
    v, w = np.asarray(v, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if v.shape[0] == 1 and w.shape[0] > 1:
        # Fixed values (a bootstrap): sort once, every resample shares the order.
        single = np.argsort(v[0], kind="stable")
        order = np.broadcast_to(single, w.shape)
        vs, ws = np.broadcast_to(v[0][single], w.shape), w[:, single]
    else:
        v, w = np.broadcast_arrays(v, w)
        order = np.argsort(v, axis=-1, kind="stable")
        vs, ws = np.take_along_axis(v, order, axis=-1), np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    before = cum - ws
    n = vs.shape[-1]
    first = np.ones(vs.shape, dtype=bool)
    first[..., 1:] = vs[..., 1:] != vs[..., :-1]
    last = np.ones(vs.shape, dtype=bool)
    last[..., :-1] = first[..., 1:]
    index = np.arange(n)
    start = np.maximum.accumulate(np.where(first, index, 0), axis=-1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, index, n - 1), axis=-1), axis=-1), axis=-1)
    group_before = np.take_along_axis(before, start, axis=-1)
    group_weight = np.take_along_axis(cum, end, axis=-1) - group_before
    ranks = np.empty(ws.shape)
    np.put_along_axis(ranks, order, group_before + (group_weight + 1.0) / 2.0, axis=-1)
    return ranks


def constant_pooled(v: Array, w: Array) -> NDArray[np.bool_]:
    """:func:`constant` along the last axis, by one sort when the values are fixed (v (1, N), w (B, N)): the
    resample is constant when at most one group of equal values has weight."""
    if v.shape[0] != 1 or w.shape[0] == 1:
        return constant(v, w)
    order = np.argsort(v[0], kind="stable")
    ranked = v[0][order]
    starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    groups = np.add.reduceat(w[:, order], starts, axis=1)
    return np.asarray((groups > 0).sum(axis=1) <= 1, dtype=bool)


def pooled_spearman(x: Array, h: Array, w: Array) -> Array:
    """Weighted Spearman rho of pooled data: (B|1, N) arrays -> (B,)."""
    x, h, w = (np.asarray(a, dtype=np.float64) for a in (x, h, w))
    r = pearson(weighted_ranks(x, w), weighted_ranks(h, w), w, policy=False)
    return _apply_policy(r, constant_pooled(x, w), constant_pooled(h, w))


def _tied_pairs(v: Array, w: Array) -> Array:
    """Pairs of distinct copies tied in ``v`` (fixed values (N,), weights (B, N)): (sum over groups T_g^2 - N) / 2."""
    order = np.argsort(v, kind="stable")
    vs = v[order]
    starts = np.flatnonzero(np.concatenate(([True], vs[1:] != vs[:-1])))
    groups = np.add.reduceat(w[:, order], starts, axis=1)
    return np.asarray(((groups**2).sum(axis=1) - w.sum(axis=1)) / 2.0, dtype=np.float64)


def pooled_kendall(x: Array, h: Array, w: Array) -> Array:
    """Weighted Kendall tau-b of pooled data with fixed values x, h (N,) and weights w (B, N) -> (B,).

    S = w' A w / 2 with A = sign(x_i - x_j) sign(h_i - h_j): one (B x N) @ (N x N) product. A and the weights
    are small integers, so float32 sums are exact while they stay below 2**24 (N <= 4,096 cells).
    """
    x, h, w = (np.asarray(a, dtype=np.float64) for a in (x, h, w))
    if x.shape[0] > 4096:
        raise ValueError("pooled_kendall: more than 4,096 cells would lose float32 exactness")
    a = (np.sign(x[:, None] - x[None, :]) * np.sign(h[:, None] - h[None, :])).astype(np.float32)
    concordance = ((w.astype(np.float32) @ a).astype(np.float64) * w).sum(axis=1) / 2.0
    n = w.sum(axis=1)
    n0 = n * (n - 1.0) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = concordance / np.sqrt((n0 - _tied_pairs(x, w)) * (n0 - _tied_pairs(h, w)))
    return _apply_policy(r, constant_pooled(x[None, :], w), constant_pooled(h[None, :], w))


def auc(scores: Array, good: NDArray[np.bool_], w: Array) -> Array:
    """Weighted ROC-AUC of fixed scores (N,) for each label in ``good`` (L, N) (or one label (N,)), weights
    (B, N) -> (L, B) (or (B,)): the chance that a good item outscores a bad one, ties counting one half. The
    scores are sorted once for every label. NaN where a resample has no good or no bad item."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.atleast_2d(good)
    order = np.argsort(scores, kind="stable")
    ranked = scores[order]
    starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    weights = np.asarray(w, dtype=np.float64)[:, order]
    out = np.empty((labels.shape[0], weights.shape[0]))
    for index, label in enumerate(labels):
        mine = label[order]
        good_w = np.add.reduceat(weights * mine, starts, axis=1)
        bad_w = np.add.reduceat(weights * ~mine, starts, axis=1)
        bad_below = np.cumsum(bad_w, axis=1) - bad_w
        wins = (good_w * (bad_below + bad_w / 2.0)).sum(axis=1)
        total = good_w.sum(axis=1) * bad_w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[index] = np.where(total > 0, wins / total, np.nan)
    return out if np.ndim(good) == 2 else out[0]
