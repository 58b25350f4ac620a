"""A time series as the forecasting code sees it: named columns over one time axis, in original units.

    series = Series("energy", values, ("demand", "workday", "temperature"), times, datetime=True)
    series.column("demand")              # (N,) float64
    future_times(series, 48)             # the next 48 times, at the series' own step
    calendar_features(times, ("hour",))  # (N, 2): sin and cos of the time of day

Time is seconds since 1970-01-01 UTC when `datetime`, else plain numbers (a year, a step index). Rows
are consecutive steps: a gap in time is not a gap in the model's input (loaders fill gaps first).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.cache import load_tensors, save_tensors

DAY = 86_400  # seconds
YEAR = 365.2425 * DAY  # the mean Gregorian year: day-of-year features drift by under a day per century
CALENDAR = ("hour", "weekday", "year")  # time of day, day of week, time of year; two features each


@dataclass(frozen=True)
class Series:
    name: str  # what error messages call it: a data set name or a file path
    values: Tensor  # (N, C) float64, original units
    columns: tuple[str, ...]
    times: Tensor  # (N,) float64, strictly increasing: seconds since 1970 UTC if `datetime`, else numbers
    datetime: bool = False

    def __post_init__(self) -> None:
        if self.values.dim() != 2 or self.values.shape[1] != len(self.columns):
            raise ValueError(f"{self.name}: values {tuple(self.values.shape)} do not match columns {self.columns}")
        if self.times.shape != (len(self.values),):
            raise ValueError(f"{self.name}: {len(self.times)} times for {len(self.values)} rows")

    def __len__(self) -> int:
        return len(self.values)

    def column(self, name: str) -> Tensor:
        """One column (N,), or a ValueError that lists the columns there are."""
        if name not in self.columns:
            raise ValueError(f"{self.name} has no column {name!r}; its columns are {', '.join(self.columns)}")
        return self.values[:, self.columns.index(name)]

    def labels(self, times: Tensor | None = None) -> list[str]:
        """Times as text: ISO dates (with the time of day when any has one), or numbers."""
        return time_labels(self.times if times is None else times, self.datetime)


def steps_series(name: str, values: Tensor, columns: tuple[str, ...]) -> Series:
    """A series without timestamps: its times are the step numbers 0..N-1."""
    return Series(name, values, columns, torch.arange(len(values), dtype=torch.float64), datetime=False)


def time_labels(times: Tensor, datetime: bool) -> list[str]:
    if not datetime:
        whole = bool(torch.all(times == times.round()))
        return [f"{int(t)}" if whole else f"{float(t):g}" for t in times]
    seconds = times.round().to(torch.int64).numpy()
    unit = "D" if np.all(seconds % DAY == 0) else ("m" if np.all(seconds % 60 == 0) else "s")
    return [str(t) for t in seconds.astype("datetime64[s]").astype(f"datetime64[{unit}]")]


def common_step(times: Tensor) -> float:
    """The most frequent difference between consecutive times (1 for a single row)."""
    if len(times) < 2:
        return 1.0
    return float(Counter(torch.diff(times).tolist()).most_common(1)[0][0])


def future_times(series: Series, count: int) -> Tensor:
    """The `count` times after the last, at the series' most common step (count,).

    A daily series with no Saturday or Sunday in it (stock markets) continues on business days
    (numpy's busday_offset, no holidays); anything else continues at its step.
    """
    last, step = float(series.times[-1]), common_step(series.times)
    if series.datetime and step == DAY:
        days = (series.times // DAY).to(torch.int64).numpy().astype("datetime64[D]")
        if not np.any(np.is_busday(days, weekmask="0000011")):  # no weekend day in the data
            start = np.datetime64(int(last // DAY), "D")
            ahead = np.busday_offset(start, np.arange(1, count + 1), roll="forward")
            return torch.from_numpy(ahead.astype("datetime64[s]").astype(np.int64).astype(np.float64))
    return last + step * torch.arange(1, count + 1, dtype=torch.float64)


def auto_season(series: Series) -> int:
    """The season a step implies: steps per day below a day, 7 for days (5 without weekends), else 1."""
    step = common_step(series.times)
    if not series.datetime or step <= 0:
        return 1
    if step < DAY and DAY % step == 0:
        return int(DAY // step)
    if step == DAY:
        weekdays = torch.remainder(torch.floor(series.times / DAY) - 4, 7)  # 0 = Monday
        return 7 if bool((weekdays >= 5).any()) else 5
    return 1


def calendar_features(times: Tensor, kinds: tuple[str, ...]) -> Tensor:
    """Cyclic calendar features of datetime `times` (N,) -> (N, 2·len(kinds)) float64 in [-1, 1].

        hour   : φ = 2π · (seconds into the day) / 86,400
        weekday: φ = 2π · (days since a Monday) / 7              (1970-01-05 was a Monday)
        year   : φ = 2π · (seconds since 1970) / 365.2425 days
        features = (sin φ, cos φ) per kind: Monday and Sunday, or 23:30 and 00:00, lie close
    """
    phases = []
    for kind in kinds:
        if kind == "hour":
            phases.append(torch.remainder(times, DAY) / DAY)
        elif kind == "weekday":
            phases.append(torch.remainder(torch.floor(times / DAY) - 4, 7) / 7)
        elif kind == "year":
            phases.append(torch.remainder(times, YEAR) / YEAR)
        else:
            raise ValueError(f"unknown calendar feature {kind!r}; choose from {', '.join(CALENDAR)}")
    if not phases:
        return torch.zeros(len(times), 0, dtype=torch.float64)
    angle = 2 * math.pi * torch.stack(phases, dim=1)  # (N, k)
    return torch.stack([angle.sin(), angle.cos()], dim=2).reshape(len(times), 2 * len(kinds))  # (N, 2k)


def save_series(path: Path, series: Series) -> None:
    """Cache a parsed series as tensors (atomic); the column names travel as UTF-8 bytes."""
    names = torch.tensor(list("\n".join(series.columns).encode()), dtype=torch.uint8)
    save_tensors(path, {"values": series.values, "times": series.times, "columns": names,
                        "datetime": torch.tensor(series.datetime)})


def load_series(path: Path, name: str) -> Series:
    saved = load_tensors(path)
    columns = tuple(bytes(saved["columns"].tolist()).decode().split("\n"))
    return Series(name, saved["values"], columns, saved["times"], bool(saved["datetime"]))


def cached_series(path: Path, name: str, build: Callable[[], Series]) -> Series:
    """The series cached at `path`, else `build()` it (fetching and parsing) and cache it atomically."""
    if path.exists():
        return load_series(path, name)
    series = build()
    save_series(path, series)
    return series
