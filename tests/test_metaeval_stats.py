"""harness.metaeval's statistics against hand computations and scipy.

The hand fixture is 3 documents x 4 systems, with ties, a constant column (system 4 always scores 4) and a
document whose human scores are constant (skipped); every expected value is worked out in the comments.
Resampled statistics are checked against scipy on explicitly expanded data: a bootstrap resample that draws a
document or a system twice must equal the statistic of the matrix with that row or column repeated.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.metaeval import bootstrap, frank, levels, significance
from harness.metaeval import coefficients as coef
from harness.metaeval.weights import Weights

scipy_stats = pytest.importorskip("scipy.stats")

# Documents x systems. Doc 1: H = 1 2 3 4, X = 1 3 2 4. Doc 2: H = 2 2 3 1, X = 5 5 1 4 (a tie on each
# side). Doc 3: people give every system 5, so it is skipped at the summary level.
H = np.array([[1.0, 2, 3, 4], [2, 2, 3, 1], [5, 5, 5, 5]])
X = np.array([[1.0, 3, 2, 4], [5, 5, 1, 4], [3, 1, 2, 4]])
# Y is constant in document 1 (the metric ties every system there): it scores 0 for that document.
Y = np.array([[2.0, 2, 2, 2], [5, 5, 1, 4], [3, 1, 2, 4]])
ALL = np.ones(H.shape, dtype=bool)
ONE = Weights.identity(3, 4)

# Doc 1, Kendall: of the 6 pairs only (2, 3) is discordant: (5 - 1) / 6 = 2/3. Spearman: rank differences
# 0, -1, 1, 0: 1 - 6 * 2 / (4 * 15) = 0.8. Pearson: deviations (-1.5, -.5, .5, 1.5) and (-1.5, .5, -.5, 1.5):
# 4 / sqrt(5 * 5) = 0.8.
# Doc 2, Kendall tau-b: pair (1, 2) is tied on both sides; concordant (1,4), (2,4); discordant (1,3), (2,3),
# (3,4): (2 - 3) / sqrt((6 - 1) (6 - 1)) = -0.2. Spearman: average ranks (2.5, 2.5, 4, 1) and (3.5, 3.5, 1, 2),
# centred (0, 0, 1.5, -1.5) and (1, 1, -1.5, -.5): -1.5 / 4.5 = -1/3. Pearson: deviations (0, 0, 1, -1) and
# (1.25, 1.25, -2.75, .25): -3 / sqrt(2 * 10.75).
DOC2_PEARSON = -3.0 / np.sqrt(21.5)
SUMMARY = {
    coef.KENDALL: (2 / 3 - 0.2) / 2,
    coef.SPEARMAN: (0.8 - 1 / 3) / 2,
    coef.PEARSON: (0.8 + DOC2_PEARSON) / 2,
}
# System means: people (8/3, 3, 11/3, 10/3), metric (3, 3, 5/3, 4). Of the 6 pairs people order all; the metric
# ties (1, 2), agrees on (1, 4) and (2, 4), disagrees on (1, 3), (2, 3), (3, 4): tau-b = (2 - 3) / sqrt(5 * 6),
# pairwise accuracy = (1/2 + 2) / 6.
SYSTEM = {coef.KENDALL: -1.0 / np.sqrt(30.0), coef.PAIRWISE: 2.5 / 6}


@pytest.mark.parametrize("coefficient", coef.COEFFICIENTS)
def test_summary_level_by_hand(coefficient: str) -> None:
    value = levels.values(levels.SUMMARY, X[None], H, ALL, ONE, coefficient)[0]
    assert value == pytest.approx(SUMMARY[coefficient], abs=1e-12)
    counts = levels.counts(levels.SUMMARY, X, H, ALL)
    assert (counts.used, counts.skipped, counts.constant) == (2, 1, 0)


def test_a_metric_constant_in_a_document_scores_zero_there() -> None:
    """Y ties every system in document 1: 0 there, -0.2 in document 2, over the same 2 documents as X."""
    assert levels.values(levels.SUMMARY, Y[None], H, ALL, ONE, coef.KENDALL)[0] == pytest.approx(-0.1, abs=1e-12)
    counts = levels.counts(levels.SUMMARY, Y, H, ALL)
    assert (counts.used, counts.skipped, counts.constant) == (2, 1, 1)


@pytest.mark.parametrize("coefficient", [coef.KENDALL, coef.PAIRWISE])
def test_system_level_by_hand(coefficient: str) -> None:
    value = levels.values(levels.SYSTEM, X[None], H, ALL, ONE, coefficient)[0]
    assert value == pytest.approx(SYSTEM[coefficient], abs=1e-12)


@pytest.mark.parametrize(
    ("coefficient", "reference"),
    [
        (coef.PEARSON, lambda a, b: scipy_stats.pearsonr(a, b)[0]),
        (coef.SPEARMAN, lambda a, b: scipy_stats.spearmanr(a, b)[0]),
        (coef.KENDALL, lambda a, b: scipy_stats.kendalltau(a, b, variant="b")[0]),
    ],
)
def test_levels_against_scipy(coefficient: str, reference: object) -> None:
    """System level: scipy on the column means; global: scipy on all 12 cells; summary: scipy per document."""
    assert callable(reference)
    system = levels.values(levels.SYSTEM, X[None], H, ALL, ONE, coefficient)[0]
    assert system == pytest.approx(reference(X.mean(axis=0), H.mean(axis=0)), abs=1e-12)
    pooled = levels.values(levels.GLOBAL, X[None], H, ALL, ONE, coefficient)[0]
    assert pooled == pytest.approx(reference(X.ravel(), H.ravel()), abs=1e-12)
    summary = levels.values(levels.SUMMARY, X[None], H, ALL, ONE, coefficient)[0]
    assert summary == pytest.approx(np.mean([reference(X[i], H[i]) for i in (0, 1)]), abs=1e-12)


def test_partial_correlation_against_least_squares() -> None:
    """FRANK's partial correlation: residuals of an OLS fit on [1, one-hot(system)] (numpy's lstsq), then scipy.
    The matrix has absent cells, as FRANK has (CNN/DM and XSum documents have different systems)."""
    rng = np.random.default_rng(5)
    present = np.ones((12, 5), dtype=bool)
    present[:6, 3:] = False
    present[6:, :2] = False
    x, h = rng.normal(size=present.shape), rng.integers(0, 4, present.shape).astype(float)
    rows, cols = np.nonzero(present)
    design = np.column_stack([np.ones(rows.size), np.eye(5)[cols]])

    def residual(v: np.ndarray) -> np.ndarray:
        fitted = design @ np.linalg.lstsq(design, v, rcond=None)[0]
        return np.asarray(v - fitted)

    rx, rh = residual(x[rows, cols]), residual(h[rows, cols])
    ones = Weights.identity(*present.shape)
    ours_p = frank.partial(np.where(present, x, np.nan)[None], h, present, ones, coef.PEARSON)[0]
    ours_s = frank.partial(np.where(present, x, np.nan)[None], h, present, ones, coef.SPEARMAN)[0]
    assert ours_p == pytest.approx(scipy_stats.pearsonr(rx, rh)[0], abs=1e-10)
    # Residuals that tie exactly in theory may differ in the last bit between the two fits; round both alike.
    assert ours_s == pytest.approx(scipy_stats.spearmanr(np.round(rx, 9), np.round(rh, 9))[0], abs=1e-10)


def test_auc_by_hand_and_against_mann_whitney() -> None:
    """Free of the error: 0.9, 0.5; with it: 0.5, 0.1. Pairs: win, win, tie (1/2), win = 3.5 / 4."""
    scores = np.array([[0.9, 0.5, 0.5, 0.1]])
    free = np.array([[True, True, False, False]])
    one_row = Weights.identity(1, 4)
    assert frank.auc(scores, free[None], np.ones_like(free), one_row)[0, 0] == pytest.approx(0.875)
    rng = np.random.default_rng(2)
    values, labels = rng.integers(0, 6, 200).astype(float), rng.random(200) < 0.4
    u = scipy_stats.mannwhitneyu(values[labels], values[~labels]).statistic
    ours = coef.auc(values, labels, np.ones((1, 200)))[0]
    assert ours == pytest.approx(u / (labels.sum() * (~labels).sum()), abs=1e-12)


def _expanded(x: np.ndarray, h: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = weights.astype(int)
    return np.repeat(x, counts), np.repeat(h, counts)


@pytest.mark.parametrize("coefficient", coef.COEFFICIENTS)
def test_weighted_groups_equal_scipy_on_expanded_copies(coefficient: str) -> None:
    """Copy counts (what a bootstrap draws) give scipy's statistic of the data with each item repeated; the
    matrix-product path for fixed values equals the direct one."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (20, 7)).astype(float)
    h = rng.integers(0, 3, (20, 7)).astype(float)
    present = rng.random((20, 7)) > 0.1
    s = rng.multinomial(7, np.full(7, 1 / 7), size=6).astype(float)
    fast = coef.fixed_grouped(x, h, present, s, coefficient)
    direct = coef.grouped(x[None], h[None], s[:, None, :] * present[None], coefficient)
    np.testing.assert_allclose(fast, direct, atol=1e-12, equal_nan=True)
    reference = {
        coef.PEARSON: scipy_stats.pearsonr,
        coef.SPEARMAN: scipy_stats.spearmanr,
        coef.KENDALL: scipy_stats.kendalltau,
    }[coefficient]
    for b in range(6):
        for g in range(20):
            xe, he = _expanded(x[g], h[g], s[b] * present[g])
            if len(set(he)) < 2:
                assert np.isnan(fast[b, g])
            elif len(set(xe)) < 2:
                assert fast[b, g] == 0.0
            else:
                assert fast[b, g] == pytest.approx(reference(xe, he)[0], abs=1e-12)


def test_pooled_statistics_equal_scipy_on_expanded_copies() -> None:
    rng = np.random.default_rng(1)
    x, h = rng.integers(0, 10, 300).astype(float), rng.integers(0, 5, 300).astype(float)
    w = rng.multinomial(300, np.full(300, 1 / 300), size=5).astype(float)
    tau, rho = coef.pooled_kendall(x, h, w), coef.pooled_spearman(x[None], h[None], w)
    for b in range(5):
        xe, he = _expanded(x, h, w[b])
        assert tau[b] == pytest.approx(scipy_stats.kendalltau(xe, he)[0], abs=1e-12)
        assert rho[b] == pytest.approx(scipy_stats.spearmanr(xe, he)[0], abs=1e-12)


@pytest.mark.parametrize("level", [levels.SUMMARY, levels.SYSTEM])
def test_a_resample_is_the_matrix_with_rows_and_columns_repeated(level: str) -> None:
    """BOOT-BOTH by hand: draw document and system indices, build the resampled matrix (a system drawn twice
    is two columns), compute it with scipy, and compare with the copy-count computation."""
    rng = np.random.default_rng(3)
    x, h = rng.normal(size=(9, 5)), rng.integers(1, 4, (9, 5)).astype(float)
    worlds = bootstrap.draw(9, 5, resamples=20, seed=4)
    ours = levels.values(level, x[None], h, np.ones((9, 5), dtype=bool), worlds, coef.KENDALL)
    for b in range(20):
        docs = np.repeat(np.arange(9), worlds.docs[b].astype(int))
        systems = np.repeat(np.arange(5), worlds.systems[b].astype(int))
        xs, hs = x[np.ix_(docs, systems)], h[np.ix_(docs, systems)]
        if level == levels.SYSTEM:
            expected = scipy_stats.kendalltau(xs.mean(axis=0), hs.mean(axis=0))[0]
        else:
            per_doc = [
                0.0 if len(set(xr)) < 2 else scipy_stats.kendalltau(xr, hr)[0]
                for xr, hr in zip(xs, hs)
                if len(set(hr)) > 1
            ]
            expected = np.mean(per_doc) if per_doc else np.nan
        if np.isnan(expected):
            assert np.isnan(ours[b])
        else:
            assert ours[b] == pytest.approx(expected, abs=1e-9)


def test_bootstrap_interval_is_seeded_and_counts_valid_resamples() -> None:
    samples = np.array([0.1, np.nan, 0.3, 0.2, np.nan])
    interval = bootstrap.interval(samples)
    assert (interval.valid, interval.resamples) == (3, 5)
    assert interval.low == pytest.approx(np.percentile([0.1, 0.2, 0.3], 2.5))
    assert bootstrap.interval(np.array([np.nan, np.nan])).low is None
    a, b = bootstrap.draw(10, 4, resamples=50, seed=7), bootstrap.draw(10, 4, resamples=50, seed=7)
    assert np.array_equal(a.docs, b.docs) and np.array_equal(a.systems, b.systems)
    assert (a.docs.sum(axis=1) == 10).all() and (a.systems.sum(axis=1) == 4).all()


@pytest.mark.parametrize(
    ("level", "coefficient"),
    [
        (levels.SUMMARY, coef.KENDALL),
        (levels.GLOBAL, coef.PEARSON),
        (levels.PARTIAL, coef.PEARSON),
        (levels.SYSTEM, coef.KENDALL),
        (levels.SYSTEM, coef.PAIRWISE),
    ],
)
def test_closed_form_permutations_equal_explicit_swaps(level: str, coefficient: str) -> None:
    """The permutation test's closed forms against swapping the cells and recomputing the level."""
    rng = np.random.default_rng(8)
    h = rng.integers(1, 4, (15, 6)).astype(float)
    present = rng.random((15, 6)) > 0.15
    a = np.round(h + rng.normal(0, 1, h.shape), 1)
    a[3] = 0.5  # a document where this metric ties every system
    b = np.round(h + rng.normal(0, 2, h.shape), 1)
    za, zb = significance.zscore(a, present), significance.zscore(b, present)
    h = np.where(present, h, np.nan)  # absent cells are NaN in the data
    swaps = rng.random((40, 15, 6)) < 0.5
    fast = significance._Swaps(level, coefficient, h, present, swaps).statistics("a", "b", za, zb)
    ones = Weights.identity(15, 6)
    first, second = np.where(swaps, zb[None], za[None]), np.where(swaps, za[None], zb[None])
    np.testing.assert_allclose(fast[0], levels.values(level, first, h, present, ones, coefficient), atol=1e-12)
    np.testing.assert_allclose(fast[1], levels.values(level, second, h, present, ones, coefficient), atol=1e-12)


def test_permutation_p_values_at_their_extremes() -> None:
    """Identical metrics: every permutation is as extreme, p = 1. A clearly better metric: p = 1 / (k + 1)."""
    rng = np.random.default_rng(9)
    h = rng.integers(1, 6, (40, 8)).astype(float)
    good, noise = h + rng.normal(0, 0.5, h.shape), rng.normal(size=h.shape)
    present = np.ones(h.shape, dtype=bool)
    ones = Weights.identity(40, 8)

    def observed(**metrics: np.ndarray) -> dict[str, float]:
        found = {
            k: levels.values(levels.SUMMARY, v[None], h, present, ones, coef.KENDALL)[0] for k, v in metrics.items()
        }
        return dict(sorted(found.items(), key=lambda kv: -kv[1]))

    same = significance.compare(
        levels.SUMMARY, coef.KENDALL, {"a": good, "b": good}, h, present, observed(a=good, b=good), resamples=99
    )
    assert same[0].p == 1.0
    apart = significance.compare(
        levels.SUMMARY, coef.KENDALL, {"g": good, "n": noise}, h, present, observed(g=good, n=noise), resamples=99
    )
    assert apart[0].p == pytest.approx(1 / 100) and apart[0].a == "g"


def test_permutation_test_holds_its_level_under_the_null() -> None:
    """Two metrics that are the same signal plus independent noise of one size: about 5% of seeds reject at 0.05
    (binomial: 60 trials at 5% give more than 9 rejections with probability < 1%)."""
    rejections = 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        h = rng.integers(1, 6, (20, 6)).astype(float)
        a, b = h + rng.normal(0, 2, h.shape), h + rng.normal(0, 2, h.shape)
        present = np.ones(h.shape, dtype=bool)
        ones = Weights.identity(20, 6)
        obs = {
            k: levels.values(levels.GLOBAL, v[None], h, present, ones, coef.PEARSON)[0] for k, v in (("a", a), ("b", b))
        }
        pair = significance.compare(
            levels.GLOBAL, coef.PEARSON, {"a": a, "b": b}, h, present, obs, resamples=199, seed=seed
        )[0]
        rejections += pair.p <= 0.05
    assert rejections <= 9


def test_clusters_follow_the_wmt_rule() -> None:
    """a and b tie; both beat c and d, which tie: ranks 1 1 2 2. And a beats c while b does not: c still starts a
    new cluster, because a is in c's cluster (mt-metrics-eval's AssignRanks)."""
    pair = significance.Pair
    observed = {"a": 0.9, "b": 0.8, "c": 0.3, "d": 0.29}
    pairs = [
        pair("a", "b", 0.1, 0.2, 0.5),
        pair("a", "c", 0.6, 0.001, 0.01),
        pair("a", "d", 0.61, 0.001, 0.01),
        pair("b", "c", 0.5, 0.001, 0.01),
        pair("b", "d", 0.51, 0.001, 0.01),
        pair("c", "d", 0.01, 0.9, 0.9),
    ]
    assert significance.clusters(observed, pairs) == {"a": 1, "b": 1, "c": 2, "d": 2}
    three = {"a": 0.9, "b": 0.85, "c": 0.8}
    pairs = [pair("a", "b", 0.05, 0.5, 0.5), pair("a", "c", 0.1, 0.01, 0.03), pair("b", "c", 0.05, 0.5, 0.5)]
    assert significance.clusters(three, pairs) == {"a": 1, "b": 1, "c": 2}


def test_permutations_are_raised_until_holm_can_reach_alpha() -> None:
    """15 keys make 105 pairs: the smallest p, 1 / (k + 1), times 105 is at most 0.05 only from k = 2,099."""
    assert significance.permutations_needed(105, 1000, 0.05) == 2100
    assert 105 / (2100 + 1) <= 0.05 < 105 / (2000 + 1)  # rounded up to hundreds
    assert significance.permutations_needed(3, 1000, 0.05) == 1000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=8, max_size=8),
    st.lists(st.integers(0, 3), min_size=8, max_size=8),
)
def test_kendall_matches_scipy_for_any_ties(xs: list[int], hs: list[int]) -> None:
    x, h = np.array(xs, dtype=float), np.array(hs, dtype=float)
    ours = coef.grouped(x[None, None], h[None, None], np.ones((1, 1, 8)), coef.KENDALL)[0, 0]
    if len(set(hs)) < 2:
        assert np.isnan(ours)
    elif len(set(xs)) < 2:
        assert ours == 0.0
    else:
        assert ours == pytest.approx(scipy_stats.kendalltau(x, h)[0], abs=1e-12)
