"""The uncertainty behind every verdict: intervals on a mean and on a solved fraction, and when two
measurements differ by more than their noise.

    low, high = mean_interval([0.012, 0.009, 0.020])      # Student t, 95 %: (mean − t·s/√n, mean + t·s/√n)
    low, high = wilson(2, 3)                              # Wilson score interval on 2 solved of 3, 95 %
    clearly_better(a, b, lower_is_better=True)            # a's interval lies wholly on the better side of b's

With three seeds a 95 % t-interval is wide (t = 4.30, so ±2.5 sample standard deviations): a contrast
that clears it is large and consistent across seeds, which is what a verdict should rest on. Overlapping
intervals are called level, never a win. A model whose seeds all agree exactly has an interval of width
zero; one with a single finite value has an unbounded interval (nothing is known about its spread).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95
Z = 1.959964  # the standard normal's 97.5 % quantile
# Student t's 97.5 % quantile by degrees of freedom (two-sided 95 %), from the t table; beyond 30 the
# normal approximation with a 1/df correction is within 0.1 %.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
         20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
         29: 2.045, 30: 2.042}


def t_quantile(df: int) -> float:
    """Student t's 97.5 % quantile with `df` degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    return T_975.get(df, Z + 2.4 / df)


@dataclass(frozen=True)
class Interval:
    """A 95 % interval around an estimate; low = −inf, high = +inf when it is unbounded."""

    estimate: float
    low: float
    high: float

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def text(self, digits: int = 3) -> str:
        """'0.0123 [0.0101, 0.0145]'."""
        def show(v: float) -> str:
            return f"{v:.{digits}g}" if math.isfinite(v) else ("−∞" if v < 0 else "∞")
        return f"{show(self.estimate)} [{show(self.low)}, {show(self.high)}]"


def mean_interval(values: Sequence[float]) -> Interval | None:
    """95 % Student-t interval for the mean of `values` (finite ones only); None when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None
    mean = statistics.fmean(finite)
    if len(finite) == 1:
        return Interval(mean, -math.inf, math.inf)
    half = t_quantile(len(finite) - 1) * statistics.stdev(finite) / math.sqrt(len(finite))
    return Interval(mean, mean - half, mean + half)


def wilson(successes: int, trials: int) -> Interval:
    """Wilson's score interval (1927) for a binomial proportion, 95 %: sound at 0/n and n/n, unlike the
    normal approximation. Estimate = successes / trials."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")
    p = successes / trials
    centre = (p + Z * Z / (2 * trials)) / (1 + Z * Z / trials)
    half = Z / (1 + Z * Z / trials) * math.sqrt(p * (1 - p) / trials + Z * Z / (4 * trials * trials))
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def clearly_better(a: Interval, b: Interval, lower_is_better: bool) -> bool:
    """a beats b by more than the noise: a's interval lies wholly on the better side of b's."""
    return a.high < b.low if lower_is_better else a.low > b.high


def beyond(a: Interval, value: float, lower_is_better: bool) -> bool:
    """a is better than a fixed value (a baseline's score, a threshold) by more than its own noise."""
    return a.high < value if lower_is_better else a.low > value


def fisher_one_sided(a_successes: int, a_trials: int, b_successes: int, b_trials: int) -> float:
    """Fisher's exact test, one-sided: the probability, with the margins fixed, of group a having at least
    `a_successes` successes if both groups shared one rate. Small values: a's rate is higher than b's."""
    total_successes, total = a_successes + b_successes, a_trials + b_trials

    def hypergeometric(k: int) -> float:
        return (math.comb(total_successes, k) * math.comb(total - total_successes, a_trials - k)
                / math.comb(total, a_trials))

    top = min(a_trials, total_successes)
    return sum(hypergeometric(k) for k in range(a_successes, top + 1))


def log_ratio_interval(numerators: Sequence[float], denominators: Sequence[float]) -> Interval | None:
    """95 % interval of a ratio of positive quantities measured repeatedly (timings, throughputs), from the
    t-interval of the mean log of each sample's ratio to the other group's geometric mean."""
    top = [math.log(v) for v in numerators if v > 0 and math.isfinite(v)]
    bottom = [math.log(v) for v in denominators if v > 0 and math.isfinite(v)]
    if not top or not bottom:
        return None
    difference = statistics.fmean(top) - statistics.fmean(bottom)
    spread = 0.0
    for group in (top, bottom):
        if len(group) > 1:
            spread += statistics.variance(group) / len(group)
    df = max(1, len(top) + len(bottom) - 2)
    half = t_quantile(df) * math.sqrt(spread)
    return Interval(math.exp(difference), math.exp(difference - half), math.exp(difference + half))
