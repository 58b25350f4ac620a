"""Forecast a real series `horizon` steps ahead from `context` observed steps: energy, stocks, weather, CSV.

One task for every series (rnnlab.data.forecasting holds the machinery):

    inputs   a window of L context steps (+ the S forecast steps when known-future inputs exist):
             (B, L[+S], D), D = target + past covariates + known covariates + 2·calendar (+ a future flag)
    outputs  one vector per sequence (per_step=False): S forecast steps x K head outputs
             (direct), or K for one step rolled out S times (autoregressive)
    loss     the head's: MSE (point), Gaussian NLL (gaussian), pinball (quantile), in scaled units
    metrics  a rolling-origin backtest of the evaluation span in the series' own units: MASE (primary,
             lower is better), MAE, RMSE, sMAPE, coverage of the interval calibrated on the validation
             span (data/forecasting/calibrate.py) and of the model's own (`model_coverage`); and the same
             point metrics for the naive and seasonal-naive forecasts (`naive_*`, `seasonal_naive_*`) from
             the same origins, which `baselines(split)` also gives
    solved   MASE below both the naive and the seasonal-naive forecasts' MASE on the same windows

Spans are chronological, 70 / 10 / 20 % (train / validation / test); validation while training,
test once at the end (`split`). Scalers are fitted on the training span only. Nothing is loaded
when the task is built: the series loads on the first batch or evaluation.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch
from torch import Tensor

from rnnlab.data.forecasting.backtest import (
    OriginForecast,
    Predict,
    backtest,
    backtest_coverage,
    baselines,
    forecast_from,
    mase_scale,
    predictor,
    roll_forecasts,
    scaled_actual,
)
from rnnlab.data.forecasting.calibrate import Calibration, apply_each, normalised_residuals, rolling, spread_origins
from rnnlab.data.forecasting.heads import Forecast, make_head
from rnnlab.data.forecasting.metrics import score
from rnnlab.data.forecasting.prepare import Prepared, prepare
from rnnlab.data.forecasting.series import auto_season
from rnnlab.data.forecasting.windows import (
    check_rows,
    evaluation_origins,
    training_origins,
    window_inputs,
    window_rows,
    window_targets,
)
from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.forecast_configs import (
    CsvSeriesConfig,
    EnergyConfig,
    ForecastConfig,
    StocksConfig,
    WeatherConfig,
)
from rnnlab.models.sequence import IOSpec


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
        """The forecasts of one model call, in the series' units (MASE on the training span's scale); the
        coverage of the model's own interval is `model_coverage`, as in `evaluate_model`."""
        offset = batch.targets[:, :1, 1]  # (B, 1)
        forecast = self.head.forecast(outputs.detach()).map(lambda t: self.prepared.to_original(t + offset))
        scores = score(self.prepared.to_original(batch.targets[..., 0] + offset), forecast, self.scale)
        if "coverage" in scores:
            scores["model_coverage"] = scores.pop("coverage")
        return scores

    def evaluate_model(self, model: torch.nn.Module, device: torch.device) -> dict[str, float]:
        """Rolling-origin backtest of the evaluation span, with the naive and seasonal-naive forecasts, and the
        interval calibrated as a forecaster would (calibrate.py): on the test span, from each origin on the latest
        windows observed by then (`coverage`; `static_coverage`: on the validation span's windows only); on the
        validation span, each half on the other (cross-fitting)."""
        c = self.config
        predict = predictor(model, self.head, device)
        origins = self.eval_origins
        forecast = roll_forecasts(self.prepared, predict, origins, c.context, c.horizon, self.chunk)
        if c.split == "test":
            calibration_origins, residuals, size = self.calibration_residuals(predict, c.horizon, int(origins.max()))
            calibrated = apply_each(rolling(calibration_origins, residuals, origins, size, c.interval), forecast)
            static = Calibration.fit(residuals[:size], c.interval).apply(forecast)
            metrics = backtest(self.prepared, forecast, calibrated, origins, c.horizon)
            return metrics | {"static_coverage": backtest_coverage(self.prepared, static, origins, c.horizon)}
        calibration_origins, residuals, _ = self.calibration_residuals(predict, c.horizon)
        span = self.prepared.spans["validation"]  # each half of it calibrated on the other, never on itself
        middle = span.start + len(span) // 2
        early = calibration_origins < middle
        fits = [Calibration.fit(residuals[part] if bool(part.any()) else residuals, c.interval)
                for part in (~early, early)]  # for the early windows, then for the late ones
        first, second = fits[0].apply(forecast), fits[1].apply(forecast)
        late = (origins >= middle).unsqueeze(1)  # (B, 1)
        assert first.lower is not None and first.upper is not None
        assert second.lower is not None and second.upper is not None
        calibrated = Forecast(forecast.mean, torch.where(late, second.lower, first.lower),
                              torch.where(late, second.upper, first.upper))
        return backtest(self.prepared, forecast, calibrated, origins, c.horizon)

    def calibration_residuals(self, predict: Predict, steps: int,
                              last: int | None = None) -> tuple[Tensor, Tensor, int]:
        """Origins (n,) and the normalised residuals (n, steps') of the forecasts made from them
        (data/forecasting/calibrate.py), steps' = `steps` or fewer where the validation span is shorter: every
        origin of the validation span, and with `last` every later one through row `last` (the rolling
        calibration's windows), at most MAX_WINDOWS in all, evenly spread; and how many of them lie in the
        validation span (the first ones; the rolling calibration's size)."""
        c = self.config
        span = self.prepared.spans["validation"]
        steps = min(steps, len(span) - 1)
        stop = span.stop if last is None else max(span.stop, min(last, len(self.prepared.target) - 1))
        origins = spread_origins(evaluation_origins(range(span.start, stop), c.context, steps, 1))
        forecast = roll_forecasts(self.prepared, predict, origins, c.context, steps, self.chunk)
        size = max(1, int((origins < span.stop - steps).sum()))
        return origins, normalised_residuals(forecast, scaled_actual(self.prepared, origins, steps)), size

    def solved(self, metrics: dict[str, float]) -> bool:
        """Below both the naive and the seasonal-naive forecasts' MASE on the same evaluation windows."""
        references = [metrics.get(key, self.reference_mase[key]) for key in ("naive_mase", "seasonal_naive_mase")]
        return metrics["mase"] < min(references)

    @functools.cached_property
    def reference_mase(self) -> dict[str, float]:
        return baselines(self.prepared, self.eval_origins, self.config.horizon)

    def forecast(self, model: torch.nn.Module, device: torch.device, steps: int, origin: int,
                 history: int) -> OriginForecast:
        """`steps` steps after row `origin`; past the model's own horizon, its forecasts are fed back. The
        interval is calibrated at this many steps on the latest windows observed by the origin, as many as
        the validation span holds (on the validation span's own when the origin comes before it;
        calibrate.py)."""
        c = self.config
        predict = predictor(model, self.head, device)
        origins, residuals, size = self.calibration_residuals(predict, steps, origin)
        fit = rolling(origins, residuals, torch.tensor([origin]), size, c.interval)[0]
        return forecast_from(self.prepared, predict, origin, steps, c.context, self.chunk, history, fit)


def energy(config: EnergyConfig) -> ForecastTask:
    return ForecastTask(config, "energy")


def stocks(config: StocksConfig) -> ForecastTask:
    return ForecastTask(config, f"stocks-{config.series}")


def weather(config: WeatherConfig) -> ForecastTask:
    return ForecastTask(config, f"weather-{config.origin}")


def csv_series(config: CsvSeriesConfig) -> ForecastTask:
    return ForecastTask(config, f"csv-series-{Path(config.path).stem}" if config.path else "csv-series")
