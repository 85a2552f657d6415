"""harness.rank.stats against known answers: scipy's percentile bootstrap, hand-computed Holm, permutation
p-values at their extremes, and properties that must hold for any scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harness.rank import stats


def test_constant_scores_give_a_zero_width_interval() -> None:
    (interval,) = stats.bootstrap_intervals(np.full(50, 0.7))
    assert interval.low == interval.mean == interval.high == pytest.approx(0.7, abs=1e-15)


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    scores = np.random.default_rng(1).uniform(size=100)
    assert stats.bootstrap_intervals(scores, seed=5) == stats.bootstrap_intervals(scores, seed=5)
    assert stats.bootstrap_intervals(scores, seed=5) != stats.bootstrap_intervals(scores, seed=6)


def test_point_estimate_is_the_plain_mean() -> None:
    scores = np.random.default_rng(2).exponential(size=40)  # skewed: bootstrap median != mean
    (interval,) = stats.bootstrap_intervals(scores)
    assert interval.mean == pytest.approx(scores.mean(), rel=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_scipy_percentile_bootstrap(seed: int) -> None:
    """Endpoints agree within Monte-Carlo error. With 20,000 resamples the sd of a 2.5% percentile estimate is
    about 0.02 standard errors of the mean (sqrt(q(1-q)/N) / density), so 0.15 SE is over 5 sd of the gap."""
    scipy_stats = pytest.importorskip("scipy.stats")
    scores = np.random.default_rng(seed).beta(2, 5, size=300)
    ours = stats.bootstrap_intervals(scores, resamples=20_000, seed=seed)[0]
    theirs = scipy_stats.bootstrap(
        (scores,), np.mean, n_resamples=20_000, method="percentile", confidence_level=0.95, random_state=seed + 100
    ).confidence_interval
    standard_error = scores.std(ddof=1) / np.sqrt(len(scores))
    assert abs(ours.low - theirs.low) < 0.15 * standard_error
    assert abs(ours.high - theirs.high) < 0.15 * standard_error


def test_columns_share_resamples_and_match_single_column_runs() -> None:
    matrix = np.random.default_rng(3).uniform(size=(60, 3))
    together = stats.bootstrap_intervals(matrix, seed=9)
    alone = [stats.bootstrap_intervals(matrix[:, j], seed=9)[0] for j in range(3)]
    for a, b in zip(together, alone, strict=True):
        assert a.mean == pytest.approx(b.mean, abs=1e-15)
        assert a.low == pytest.approx(b.low, abs=1e-12) and a.high == pytest.approx(b.high, abs=1e-12)


def test_permutation_test_extremes() -> None:
    """Clearly different systems: no shuffle reaches the observed difference, p = 1/(N+1). Identical: p = 1."""
    rng = np.random.default_rng(4)
    a = rng.uniform(0.6, 0.9, size=100)
    b = a - 0.3
    assert stats.permutation_test(a, b, resamples=999) == [1 / 1000]
    assert stats.permutation_test(a, a, resamples=999) == [1.0]


def test_permutation_test_finds_no_difference_in_noise() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.uniform(size=200), rng.uniform(size=200)
    (p,) = stats.permutation_test(a, b, resamples=2000)
    assert p > 0.05


def test_paired_bootstrap_of_a_constant_difference() -> None:
    a = np.random.default_rng(6).uniform(size=30)
    (interval,) = stats.paired_bootstrap(a, a - 0.25)
    assert interval.mean == pytest.approx(0.25) and interval.low == pytest.approx(0.25)
    assert interval.high == pytest.approx(0.25)


def test_holm_by_hand() -> None:
    """Sorted p: 0.01*3 = 0.03; 0.03*2 = 0.06; 0.04*1 = 0.04, raised to 0.06 by monotonicity."""
    assert stats.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([0.5, 0.9]) == [1.0, 1.0]
    assert stats.holm([]) == []


@pytest.mark.parametrize(
    ("a", "b"), [([], []), ([1.0, float("nan")], [1.0, 1.0]), ([1.0, 2.0], [1.0])], ids=["empty", "nan", "shape"]
)
def test_bad_input_is_a_value_error(a: list[float], b: list[float]) -> None:
    with pytest.raises(ValueError):
        stats.permutation_test(a, b)


scores = arrays(np.float64, st.integers(1, 40), elements=st.floats(0, 1))


@settings(max_examples=60, deadline=None)
@given(scores)
def test_interval_contains_mean_and_lies_within_the_data(values: np.ndarray) -> None:
    (interval,) = stats.bootstrap_intervals(values, resamples=200)
    assert values.min() - 1e-12 <= interval.low <= interval.mean <= interval.high <= values.max() + 1e-12


@settings(max_examples=60, deadline=None)
@given(scores, st.integers(0, 2**32 - 1))
def test_permutation_p_is_valid_and_symmetric(values: np.ndarray, seed: int) -> None:
    other = values[::-1].copy()
    (p,) = stats.permutation_test(values, other, resamples=100, seed=seed)
    assert 1 / 101 <= p <= 1.0
    assert stats.permutation_test(other, values, resamples=100, seed=seed) == [p]
