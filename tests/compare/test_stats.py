"""Intervals and tests behind every verdict (compare/stats.py), against values worked by hand or printed in
standard tables: Student t (two-sided 95 %), Wilson (1927) score intervals, Fisher's exact test."""

import math

import pytest

from rnnlab.compare.stats import (
    Interval,
    beyond,
    clearly_better,
    fisher_one_sided,
    log_ratio_interval,
    mean_interval,
    t_quantile,
    wilson,
)


def test_t_quantiles_match_the_table_and_approach_the_normal() -> None:
    """Reference: Student's t table, 97.5 % column: df 2 → 4.303, df 10 → 2.228, df 30 → 2.042; df 120 → 1.980."""
    assert (t_quantile(2), t_quantile(10), t_quantile(30)) == (4.303, 2.228, 2.042)
    assert t_quantile(120) == pytest.approx(1.980, abs=0.002)
    with pytest.raises(ValueError):
        t_quantile(0)


def test_the_mean_interval_of_three_seeds_is_the_t_interval() -> None:
    """Reference: mean 0.02, sd 0.01 (values 0.01, 0.02, 0.03): 0.02 ± 4.303 · 0.01 / √3 = 0.02 ± 0.02484."""
    interval = mean_interval([0.01, 0.02, 0.03, math.nan])  # a NaN (a diverged seed) is left out
    assert interval is not None and interval.estimate == pytest.approx(0.02)
    assert (interval.low, interval.high) == pytest.approx((0.02 - 0.024844, 0.02 + 0.024844), abs=1e-6)
    assert mean_interval([0.5]) == Interval(0.5, -math.inf, math.inf)  # one value: nothing known of its spread
    assert mean_interval([math.nan]) is None
    same = mean_interval([0.125, 0.125, 0.125])  # every seed alike: an interval of width zero
    assert same == Interval(0.125, 0.125, 0.125)


@pytest.mark.parametrize(("k", "n", "low", "high"), [(0, 3, 0.0, 0.5615), (3, 3, 0.4385, 1.0), (2, 3, 0.2077, 0.9385),
                                                     (5, 5, 0.5655, 1.0), (1, 10, 0.0179, 0.4042)])
def test_wilson_intervals(k: int, n: int, low: float, high: float) -> None:
    """Reference: Wilson score intervals at z = 1.96 as tabulated by Newcombe (1998) and Brown, Cai & DasGupta
    (2001): 1/10 → 0.0179-0.4042; 0/3 → 0-0.5615."""
    interval = wilson(k, n)
    assert interval.estimate == k / n and (interval.low, interval.high) == pytest.approx((low, high), abs=1e-4)
    with pytest.raises(ValueError):
        wilson(4, 3)


def test_clearly_better_means_intervals_apart_in_the_better_direction() -> None:
    a, b = Interval(0.01, 0.0, 0.02), Interval(0.1, 0.05, 0.15)
    assert clearly_better(a, b, lower_is_better=True) and not clearly_better(b, a, lower_is_better=True)
    assert clearly_better(b, a, lower_is_better=False)
    assert not clearly_better(a, Interval(0.03, 0.015, 0.04), lower_is_better=True)  # overlapping: level
    assert beyond(a, 0.05, lower_is_better=True) and not beyond(a, 0.015, lower_is_better=True)


def test_fisher_exact_test_one_sided() -> None:
    """Reference: hypergeometric probabilities worked by hand: 3/3 against 0/3 is 1/C(6,3) = 0.05; 4/4 against
    0/4 is 1/C(8,4) = 0.0143; 2/3 against 1/3 is (9 + 1) / 20 = 0.5."""
    assert fisher_one_sided(3, 3, 0, 3) == pytest.approx(0.05)
    assert fisher_one_sided(4, 4, 0, 4) == pytest.approx(1 / 70)
    assert fisher_one_sided(2, 3, 1, 3) == pytest.approx(0.5)
    assert fisher_one_sided(0, 3, 3, 3) == pytest.approx(1.0)


def test_a_ratio_of_repeated_timings_gets_an_interval() -> None:
    """Reference: identical timings give a degenerate interval at their ratio; spread widens it around the
    ratio of geometric means."""
    exact = log_ratio_interval([2.0, 2.0, 2.0], [1.0, 1.0])
    assert exact is not None and (exact.estimate, exact.low, exact.high) == pytest.approx((2.0, 2.0, 2.0))
    noisy = log_ratio_interval([1.8, 2.0, 2.2], [0.9, 1.0, 1.1])
    assert noisy is not None and noisy.low < 2.0 < noisy.high and noisy.estimate == pytest.approx(2.0, rel=0.01)
    assert log_ratio_interval([], [1.0]) is None
