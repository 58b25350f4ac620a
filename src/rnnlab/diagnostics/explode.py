"""Exploding gradients (Pascanu et al. 2013): the global gradient norm over training, its spikes and
whether clipping held it.

    recorder = GradientNormRecorder()
    result = train(model, task, config, on_step=recorder)          # on_step(step, loss, grad_norm)
    series = recorder.series("clip 1.0", clip=1.0, diverged_at=result.diverged_at)
    explosion_summary(series)     # max and median norm, spikes, divergence, fraction of steps clipped

A spike is a step whose norm exceeds `factor` times the running median of the norms before it (see
`spike_indices` for the exact rule). The median, not the mean, is the reference so that one spike does
not raise the bar for the next.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class GradientNormSeries:
    """The global gradient norm before clipping at every training step of one run."""

    label: str  # what tells this run apart in a plot, e.g. "clip 1.0" or "no clip"
    norms: tuple[float, ...]  # norms[k] is the norm at step first_step + k; NaN or inf where it blew up
    clip: float | None = None  # the clip value the run used; None: no clipping
    diverged_at: int | None = None  # the step the run diverged at, as the trainer reports it
    first_step: int = 1  # the trainer counts steps from 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "norms", tuple(float(norm) for norm in self.norms))
        if self.clip is not None and not self.clip > 0:
            raise ValueError(f"clip must be positive or None, got {self.clip}")

    @property
    def steps(self) -> list[int]:
        return [self.first_step + k for k in range(len(self.norms))]

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"norms": list(self.norms)}


@dataclass
class GradientNormRecorder:
    """An `on_step(step, loss, grad_norm)` callback that keeps the norms, for `GradientNormSeries`."""

    steps: list[int] = field(default_factory=list)
    norms: list[float] = field(default_factory=list)

    def __call__(self, step: int, loss: float, grad_norm: float) -> None:
        self.steps.append(step)
        self.norms.append(grad_norm)

    def series(self, label: str, clip: float | None = None, diverged_at: int | None = None) -> GradientNormSeries:
        first_step = self.steps[0] if self.steps else 1
        if self.steps != list(range(first_step, first_step + len(self.steps))):
            raise ValueError("the recorded steps are not consecutive; record one run per recorder")
        return GradientNormSeries(label, tuple(self.norms), clip, diverged_at, first_step)


def spike_indices(norms: Sequence[float], factor: float = 10.0, window: int = 50) -> list[int]:
    """Positions k (0-based) of the spikes in `norms`.

    Norm k is a spike when it is finite and greater than `factor` × the median of the finite norms among
    the `window` norms before it, norms[max(0, k − window) : k]:

    - The first steps compare against the shorter history they have: step 1 against step 0 alone, step 2
      against the median of steps 0 and 1, and so on up to a full window. Step 0, with no history, is
      never a spike, nor is any step whose window holds no finite norm.
    - A non-finite norm (NaN or ±inf) is never a spike: it is divergence, reported as such by
      `explosion_summary`. It is left out of the median of the steps after it.
    - A spike stays in the history: the median shrugs off isolated spikes, but once spikes make up half
      a window the level has moved and they stop counting.
    """
    if not factor > 0:
        raise ValueError(f"factor must be positive, got {factor}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    spikes = []
    for k, norm in enumerate(norms):
        history = [value for value in norms[max(0, k - window):k] if math.isfinite(value)]
        if history and math.isfinite(norm) and norm > factor * statistics.median(history):
            spikes.append(k)
    return spikes


@dataclass(frozen=True)
class ExplosionSummary:
    """How one run's gradient norm behaved. Norm statistics are over the finite norms only."""

    label: str
    steps: int  # steps recorded
    max_norm: float  # NaN when no norm was finite
    median_norm: float  # NaN when no norm was finite
    spikes: int
    spike_steps: tuple[int, ...]  # training steps, as the trainer counts them
    factor: float  # the spike rule used: norm > factor × running median of the previous `window`
    window: int
    diverged: bool
    diverged_at: int | None  # the series' own, else the step of the first non-finite norm
    clip: float | None
    clipped_fraction: float | None  # share of finite-norm steps with norm > clip; None without a clip

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"spike_steps": list(self.spike_steps)}


def explosion_summary(series: GradientNormSeries, factor: float = 10.0, window: int = 50) -> ExplosionSummary:
    """Max and median norm, spikes (`spike_indices`), divergence and, given a clip value, how often it bit."""
    finite = [norm for norm in series.norms if math.isfinite(norm)]
    spike_steps = tuple(series.first_step + k for k in spike_indices(series.norms, factor, window))
    first_bad = next((series.first_step + k for k, norm in enumerate(series.norms) if not math.isfinite(norm)),
                     None)
    diverged_at = series.diverged_at if series.diverged_at is not None else first_bad
    clipped = None
    if series.clip is not None:
        clip = series.clip
        clipped = sum(norm > clip for norm in finite) / len(finite) if finite else math.nan
    return ExplosionSummary(
        label=series.label, steps=len(series.norms),
        max_norm=max(finite) if finite else math.nan,
        median_norm=statistics.median(finite) if finite else math.nan,
        spikes=len(spike_steps), spike_steps=spike_steps, factor=factor, window=window,
        diverged=diverged_at is not None, diverged_at=diverged_at, clip=series.clip, clipped_fraction=clipped,
    )
