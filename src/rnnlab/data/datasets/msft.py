"""Microsoft's daily stock prices and volumes, 13 March 1986 to 10 November 2017 (7,983 trading days).

Source: the PyPI wheel `pmdarima==2.1.1` (MIT), file `pmdarima/datasets/data/msft.tar.gz`, a tarball
holding `msft.csv` (from Kaggle's "Huge Stock Market Dataset", prices adjusted for splits and
dividends). The wheel is pip-downloaded into the cache and read with `zipfile`, the tarball with
`tarfile`, the CSV with the `csv` module: pmdarima (which pulls statsmodels) is never installed.

    open, high, low, close   US dollars per share        close is the usual target
    volume                   shares traded that day

The CSV's constant `OpenInt` column (always 0) is dropped. Times are the trading days (no weekends,
so forecasts continue on business days). Cached once parsed: <cache>/pmdarima/2.1.1/msft.pt.
"""

from __future__ import annotations

import csv
import functools
import io
import tarfile
from pathlib import Path

import numpy as np
import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.forecasting.series import Series, cached_series
from rnnlab.data.sources import wheel_member

PACKAGE, VERSION = "pmdarima", "2.1.1"
MEMBER = "pmdarima/datasets/data/msft.tar.gz"
NAME = "msft"
CACHE_FILE = "msft.pt"
COLUMNS = ("Open", "High", "Low", "Close", "Volume")


def parse_csv(text: str, name: str = "msft.csv") -> Series:
    """Date,Open,High,Low,Close,Volume[,OpenInt] rows, oldest first -> the series (dates as times)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or "Date" not in header or any(column not in header for column in COLUMNS):
        raise ValueError(f"{name}: expected a header with Date,{','.join(COLUMNS)}, got {header}")
    where = [header.index(column) for column in COLUMNS]
    times, rows = [], []
    for line, row in enumerate(reader, start=2):
        try:
            times.append(float(np.datetime64(row[header.index("Date")], "s").astype(np.int64)))
            rows.append([float(row[i]) for i in where])
        except (ValueError, IndexError):
            raise ValueError(f"{name} line {line}: cannot read {row}") from None
    series = Series(NAME, torch.tensor(rows, dtype=torch.float64), tuple(c.lower() for c in COLUMNS),
                    torch.tensor(times, dtype=torch.float64), datetime=True)
    if len(series) and not bool(torch.all(torch.diff(series.times) > 0)):
        raise ValueError(f"{name}: dates are not strictly increasing")
    return series


def read_tarball(data: bytes) -> Series:
    """msft.csv out of the gzipped tarball `msft.tar.gz`."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = next((m for m in archive.getmembers() if m.isfile() and m.name.endswith("msft.csv")), None)
        stream = archive.extractfile(member) if member is not None else None
        if stream is None:
            raise ValueError(f"{MEMBER} holds no msft.csv")
        return parse_csv(stream.read().decode("utf-8"))


def load_msft() -> Series:
    """All 7,983 trading days, fetched and parsed on first use, then from the cache."""
    return _load(cache_dir(PACKAGE, VERSION))


@functools.cache  # once per process and cache folder
def _load(folder: Path) -> Series:
    return cached_series(folder / CACHE_FILE, NAME, lambda: read_tarball(wheel_member(PACKAGE, VERSION, MEMBER)))


INFO = DatasetInfo(
    NAME, "forecasting", f"PyPI {PACKAGE}=={VERSION} (wheel; msft.tar.gz read with tarfile)",
    "7,983 trading days (1986-2017)", "MIT package (pmdarima); data from Kaggle's Huge Stock Market Dataset",
    "Microsoft daily open, high, low, close and volume",
    fetch=load_msft, is_cached=lambda: (cache_dir(PACKAGE, VERSION) / CACHE_FILE).exists(),
)
