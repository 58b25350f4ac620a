"""From a series to model features: chronological spans, scaling fitted on the training span only.

    spans    = chronological_spans(N)                 # train 70 %, validation 10 %, test 20 %, in time order
    prepared = prepare(series, Layout("demand", known=("temperature",), calendar=("hour",)), season=48)
    prepared.features                                  # (N, F) float32, what windows are cut from

Spans are fixed fractions of the rows, in time order, with no gap between them (a forecast made at
the last training step is a validation forecast): train [0, ⌊0.7N⌋), validation [⌊0.7N⌋, ⌊0.8N⌋),
test [⌊0.8N⌋, N). Every statistic is fitted on the training span alone, so nothing about the
validation or test values reaches the model or the scaler (no look-ahead):

    target    t = log y if `log` else y;   z = (t − μ) / σ
              μ, σ = mean and standard deviation of t over the training span; or, when `relative`
              (windows are read relative to their last value), μ = 0 and σ = std of t_i − t_{i−1}
    covariate z = (x − μ_x) / σ_x over the training span
    calendar  sin/cos of the time of day, week or year (series.calendar_features), not scaled

A constant column (σ = 0) is scaled by 1. Feature columns: [target, past covariates, known
covariates, calendar]. Past-only covariates are observed up to the forecast origin; known ones
(temperature taken as forecast, work days, holidays, calendar) are known for the future too.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from rnnlab.data.forecasting.series import Series, calendar_features

TENTHS = (7, 1, 2)  # train, validation, test: fixed forever, so runs stay comparable
FRACTIONS = tuple(t / 10 for t in TENTHS)


@dataclass(frozen=True)
class Spans:
    train: range
    validation: range
    test: range

    def __getitem__(self, name: str) -> range:
        if name not in ("train", "validation", "test"):
            raise ValueError(f"no span {name!r}; spans are train, validation, test")
        span: range = getattr(self, name)
        return span


def chronological_spans(n: int) -> Spans:
    """Rows 0..n-1 cut into train, validation and test spans at ⌊0.7n⌋ and ⌊0.8n⌋."""
    first = n * TENTHS[0] // 10  # integer arithmetic: 0.7 * 720 is 503.99999999999994 in floating point
    second = n * (TENTHS[0] + TENTHS[1]) // 10
    return Spans(range(0, first), range(first, second), range(second, n))


@dataclass(frozen=True)
class Scaler:
    """z = (x − center) / scale per column; `inverse` undoes it."""

    center: Tensor  # (C,)
    scale: Tensor  # (C,)

    @classmethod
    def fit(cls, values: Tensor) -> Scaler:
        """Mean and (population) standard deviation of each column of `values` (n, C)."""
        std = values.std(dim=0, correction=0)
        return cls(values.mean(dim=0), torch.where(std > 0, std, torch.ones_like(std)))

    @classmethod
    def fit_differences(cls, values: Tensor) -> Scaler:
        """Center 0, scale = std of the step-to-step differences of each column of `values` (n, C)."""
        std = torch.diff(values, dim=0).std(dim=0, correction=0)
        return cls(torch.zeros_like(std), torch.where(std > 0, std, torch.ones_like(std)))

    def transform(self, values: Tensor) -> Tensor:
        return (values - self.center) / self.scale


@dataclass(frozen=True)
class Layout:
    """What a model reads: the target column, covariates by kind, calendar features."""

    target: str
    past: tuple[str, ...] = ()  # observed covariates: values only up to the forecast origin
    known: tuple[str, ...] = ()  # known-future covariates: values at the forecast steps too
    calendar: tuple[str, ...] = ()  # from series.CALENDAR: hour, weekday, year
    log: bool = False  # model log y (positive series such as prices); metrics stay in y's units
    relative: bool = False  # windows read relative to their last observed target value

    @property
    def has_future(self) -> bool:
        """Known-future inputs exist, so a window carries the forecast steps as extra input steps."""
        return bool(self.known or self.calendar)

    @property
    def n_features(self) -> int:
        """F, the columns of `Prepared.features`."""
        return 1 + len(self.past) + len(self.known) + 2 * len(self.calendar)

    @property
    def input_size(self) -> int:
        """D, the features per model input step: F, plus a flag marking forecast steps when there are any."""
        return self.n_features + (1 if self.has_future else 0)


@dataclass(frozen=True)
class Prepared:
    """A series ready for windows: everything fitted on the training span."""

    series: Series
    layout: Layout
    target: Tensor  # (N,) float64, original units
    features: Tensor  # (N, F) float32: z-target, past, known, calendar
    target_scaler: Scaler  # of the (log-)target, shape (1,)
    spans: Spans
    season: int  # m of the seasonal-naive forecast and of MASE's scale

    def to_original(self, z: Tensor) -> Tensor:
        """Scaled target values (any shape) -> original units: y = exp?(μ + σ z)."""
        t = z.double() * self.target_scaler.scale[0] + self.target_scaler.center[0]
        return t.exp() if self.layout.log else t


def prepare(series: Series, layout: Layout, season: int) -> Prepared:
    """Select, transform and scale the columns `layout` names; spans and scalers from the training span."""
    if season < 1:
        raise ValueError(f"season must be at least 1, got {season}")
    names = [layout.target, *layout.past, *layout.known]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} named twice: the target, past and known covariates must differ")
    target = series.column(layout.target)  # (N,)
    spans = chronological_spans(len(series))
    if layout.log and not bool(torch.all(target > 0)):
        row = int(torch.nonzero(target <= 0)[0])
        raise ValueError(f"{series.name}: log needs positive {layout.target!r} values; row {row} is "
                         f"{float(target[row]):g}")
    t = (target.log() if layout.log else target).unsqueeze(1)  # (N, 1)
    train = slice(spans.train.start, spans.train.stop)
    if spans.train.stop < 2:
        raise ValueError(f"{series.name} has {len(series)} rows: too few to fit a scaler on its training span")
    scaler = Scaler.fit_differences(t[train]) if layout.relative else Scaler.fit(t[train])
    parts = [scaler.transform(t)]
    covariates = layout.past + layout.known
    if covariates:
        x = torch.stack([series.column(name) for name in covariates], dim=1)  # (N, P + K)
        parts.append(Scaler.fit(x[train]).transform(x))
    if layout.calendar:
        if not series.datetime:
            raise ValueError(f"{series.name}: calendar features ({', '.join(layout.calendar)}) need dates and "
                             "times, and this series has none")
        parts.append(calendar_features(series.times, layout.calendar))
    features = torch.cat(parts, dim=1).float()  # (N, F)
    return Prepared(series, layout, target, features, scaler, spans, season)


def known_future(prepared: Prepared, future_times: Tensor) -> Tensor:
    """Feature rows (S, F) for `future_times` after the end of the series.

    Target and past covariates are unknown there (0; windows never read them). Calendar features come
    from the times. A known covariate has no value past the data's end, so it is taken from one
    season earlier (repeating the last season): an assumption the forecast command reports.
    """
    S, F = len(future_times), prepared.layout.n_features
    rows = torch.zeros(S, F)
    layout = prepared.layout
    known = slice(1 + len(layout.past), 1 + len(layout.past) + len(layout.known))
    if layout.known:
        m, N = prepared.season, len(prepared.features)
        source = N - m + torch.remainder(torch.arange(S), m)  # (S,) rows one (or more) seasons back
        rows[:, known] = prepared.features[source.clamp(min=0), known]
    if layout.calendar:
        rows[:, known.stop:] = calendar_features(future_times, layout.calendar).float()
    return rows
