"""Forecast a real series `horizon` steps ahead from `context` observed steps: energy, stocks, weather, CSV.

One task for every series (rnnlab.data.forecasting holds the machinery):

    inputs   a window of L context steps (+ the S forecast steps when known-future inputs exist):
             (B, L[+S], D), D = target + past covariates + known covariates + 2·calendar (+ a future flag)
    outputs  one vector per sequence (per_step=False): S forecast steps x K head outputs
             (direct), or K for one step rolled out S times (autoregressive)
    loss     the head's: MSE (point), Gaussian NLL (gaussian), pinball (quantile), in scaled units
    metrics  a rolling-origin backtest of the evaluation span in the series' own units: MASE (primary,
             lower is better), MAE, RMSE, sMAPE, coverage of the interval; and the same for the naive
             and seasonal-naive forecasts (`naive_*`, `seasonal_naive_*`) from the same origins
    solved   MASE below the seasonal-naive forecast's MASE on the same evaluation windows

Spans are chronological, 70 / 10 / 20 % (train / validation / test); validation while training,
test once at the end (`split`). Scalers are fitted on the training span only. Nothing is loaded
when the task is built: the series loads on the first batch or evaluation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor

from rnnlab.data.datasets.elecdemand import load_elecdemand
from rnnlab.data.datasets.eustocks import load_eustocks
from rnnlab.data.datasets.msft import load_msft
from rnnlab.data.datasets.nyc_weather import ORIGINS, load_nyc_weather
from rnnlab.data.forecasting.backtest import OriginForecast, backtest, baselines, forecast_from, mase_scale, predictor
from rnnlab.data.forecasting.csv_series import read_series_csv
from rnnlab.data.forecasting.heads import HEADS, HeadName, make_head
from rnnlab.data.forecasting.metrics import score
from rnnlab.data.forecasting.prepare import Layout, Prepared, prepare
from rnnlab.data.forecasting.series import CALENDAR, Series, auto_season
from rnnlab.data.forecasting.windows import (
    check_rows,
    evaluation_origins,
    training_origins,
    window_inputs,
    window_rows,
    window_targets,
)
from rnnlab.data.tasks.base import Batch
from rnnlab.models.sequence import IOSpec

Strategy = Literal["direct", "autoregressive"]


def names(text: str) -> tuple[str, ...]:
    """'temp, holiday' -> ('temp', 'holiday'); '' -> ()."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class ForecastConfig:
    """What every forecasting task shares; each task's config below sets its own defaults.

    Column lists are comma-separated text (`--set known=temperature,workday`), so a saved config is JSON.
    """

    context: int = 96  # L: observed steps each forecast reads
    horizon: int = 48  # S: steps forecast from each origin
    target: str = ""
    covariates: str = ""  # past-only covariates: observed up to the origin
    known: str = ""  # known-future covariates: values at the forecast steps are inputs too
    calendar: str = ""  # calendar features from the times: hour, weekday, year
    season: int = 1  # m of the seasonal-naive baseline and of MASE's scale
    log: bool = False  # model log y (for positive, multiplicative series such as prices)
    relative: bool = False  # read each window relative to its last observed value (level-free)
    head: HeadName = "gaussian"  # point (MSE), gaussian (NLL) or quantile (pinball)
    interval: float = 0.8  # nominal coverage of the prediction interval (quantiles 0.1 / 0.5 / 0.9)
    strategy: Strategy = "direct"  # direct: S outputs at once; autoregressive: one step, fed back S times
    stride: int | None = None  # steps between rolling evaluation origins; None: the horizon (forecasts tile)
    split: Literal["validation", "test"] = "validation"
    max_train: int | None = None  # smoke tests: only the first N training origins
    max_test: int | None = None  # smoke tests: only the first N evaluation origins; not comparable figures

    def __post_init__(self) -> None:
        for name in ("context", "horizon", "stride", "max_train", "max_test"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        for name in ("target", "covariates", "known", "calendar"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} takes comma-separated column names, got {getattr(self, name)!r}")
        for name in ("log", "relative"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if not isinstance(self.season, int) or self.season < 0:
            raise ValueError(f"season must be a whole number, 0 or more, got {self.season!r}")
        if self.head not in HEADS:
            raise ValueError(f"unknown head {self.head!r}; choose one of {', '.join(HEADS)}")
        if self.strategy not in ("direct", "autoregressive"):
            raise ValueError(f"strategy must be 'direct' or 'autoregressive', got {self.strategy!r}")
        if self.split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {self.split!r}")
        if not 0 < self.interval < 1:
            raise ValueError(f"interval must lie in (0, 1), got {self.interval}")
        unknown = [kind for kind in names(self.calendar) if kind not in CALENDAR]
        if unknown:
            raise ValueError(f"unknown calendar feature {', '.join(unknown)}; choose from {', '.join(CALENDAR)}")

    def target_column(self) -> str:
        return self.target

    def layout(self) -> Layout:
        return Layout(self.target_column(), names(self.covariates), names(self.known), names(self.calendar),
                      self.log, self.relative)

    def load_series(self) -> Series:
        raise NotImplementedError


@dataclass(frozen=True)
class EnergyConfig(ForecastConfig):
    """Victoria's half-hourly electricity demand (GW), a day ahead from two days, with temperature and work
    days as known-future inputs (temperature as if forecast perfectly: an upper bound on its value)."""

    context: int = 96  # two days of half-hours
    horizon: int = 48  # the difficulty knob: steps ahead (48 half-hours = one day)
    target: str = "demand"
    known: str = "temperature,workday"
    calendar: str = "hour,weekday"
    season: int = 48  # daily, in half-hours

    def load_series(self) -> Series:
        return load_elecdemand()


@dataclass(frozen=True)
class StocksConfig(ForecastConfig):
    """A stock price a trading week ahead from three months: Microsoft's close (series=msft, target one of its
    open/high/low/close) or a European index (series=dax, smi, cac or ftse). Log prices, read relative to
    the last close: the model forecasts returns, whatever the price level."""

    context: int = 60  # about three months of trading days
    horizon: int = 5  # the difficulty knob: trading days ahead
    target: str = "close"  # msft's column; a European series is its own target
    season: int = 1  # prices have no weekly cycle: seasonal naive = naive (random walk), m = 1
    log: bool = True
    relative: bool = True
    series: str = "msft"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.series not in ("msft", "dax", "smi", "cac", "ftse"):
            raise ValueError(f"series must be msft, dax, smi, cac or ftse, got {self.series!r}")

    def target_column(self) -> str:
        return self.target if self.series == "msft" else self.series

    def load_series(self) -> Series:
        return load_msft() if self.series == "msft" else load_eustocks()


@dataclass(frozen=True)
class WeatherConfig(ForecastConfig):
    """Hourly temperature (°F) at a New York airport a day ahead from three days, reading dew point,
    humidity, wind and pressure as past-only covariates and the time of day as a known one. Windows are
    read relative to the last observed temperature (one 30 s LSTM run: test MASE 0.88 relative, 1.23 not)."""

    context: int = 72  # three days of hours
    horizon: int = 24  # the difficulty knob: hours ahead
    target: str = "temp"
    covariates: str = "dewp,humid,wind_speed,pressure"
    calendar: str = "hour"  # not "year": the test span (Oct-Dec) lies outside the training span's phases
    season: int = 24  # daily, in hours
    relative: bool = True  # the test span (autumn) is colder than most training hours: levels shift
    origin: str = "EWR"  # the airport: EWR, JFK or LGA

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {self.origin!r}")

    def load_series(self) -> Series:
        return load_nyc_weather(self.origin)


@dataclass(frozen=True)
class CsvSeriesConfig(ForecastConfig):
    """Your own series: `--set path=FILE --set target=COLUMN [--set time_column=date]
    [--set covariates=a,b] [--set known=c,d] [--set calendar=hour,weekday]` (see forecasting/csv_series.py)."""

    context: int = 48
    horizon: int = 12  # the difficulty knob: steps ahead
    season: int = 0  # 0: from the time step (a day of steps if sub-daily, 7 daily, 5 on business days, else 1)
    path: str = ""
    time_column: str = ""  # "" : rows are steps 0, 1, 2, ...

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.path:  # absolute, so that `rnnlab forecast` finds the file from anywhere
            object.__setattr__(self, "path", str(Path(self.path).expanduser().resolve()))

    def load_series(self) -> Series:
        if not self.path or not self.target:
            raise ValueError("csv-series needs a file and a column: --set path=FILE --set target=COLUMN "
                             "(and usually --set time_column=COLUMN)")
        columns = (self.target, *names(self.covariates), *names(self.known))
        return read_series_csv(Path(self.path), columns, self.time_column)


class ForecastTask:
    """A `Task` over one series (see the module docstring); `forecast` serves `rnnlab forecast`."""

    def __init__(self, config: ForecastConfig, name: str) -> None:
        self.config = c = config
        self.layout = c.layout()
        self.head = make_head(c.head, c.interval)
        self.chunk = c.horizon if c.strategy == "direct" else 1  # steps one model call forecasts
        self.name = "-".join([name, f"h{c.horizon}"] + (["ar"] if c.strategy == "autoregressive" else [])
                             + ([c.head] if c.head != "gaussian" else [])
                             + ([f"train{c.max_train}"] if c.max_train else [])
                             + ([f"test{c.max_test}"] if c.max_test else []))
        self.io = IOSpec(self.layout.input_size, self.chunk * self.head.outputs_per_step, per_step=False)
        # MASE's unit is the seasonal-naive forecast's in-sample MAE on the training span, so that forecast
        # scores 1 there by definition; its score on the evaluation span is in every metrics dict.
        self.baseline = {"mase": 1.0}

    def prepare(self) -> None:
        """Load and validate the series now (the trainer calls this before writing a run folder)."""
        _ = self.prepared

    @functools.cached_property
    def prepared(self) -> Prepared:
        c = self.config
        series = c.load_series()
        season = c.season or auto_season(series)
        check_rows(series.name, len(series), c.context, c.horizon, self.chunk, season)
        return prepare(series, self.layout, season)

    @functools.cached_property
    def train_origins(self) -> Tensor:
        return training_origins(self.prepared.spans, self.config.context, self.chunk)[:self.config.max_train]

    @functools.cached_property
    def eval_origins(self) -> Tensor:
        return self.origins(self.config.split)

    def origins(self, split: str) -> Tensor:
        """The rolling evaluation origins of a held-out span."""
        c = self.config
        span = self.prepared.spans[split]
        return evaluation_origins(span, c.context, c.horizon, c.stride or c.horizon)[:c.max_test]

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        """The naive and seasonal-naive forecasts from the same origins of `split`, in the model's metrics."""
        scores = baselines(self.prepared, self.origins(split), self.config.horizon)
        return {name: {key.removeprefix(prefix): value for key, value in scores.items() if key.startswith(prefix)}
                for name, prefix in (("naive", "naive_"), ("seasonal naive", "seasonal_naive_"))}

    @functools.cached_property
    def scale(self) -> float:
        return mase_scale(self.prepared)

    def batch(self, origins: Tensor) -> Batch:
        """Windows at `origins` (B,): inputs (B, T, D); targets (B, chunk, 2) = (scaled target − offset, offset)."""
        rows = window_rows(self.prepared.features, origins, self.config.context, self.chunk)
        inputs, offset = window_inputs(rows, self.config.context, self.layout)
        values = window_targets(rows, self.config.context, offset)  # (B, chunk)
        return Batch(inputs, torch.stack([values, offset.unsqueeze(1).expand_as(values)], dim=2))

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        picks = torch.randint(0, len(self.train_origins), (batch_size,), generator=generator)  # (B,)
        return self.batch(self.train_origins[picks])

    def test_set(self, seed: int = 0) -> Batch:
        """One model call's windows at the evaluation origins (diagnostics; training uses `evaluate_model`,
        which rolls an autoregressive model out over the whole horizon)."""
        del seed  # the evaluation span is fixed
        return self.batch(self.eval_origins)

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return self.head.loss(outputs, batch.targets[..., 0])

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        """The forecasts of one model call, in the series' units (MASE on the training span's scale)."""
        offset = batch.targets[:, :1, 1]  # (B, 1)
        forecast = self.head.forecast(outputs.detach()).map(lambda t: self.prepared.to_original(t + offset))
        return score(self.prepared.to_original(batch.targets[..., 0] + offset), forecast, self.scale)

    def evaluate_model(self, model: torch.nn.Module, device: torch.device) -> dict[str, float]:
        """Rolling-origin backtest of the evaluation span, with the naive and seasonal-naive forecasts."""
        c = self.config
        return backtest(self.prepared, predictor(model, self.head, device), self.eval_origins, c.context,
                        c.horizon, self.chunk)

    @functools.cached_property
    def seasonal_naive_mase(self) -> float:
        return baselines(self.prepared, self.eval_origins, self.config.horizon)["seasonal_naive_mase"]

    def solved(self, metrics: dict[str, float]) -> bool:
        reference = metrics.get("seasonal_naive_mase", self.seasonal_naive_mase)
        return metrics["mase"] < reference

    def forecast(self, model: torch.nn.Module, device: torch.device, steps: int, origin: int,
                 history: int) -> OriginForecast:
        """`steps` steps after row `origin`; past the model's own horizon, its forecasts are fed back."""
        return forecast_from(self.prepared, predictor(model, self.head, device), origin, steps,
                             self.config.context, self.chunk, history)


def energy(config: EnergyConfig) -> ForecastTask:
    return ForecastTask(config, "energy")


def stocks(config: StocksConfig) -> ForecastTask:
    return ForecastTask(config, f"stocks-{config.series}")


def weather(config: WeatherConfig) -> ForecastTask:
    return ForecastTask(config, f"weather-{config.origin}")


def csv_series(config: CsvSeriesConfig) -> ForecastTask:
    return ForecastTask(config, f"csv-series-{Path(config.path).stem}" if config.path else "csv-series")
