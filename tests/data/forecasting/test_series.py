"""Series helpers: time labels, the next times, calendar features, the season a step implies."""

import math

import numpy as np
import pytest
import torch

from rnnlab.data.forecasting.series import (
    Series,
    auto_season,
    calendar_features,
    future_times,
    steps_series,
)


def stamps(*texts):
    return torch.tensor([float(np.datetime64(t, "s").astype(np.int64)) for t in texts], dtype=torch.float64)


def series_at(times, datetime=True):
    return Series("s", torch.zeros(len(times), 1, dtype=torch.float64), ("y",), times, datetime)


def test_labels_show_the_time_of_day_only_when_some_row_has_one():
    assert series_at(stamps("2024-01-01", "2024-01-02")).labels() == ["2024-01-01", "2024-01-02"]
    assert series_at(stamps("2024-01-01T00:00", "2024-01-01T00:30")).labels() == ["2024-01-01T00:00",
                                                                                 "2024-01-01T00:30"]
    assert steps_series("s", torch.zeros(2, 1), ("y",)).labels() == ["0", "1"]


def test_future_times_continue_at_the_step_and_skip_weekends_for_trading_days():
    """Reference: the calendar: 2024-01-05 was a Friday, so the next two business days are Mon 8 and Tue 9."""
    hourly = series_at(stamps("2024-01-01T00:00", "2024-01-01T01:00"))
    assert hourly.labels(future_times(hourly, 2)) == ["2024-01-01T02:00", "2024-01-01T03:00"]
    trading = series_at(stamps("2024-01-04", "2024-01-05"))
    assert trading.labels(future_times(trading, 2)) == ["2024-01-08", "2024-01-09"]
    daily = series_at(stamps("2024-01-05", "2024-01-06"))  # a Saturday in the data: calendar days
    assert daily.labels(future_times(daily, 1)) == ["2024-01-07"]
    numbers = series_at(torch.tensor([2000.0, 2005.0]), datetime=False)
    assert numbers.labels(future_times(numbers, 2)) == ["2010", "2015"]


def test_calendar_features_are_sine_and_cosine_of_the_phase():
    """Hand-worked: 06:00 is a quarter day (sin 1, cos 0); Monday 1970-01-05 is phase 0 of the week
    (sin 0, cos 1); Thursday 1970-01-01 is 3/7 of it."""
    features = calendar_features(stamps("1970-01-05T06:00", "1970-01-01T00:00"), ("hour", "weekday"))
    assert features.shape == (2, 4)
    expected = torch.tensor([[1.0, 0.0, 0.0, 1.0],
                             [0.0, 1.0, math.sin(2 * math.pi * 3 / 7), math.cos(2 * math.pi * 3 / 7)]],
                            dtype=torch.float64)
    torch.testing.assert_close(features, expected, atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="unknown calendar feature 'month'"):
        calendar_features(stamps("1970-01-01"), ("month",))


def test_the_season_a_step_implies():
    assert auto_season(series_at(stamps("2024-01-01T00:00", "2024-01-01T00:30"))) == 48
    assert auto_season(series_at(stamps("2024-01-01T00:00", "2024-01-01T01:00"))) == 24
    assert auto_season(series_at(stamps("2024-01-05", "2024-01-06"))) == 7  # has a Saturday
    assert auto_season(series_at(stamps("2024-01-04", "2024-01-05"))) == 5  # weekdays only
    assert auto_season(series_at(torch.tensor([1.0, 2.0]), datetime=False)) == 1
