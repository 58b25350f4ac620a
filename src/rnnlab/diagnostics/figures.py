"""What every diagnostic figure shares: an Agg canvas, saving, titles, when an axis goes logarithmic.

Figures are drawn on matplotlib's Agg canvas directly, so no display is needed and a notebook's own
backend is left alone (no global `matplotlib.use`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnnlab.files import atomic_path


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save(figure: Figure, path: Path | str) -> Path:
    path = Path(path)
    with atomic_path(path) as partial:
        figure.savefig(partial, format=path.suffix.lstrip(".") or "png")
    return path


def title(what: str, setting: str | None) -> str:
    return what if not setting else f"{what}\n{setting}"


def spans_decades(values: Sequence[float], decades: float) -> bool:
    """True when the finite positive values span at least `decades` powers of ten."""
    positive = [value for value in values if math.isfinite(value) and value > 0]
    return bool(positive) and math.log10(max(positive) / min(positive)) >= decades
