"""Intervals calibrated on held-out residuals (data/forecasting/calibrate.py)."""

import math

import pytest
import torch

from rnnlab.data.forecasting.calibrate import (
    Calibration,
    apply_each,
    half_width,
    isotonic,
    normalised_residuals,
    rolling,
    spread_origins,
)
from rnnlab.data.forecasting.heads import Forecast


def test_quantiles_are_the_empirical_ones_with_linear_interpolation():
    """Reference: numpy's default quantile (linear, position (n − 1)·q): of 1..19 at 0.1 and 0.9, positions 1.8
    and 16.2, values 2.8 and 17.2; of 1..9, positions 0.8 and 7.2, values 1.8 and 8.2."""
    calibration = Calibration.fit(torch.arange(1.0, 20.0).unsqueeze(1), 0.8)
    assert float(calibration.low[0]) == pytest.approx(2.8) and float(calibration.high[0]) == pytest.approx(17.2)
    assert calibration.windows == 19
    small = Calibration.fit(torch.arange(1.0, 10.0).unsqueeze(1), 0.8)
    assert (float(small.low[0]), float(small.high[0])) == pytest.approx((1.8, 8.2))


def test_residuals_are_in_units_of_the_models_half_width():
    """Reference: by hand, μ = 1, interval [0, 4] (w = 2), y = 5: r = (5 − 1) / 2 = 2; no interval: w = 1."""
    forecast = Forecast(torch.tensor([[1.0]]), torch.tensor([[0.0]]), torch.tensor([[4.0]]))
    assert float(normalised_residuals(forecast, torch.tensor([[5.0]]))) == 2.0
    assert float(half_width(Forecast(torch.tensor([[1.0]])))) == 1.0
    calibrated = Calibration(torch.tensor([-1.0]), torch.tensor([0.5]), 10).apply(forecast)
    assert (float(calibrated.lower), float(calibrated.upper)) == (-1.0, 2.0)  # 1 − 2·1, 1 + 2·0.5


def test_isotonic_pools_adjacent_violators():
    """Reference: by hand, 1, 3, 2, 4 -> 1, 2.5, 2.5, 4; 3, 2, 1 -> 2, 2, 2; a rising sequence stays."""
    assert isotonic(torch.tensor([1.0, 3.0, 2.0, 4.0])).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert isotonic(torch.tensor([3.0, 2.0, 1.0])).tolist() == [2.0, 2.0, 2.0]
    assert isotonic(torch.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    # Quartiles of each column (positions ½ and 1½): low 1.5, 0.75 (already falling); high 2.5, 1.75, pooled to 2.125.
    fitted = Calibration.fit(torch.tensor([[1.0, 0.0], [2.0, 1.5], [3.0, 2.0]]), 0.5)
    assert fitted.high.tolist() == [2.125, 2.125] and fitted.low.tolist() == [1.5, 0.75]



def test_an_interval_never_narrows_with_the_step():
    """Reference: the running maximum of each side's distance from ŷ, by hand: quantiles (−1, 1), (−0.5, 2),
    (−2, 0.5) with w = 1 give distances below 1, 1, 2 and above 1, 2, 2."""
    calibration = Calibration(torch.tensor([-1.0, -0.5, -2.0]), torch.tensor([1.0, 2.0, 0.5]), 10)
    calibrated = calibration.apply(Forecast(torch.zeros(1, 3)))
    assert calibrated.lower is not None and calibrated.upper is not None
    assert calibrated.lower.tolist() == [[-1.0, -1.0, -2.0]] and calibrated.upper.tolist() == [[1.0, 2.0, 2.0]]


def test_steps_past_the_calibrated_horizon_grow_like_a_random_walk():
    """Reference: low_h = low_H · √(h / H) for h > H."""
    calibration = Calibration(torch.tensor([-1.0, -2.0]), torch.tensor([1.0, 2.0]), 5).steps(8)
    assert calibration.high[:2].tolist() == [1.0, 2.0]
    assert float(calibration.high[7]) == pytest.approx(2 * math.sqrt(8 / 2))
    assert float(calibration.low[3]) == pytest.approx(-2 * math.sqrt(4 / 2))


def test_a_random_walk_gets_intervals_that_cover_fresh_data_at_the_level_and_widen_with_the_step():
    """Reference: the split-conformal guarantee, coverage ℓ on average over calibration sets of exchangeable
    residuals; one set of n = 1000 misses ℓ by its own sampling error, sd √(ℓ(1−ℓ)/n) ≈ 0.013, so the check
    allows 3 sd (20,000 fresh walks add ±0.003). A random walk's h-step error has sd √h."""
    g = torch.Generator().manual_seed(0)
    steps = torch.randn(1000 + 20000, 12, generator=g, dtype=torch.float64).cumsum(1)  # errors of the naive forecast
    zero = torch.zeros_like(steps)
    calibration = Calibration.fit(normalised_residuals(Forecast(zero[:1000]), steps[:1000]), 0.8)
    fresh = calibration.apply(Forecast(zero[1000:]))
    assert fresh.lower is not None and fresh.upper is not None
    covered = float(((fresh.lower <= steps[1000:]) & (steps[1000:] <= fresh.upper)).double().mean())
    assert 0.76 < covered < 0.84
    width = (calibration.high - calibration.low)
    assert bool((width[4::4] > width[:-4:4]).all())  # wider every 4 steps (neighbours are within noise)
    assert float(width[-1] / width[0]) == pytest.approx(math.sqrt(12), rel=0.15)


def test_spread_origins_keeps_at_most_the_limit_evenly():
    """Reference: torch.linspace over the indices: 0, 3, 6, 9 of ten origins for a limit of 4."""
    assert spread_origins(torch.arange(10), 4).tolist() == [0, 3, 6, 9]
    assert spread_origins(torch.arange(3), 4).tolist() == [0, 1, 2]


def test_rolling_calibration_uses_only_the_latest_windows_observed_by_each_origin():
    """Reference: by hand. Windows at origins 0..9 with 2 steps, residual = the origin on both steps. From
    origin 5 the windows observed are 0..3 (origin + 2 ≤ 5); the latest 2 are 2 and 3. From origin 1 none is:
    the earliest 2 (0 and 1) stand in."""
    origins = torch.arange(10)
    residuals = origins.double().unsqueeze(1).expand(10, 2)
    late, early = rolling(origins, residuals, torch.tensor([5, 1]), size=2, level=0.8)
    assert late.windows == 2 and float(late.low[0]) == pytest.approx(2.1) and float(late.high[0]) == pytest.approx(2.9)
    assert float(early.low[0]) == pytest.approx(0.1) and float(early.high[0]) == pytest.approx(0.9)


def test_rolling_calibration_follows_a_span_calmer_than_the_validation_span():
    """A validation span with residuals of scale 2, then a test span of scale 1: intervals calibrated once on
    the validation span cover nearly everything in the test span (expected 0.99: ±1.28·2 over N(0, 1)); rolled
    forward on the latest 200 windows they come back to the level (0.8) after the first 200 test windows."""
    generator = torch.Generator().manual_seed(0)
    scale = torch.cat([torch.full((200,), 2.0), torch.ones(2000)])
    residuals = (torch.randn(2200, 1, generator=generator, dtype=torch.float64) * scale.unsqueeze(1))
    origins = torch.arange(2200)
    test = origins[200:]
    forecast = Forecast(torch.zeros(2000, 1, dtype=torch.float64))
    static = Calibration.fit(residuals[:200], 0.8).apply(forecast)
    rolled = apply_each(rolling(origins, residuals, test, 200, 0.8), forecast)

    def covered(f: Forecast) -> float:
        assert f.lower is not None and f.upper is not None
        y = residuals[200:]
        return float(((f.lower <= y) & (y <= f.upper)).double()[200:].mean())

    assert covered(static) > 0.97
    assert covered(rolled) == pytest.approx(0.8, abs=0.03)


def test_apply_each_needs_one_calibration_per_forecast():
    forecast = Forecast(torch.zeros(3, 1))
    with pytest.raises(ValueError, match="2 calibrations for 3 forecasts"):
        apply_each([Calibration.fit(torch.zeros(5, 1), 0.8)] * 2, forecast)
