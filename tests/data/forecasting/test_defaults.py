"""Settings chosen from a user's series (data/forecasting/defaults.py), on series whose answer is known by
construction."""

import math

import numpy as np
import pytest
import torch

from rnnlab.data.forecasting.defaults import autocorrelation, choose, detect_season, trend_r2
from rnnlab.data.forecasting.series import Series, steps_series

WEEK = 7 * 86_400


def weekly_co2(years=20):
    """Weekly values like Mauna Loa's CO2: a rising trend plus a yearly cycle plus noise."""
    n = 52 * years
    g = torch.Generator().manual_seed(0)
    t = torch.arange(n, dtype=torch.float64)
    y = 315 + 0.03 * t + 3 * torch.sin(2 * math.pi * t / 52) + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)
    start = float(np.datetime64("1974-05-19", "s").astype(np.int64))
    return Series("co2", y.unsqueeze(1), ("co2",), start + WEEK * t, datetime=True)


def test_autocorrelation_and_trend_by_hand():
    """Reference: an alternating sequence has lag-1 correlation −1 and lag-2 +1; a straight line has R² 1."""
    x = torch.tensor([1.0, -1.0] * 10)
    assert autocorrelation(x, 1) == pytest.approx(-1) and autocorrelation(x, 2) == pytest.approx(1)
    assert trend_r2(torch.arange(10.0) * 3 + 2) == pytest.approx(1)
    assert trend_r2(torch.tensor([1.0, -1.0] * 10)) < 0.01


def test_a_trending_weekly_series_gets_a_yearly_season_and_changes_from_the_last_value():
    """Reference: by construction, period 52 weeks and a linear trend (R² near 1 over the training span)."""
    chosen = choose(weekly_co2(), "co2", season=None, relative=None, context=None, calendar=None)
    assert (chosen.season, chosen.relative, chosen.context, chosen.calendar) == (52, True, 104, "year")
    assert "a line explains" in chosen.reasons


def test_a_series_without_dates_finds_its_period_among_every_lag():
    """Reference: period 12 by construction; white noise has none (season 1)."""
    t = torch.arange(600, dtype=torch.float64)
    g = torch.Generator().manual_seed(1)
    cycle = torch.sin(2 * math.pi * t / 12) + 0.2 * torch.randn(600, generator=g, dtype=torch.float64)
    assert detect_season(cycle[:420], list(range(2, 140)))[0] == 12
    noise = torch.randn(600, generator=g, dtype=torch.float64)
    assert detect_season(noise[:420], list(range(2, 140))) == (1, 0.0)
    series = steps_series("s", cycle.unsqueeze(1), ("y",))
    chosen = choose(series, "y", season=None, relative=None, context=None, calendar=None)
    assert (chosen.season, chosen.relative, chosen.calendar) == (12, False, "")


def test_given_settings_are_kept():
    chosen = choose(weekly_co2(), "co2", season=4, relative=False, context=10, calendar="")
    assert (chosen.season, chosen.relative, chosen.context, chosen.calendar, chosen.reasons) == (4, False, 10, "", "")
