"""Prediction intervals calibrated on the validation span, one pair of quantiles per forecast step.

A model's own interval (a Gaussian head's μ ± zσ, a quantile head's q_lo..q_hi) is only as good as its
training made it, and a roll-out past the model's horizon feeds back point forecasts without their error,
so its intervals stop widening where they should widen most. Calibrating on held-out forecasts, as split
conformal prediction does (Vovk et al. 2005; per step of the horizon, as in Stankeviciute et al. 2021),
repairs both:

    r_{i,h} = (y_{i,h} − ŷ_{i,h}) / w_{i,h}         the residual of window i at step h, in units of the
                                                   model's half-width w = (upper − lower) / 2 (1 without an
                                                   interval), all in the model's scaled units
    low_h, high_h = the (1−ℓ)/2 and (1+ℓ)/2 empirical quantiles of r_{1..n,h} (ℓ the level, n windows; linear
                    interpolation), made monotone over h by isotonic regression (high_h non-decreasing, low_h
                    non-increasing)
    interval_h = [ŷ_h + w_h · low_h, ŷ_h + w_h · high_h]

Empirical quantiles aim at coverage ℓ itself; split conformal's ranks, ⌊(n+1)(1−ℓ)/2⌋ and ⌈(n+1)(1+ℓ)/2⌉,
guarantee at least ℓ but over-cover a short validation span (0.85 expected at n = 25, ℓ = 0.8), and an interval
that covers more than asked for is wider than it need be.

The residuals come from forecasts made from every origin of the validation span (at most MAX_WINDOWS of
them, evenly spread), never from the span the intervals are scored on: when the validation span itself is
scored, each half is calibrated on the other (cross-fitting). Past the validation span the calibration
rolls forward, as a forecaster's would (sequential split conformal with a sliding calibration set, as in
Xu & Xie 2021's EnbPI): a forecast from origin t is calibrated on the latest n windows whose targets had all
been observed by t (origin + H ≤ t), n the validation span's count, so a test span calmer or wilder than
the validation span gets intervals of its own level after its first n windows; `rolling` fits those.
Quantiles are taken per step h, so the interval widens as far as the errors grow; signed quantiles also
absorb a bias. Steps beyond the longest
horizon the validation span can check grow like a random walk: low_h = low_H · √(h / H). What lies ahead is
never more certain than what lies before it: the quantiles are smoothed to be monotone over the steps (which
few windows would otherwise leave jagged), and each side of a window's interval is kept at least as far from
ŷ as at the step before (a running maximum), which a roll-out's fresh model call, with its own small w,
would otherwise break.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from rnnlab.data.forecasting.heads import Forecast

MAX_WINDOWS = 2000  # validation windows per calibration: enough for 10 % tails, cheap to forecast


def half_width(forecast: Forecast) -> Tensor:
    """w (B, S): half the model's interval, or 1 (the scaled unit) without one."""
    if forecast.lower is None or forecast.upper is None:
        return torch.ones_like(forecast.mean)
    return ((forecast.upper - forecast.lower) / 2).clamp(min=1e-6)


def normalised_residuals(forecast: Forecast, actual: Tensor) -> Tensor:
    """r (B, S) = (y − ŷ) / w."""
    return (actual - forecast.mean) / half_width(forecast)


@dataclass(frozen=True)
class Calibration:
    """Per-step quantiles of normalised residuals (see the module docstring)."""

    low: Tensor  # (H,)
    high: Tensor  # (H,)
    windows: int  # n, the validation windows they came from

    @classmethod
    def fit(cls, residuals: Tensor, level: float) -> Calibration:
        """residuals (n, H) -> the split-conformal quantiles of each step's column at nominal coverage `level`,
        made monotone over the steps (`isotonic`: high never falls, low never rises)."""
        n = residuals.shape[0]
        if n == 0:
            raise ValueError("calibrating an interval needs at least one validation window")
        tails = torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=residuals.dtype)
        low, high = torch.quantile(residuals, tails, dim=0)  # each (H,), linear interpolation
        return cls(-isotonic(-low), isotonic(high), n)

    def steps(self, count: int) -> Calibration:
        """The quantiles of the first `count` steps, extended past the last calibrated step H by √(h / H)."""
        H = len(self.low)
        if count <= H:
            return Calibration(self.low[:count], self.high[:count], self.windows)
        growth = torch.sqrt(torch.arange(H + 1, count + 1, dtype=self.low.dtype) / H)  # (count − H,)
        return Calibration(torch.cat([self.low, self.low[-1] * growth]),
                           torch.cat([self.high, self.high[-1] * growth]), self.windows)

    def apply(self, forecast: Forecast) -> Forecast:
        """The forecast (B, S) with its interval replaced by the calibrated one (scaled units), never narrower
        at a step than at the step before (see the module docstring)."""
        calibration = self.steps(forecast.mean.shape[1])
        w = half_width(forecast)
        below = (-w * calibration.low.to(w.dtype)).cummax(dim=1).values  # (B, S): distance down from ŷ
        above = (w * calibration.high.to(w.dtype)).cummax(dim=1).values
        return Forecast(forecast.mean, forecast.mean - below, forecast.mean + above)


def isotonic(values: Tensor) -> Tensor:
    """The non-decreasing sequence closest to `values` (H,) in squared error: pool-adjacent-violators (Ayer
    et al. 1955), which averages a run of steps that would fall instead of raising it to its maximum."""
    blocks: list[list[float]] = []  # [mean, count] of pooled runs
    for value in values.tolist():
        blocks.append([value, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, c2), (m1, c1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    return torch.tensor([m for m, c in blocks for _ in range(int(c))], dtype=values.dtype)


def spread_origins(origins: Tensor, limit: int = MAX_WINDOWS) -> Tensor:
    """At most `limit` of `origins`, evenly spread (all of them when there are fewer)."""
    if len(origins) <= limit:
        return origins
    return origins[torch.linspace(0, len(origins) - 1, limit).round().long()]


def rolling(origins: Tensor, residuals: Tensor, at: Tensor, size: int, level: float) -> list[Calibration]:
    """For each origin t of `at` (B,): the calibration fitted on the latest `size` windows (origins (n,) in
    time order, residuals (n, H)) whose H targets had all been observed at t, i.e. origin + H ≤ t (the
    earliest `size` windows when none had)."""
    H = residuals.shape[1]
    fits = []
    for t in at.tolist():
        seen = (origins + H <= t).nonzero().flatten()
        chosen = seen[-size:] if len(seen) else torch.arange(min(size, len(origins)))
        fits.append(Calibration.fit(residuals[chosen], level))
    return fits


def apply_each(fits: list[Calibration], forecast: Forecast) -> Forecast:
    """The forecast (B, S) with row i's interval calibrated by fits[i] (B of them)."""
    if len(fits) != forecast.mean.shape[0]:
        raise ValueError(f"{len(fits)} calibrations for {forecast.mean.shape[0]} forecasts")
    if not fits:
        return forecast
    return Forecast.cat([fit.apply(forecast.row(i)) for i, fit in enumerate(fits)], dim=0)
