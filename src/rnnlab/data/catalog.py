"""Every real data set rnnlab can fetch, for `rnnlab data list` and `rnnlab data fetch NAME`.

Each dataset module under rnnlab.data.datasets defines `INFO = DatasetInfo(...)` (datasets/info.py);
this module is the one place they are collected. `fetch()` downloads (or finds) the source, parses it
and fills the cache, raising `DataUnavailable` with one line on how to get it; `is_cached()` says
whether that was done.
"""

from __future__ import annotations

from rnnlab.data.datasets import (
    chatterbot,
    chorales,
    digits8x8,
    ding,
    elecdemand,
    eustocks,
    fashion_mnist,
    japanese_vowels,
    mnist5k,
    msft,
    nyc_weather,
    rotten_tomatoes,
    shakespeare,
    spoken_digits,
)
from rnnlab.data.datasets.info import DatasetInfo


def datasets() -> dict[str, DatasetInfo]:
    """Name -> info for every registered data set, in the order `rnnlab data list` shows them."""
    infos = [mnist5k.INFO, fashion_mnist.INFO, shakespeare.INFO, chorales.INFO, rotten_tomatoes.INFO]
    infos += [spoken_digits.INFO, japanese_vowels.INFO, digits8x8.INFO]
    infos += [ding.INFO, chatterbot.INFO]
    infos += [elecdemand.INFO, eustocks.INFO, msft.INFO, nyc_weather.INFO]
    return {info.name: info for info in infos}


def dataset(name: str) -> DatasetInfo:
    known = datasets()
    if name not in known:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(known)}")
    return known[name]
