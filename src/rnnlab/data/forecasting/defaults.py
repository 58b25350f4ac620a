"""Settings chosen from a user's own series, for the ones the user leaves open (`csv-series`).

Everything is read from the training span (the first 70 %), except the level check, which also reads the
validation span's mean (the validation span is for choosing settings; the test span is never read):

    season    the smallest candidate period m whose autocorrelation of the first differences,
              ρ_m = corr(Δy_t, Δy_{t−m}), reaches SEASON_ACF and peaks there (ρ_m ≥ ρ_{m±⌈m/4⌉}):
              differencing removes the trend and the persistence that make every lag of a smooth series
              look alike. Candidates come from the
              time step: a day and a week of steps below a day; 7 (or 5 on business days) and 365 for
              days; 52 for weeks; 12 for months; 4 for quarters; every lag up to a third of the span for
              series without dates. None reaching it: m = 1 (seasonal naive = naive).
    relative  forecast changes from the last observed value (differencing at the origin) instead of
              levels, when the series trends: a straight line explains at least TREND_R2 of the
              training span's variance (R²), or the validation span's mean lies outside the training
              span's range. A level-free model then cannot be thrown by levels it never saw.
    context   two seasons, within [MIN_CONTEXT, MAX_CONTEXT] steps and a third of the training span.
    calendar  for dated series: the time of day and the weekday below a day, the weekday for days, and
              the time of year when the training span covers two years or more.

Scale needs no choice: every column is standardised on the training span (prepare.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.forecasting.prepare import chronological_spans
from rnnlab.data.forecasting.series import DAY, Series, common_step

SEASON_ACF = 0.2  # ρ_m of the differences: weaker cycles are not worth a seasonal baseline
TREND_R2 = 0.5
MIN_CONTEXT, MAX_CONTEXT = 24, 336
YEAR_DAYS = 365


@dataclass(frozen=True)
class Choice:
    """What was chosen for a series, and why (shown to the user and kept in the run's config)."""

    season: int
    relative: bool
    context: int
    calendar: str
    reasons: str


def season_candidates(series: Series, train_rows: int) -> list[int]:
    """Periods worth testing, from the time step (see the module docstring), each at most a third of the span."""
    step = common_step(series.times)
    if not series.datetime or step <= 0:
        candidates = list(range(2, train_rows // 3 + 1))
    elif step < DAY:
        day = round(DAY / step)
        candidates = [day, 7 * day] if DAY % step == 0 else []
    elif step == DAY:
        weekdays = torch.remainder(torch.floor(series.times / DAY) - 4, 7)  # 0 = Monday
        candidates = [7 if bool((weekdays >= 5).any()) else 5, YEAR_DAYS]
    elif 6 * DAY <= step <= 8 * DAY:
        candidates = [52]
    elif 28 * DAY <= step <= 31 * DAY:
        candidates = [12]
    elif 89 * DAY <= step <= 92 * DAY:
        candidates = [4]
    else:
        candidates = []
    return [m for m in candidates if 2 <= m <= train_rows // 3]


def autocorrelation(x: Tensor, lag: int) -> float:
    """corr(x_t, x_{t−lag}) over the pairs there are."""
    a, b = x[lag:], x[:-lag]
    a, b = a - a.mean(), b - b.mean()
    denominator = float(a.norm() * b.norm())
    return float((a * b).sum()) / denominator if denominator > 0 else 0.0


def detect_season(y_train: Tensor, candidates: list[int]) -> tuple[int, float]:
    """(m, ρ_m): the smallest candidate whose differences' autocorrelation reaches SEASON_ACF and peaks there
    (ρ_m ≥ ρ at m ± ⌈m/4⌉, a quarter cycle away, where a cycle's autocorrelation falls to 0 but the slow decay of
    a persistent series does not), moved to the highest ρ among candidates within that quarter; else (1, 0)."""
    differences = torch.diff(y_train.double())
    for m in sorted(candidates):
        rho = autocorrelation(differences, m)
        quarter = -(-m // 4)
        neighbours = [autocorrelation(differences, lag) for lag in (m - quarter, m + quarter)
                      if 0 < lag < len(differences) - 1]
        if rho >= SEASON_ACF and all(rho >= other for other in neighbours):
            # Among candidates within a quarter cycle (every lag, for a series without dates), the peak itself.
            near = [lag for lag in candidates if abs(lag - m) <= quarter]
            best = max(near, key=lambda lag: autocorrelation(differences, lag))
            return best, autocorrelation(differences, best)
    return 1, 0.0


def trend_r2(y: Tensor) -> float:
    """R² of the least-squares line through y (N,) against time."""
    t = torch.arange(len(y), dtype=torch.float64)
    t, y = t - t.mean(), y.double() - y.double().mean()
    total = float((y * y).sum())
    if total == 0:
        return 0.0
    return float((t * y).sum()) ** 2 / (float((t * t).sum()) * total)


def choose(series: Series, target: str, *, season: int | None, relative: bool | None, context: int | None,
           calendar: str | None) -> Choice:
    """The settings for `target` of `series`: the ones given (not None) as they are, the others from the data."""
    y = series.column(target)
    spans = chronological_spans(len(series))
    train = y[spans.train.start:spans.train.stop]
    reasons = []
    if season is None:
        season, rho = detect_season(train, season_candidates(series, len(train)))
        reasons.append(f"season {season}" + (f" (autocorrelation of the differences at lag {season}: {rho:.2f})"
                                             if season > 1 else " (no cycle found: seasonal naive = naive)"))
    if relative is None:
        r2 = trend_r2(train)
        validation = y[spans.validation.start:spans.validation.stop]
        outside = len(validation) > 0 and not float(train.min()) <= float(validation.mean()) <= float(train.max())
        relative = r2 >= TREND_R2 or outside
        why = (f"a line explains {r2:.0%} of the training span" if r2 >= TREND_R2 else
               "the validation level lies outside the training range" if outside else
               f"no trend: a line explains {r2:.0%}")
        reasons.append(("changes from the last value (differenced)" if relative else "levels") + f" ({why})")
    if context is None:
        context = int(np.clip(2 * season, MIN_CONTEXT, MAX_CONTEXT))
        context = max(2, min(context, len(train) // 3))
        reasons.append(f"context {context} steps")
    if calendar is None:
        calendar = calendar_for(series, len(train))
        reasons.append(f"calendar features: {calendar or 'none'}")
    return Choice(season, relative, context, calendar, "; ".join(reasons))


def calendar_for(series: Series, train_rows: int) -> str:
    """Calendar features a dated series' step makes meaningful (see the module docstring)."""
    if not series.datetime:
        return ""
    step = common_step(series.times)
    kinds = ["hour", "weekday"] if step < DAY else ["weekday"] if step == DAY else []
    if step * train_rows >= 2 * YEAR_DAYS * DAY:
        kinds.append("year")
    return ",".join(kinds)
