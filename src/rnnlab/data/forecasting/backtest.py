"""Scoring a forecaster by rolling origins, and forecasting from one origin (inside or past the data).

    predict  = predictor(model, head, device)        # inputs (B, T, D) -> Forecast (B, chunk), scaled
    forecast = roll_forecasts(prepared, predict, origins, context, horizon, chunk)      # scaled units
    metrics  = backtest(prepared, forecast, calibrated, origins, horizon)
    forecast = forecast_from(prepared, predict, origin, steps, context, chunk, history, calibration)

A backtest (rolling-origin evaluation, Tashman 2000) forecasts `horizon` steps from every origin in
`origins` (by default one every `horizon` steps through the evaluation span, so the forecasts tile it)
and scores all of them together in the series' own units, next to the naive and seasonal-naive
forecasts from the same origins: keys `mase, mae, rmse, smape`, `coverage` of the interval calibrated on
the validation span (calibrate.py) and `model_coverage` of the model's own interval (when it has one),
and the same point metrics with the prefixes `naive_` and `seasonal_naive_`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from rnnlab.data.forecasting.calibrate import Calibration
from rnnlab.data.forecasting.heads import Forecast, Head
from rnnlab.data.forecasting.metrics import (
    coverage,
    naive_forecast,
    score,
    seasonal_naive_forecast,
    seasonal_naive_scale,
)
from rnnlab.data.forecasting.prepare import Prepared, known_future
from rnnlab.data.forecasting.series import future_times, time_labels
from rnnlab.data.forecasting.windows import padded_steps, roll_out, window_rows

Predict = Callable[[Tensor], Forecast]
BATCH = 256  # windows per model call in a backtest


def predictor(model: nn.Module, head: Head, device: torch.device) -> Predict:
    """A per-sequence model (B, T, D) -> (B, S·K) read through its head, on `device`, results on the CPU."""

    def predict(inputs: Tensor) -> Forecast:
        outputs, _ = model(inputs.to(device), None, None)
        return head.forecast(outputs.detach().float().cpu())

    return predict


def mase_scale(prepared: Prepared) -> float:
    span = prepared.spans.train
    return seasonal_naive_scale(prepared.target[span.start:span.stop], prepared.season)


def extended(prepared: Prepared, last_row: int) -> tuple[Tensor, Tensor]:
    """Features and times through row `last_row`, past the series' end if need be (known_future rows)."""
    features, times, N = prepared.features, prepared.series.times, len(prepared.features)
    if last_row < N:
        return features, times
    ahead = future_times(prepared.series, last_row - N + 1)
    return torch.cat([features, known_future(prepared, ahead)]), torch.cat([times, ahead])


def roll_forecasts(prepared: Prepared, predict: Predict, origins: Tensor, context: int, horizon: int,
                   chunk: int) -> Forecast:
    """The model's forecasts of `horizon` steps from every origin (B,), in scaled units (B, H)."""
    steps = padded_steps(horizon, chunk)
    features, _ = extended(prepared, int(origins.max()) + steps)
    parts = []
    for start in range(0, len(origins), BATCH):
        rows = window_rows(features, origins[start:start + BATCH], context, steps)
        parts.append(roll_out(predict, rows, context, horizon, chunk, prepared.layout))
    return Forecast.cat(parts, dim=0)  # (B, H)


def actual(prepared: Prepared, origins: Tensor, horizon: int) -> Tensor:
    """What happened after each origin (B,), in the series' own units (B, H)."""
    return prepared.target[origins.unsqueeze(1) + torch.arange(1, horizon + 1)]


def scaled_actual(prepared: Prepared, origins: Tensor, horizon: int) -> Tensor:
    """What happened after each origin (B,), in the model's scaled units (B, H)."""
    return prepared.features[origins.unsqueeze(1) + torch.arange(1, horizon + 1), 0].double()


def backtest(prepared: Prepared, forecast: Forecast, calibrated: Forecast, origins: Tensor,
             horizon: int) -> dict[str, float]:
    """Metrics of the model's forecasts (B, H) from `origins` (B,) and of the baselines' from the same origins,
    original units; `calibrated` is the same forecast with its interval calibrated (calibrate.py)."""
    y = actual(prepared, origins, horizon)  # (B, H)
    scale = mase_scale(prepared)
    metrics = score(y, forecast.map(prepared.to_original), scale)
    if "coverage" in metrics:
        metrics["model_coverage"] = metrics.pop("coverage")
    metrics["coverage"] = backtest_coverage(prepared, calibrated, origins, horizon)
    return metrics | baselines(prepared, origins, horizon)


def backtest_coverage(prepared: Prepared, forecast: Forecast, origins: Tensor, horizon: int) -> float:
    """The share of what happened after `origins` (B,) that lies inside the interval of `forecast` (B, H)."""
    assert forecast.lower is not None and forecast.upper is not None, "coverage needs an interval"
    y = actual(prepared, origins, horizon)  # (B, H)
    original = forecast.map(prepared.to_original)
    assert original.lower is not None and original.upper is not None
    return coverage(y, original.lower, original.upper)


def baselines(prepared: Prepared, origins: Tensor, horizon: int) -> dict[str, float]:
    """The naive and seasonal-naive forecasts' metrics from `origins` (B,), keys prefixed by their names."""
    y = actual(prepared, origins, horizon)  # (B, H)
    scale = mase_scale(prepared)
    naive = naive_forecast(prepared.target, origins, horizon)
    seasonal = seasonal_naive_forecast(prepared.target, origins, horizon, prepared.season)
    return score(y, Forecast(naive), scale, "naive_") | score(y, Forecast(seasonal), scale, "seasonal_naive_")


@dataclass(frozen=True)
class OriginForecast:
    """A forecast of `steps` steps after one origin, original units; what `rnnlab forecast` writes."""

    times: list[str]  # (S,) the forecast steps' times
    mean: Tensor  # (S,)
    lower: Tensor | None  # (S,), None for a point head
    upper: Tensor | None
    actual: Tensor  # (S,) the observed values, NaN past the end of the data
    history_times: list[str]  # the observed steps up to the origin shown with it
    history: Tensor
    filled_known: bool  # known covariates past the data's end were taken from one season earlier


def origin_index(prepared: Prepared, text: str | None) -> int:
    """`--origin`: None for the last row; a row number (negative counts from the end); or a time label."""
    N = len(prepared.target)
    if text is None:
        return N - 1
    try:
        row = int(text)
    except ValueError:
        labels = prepared.series.labels()
        if text not in labels:
            raise ValueError(f"no time {text!r} in {prepared.series.name}; times run from {labels[0]} to "
                             f"{labels[-1]} (or give a row number, 0..{N - 1})") from None
        return labels.index(text)
    if not -N <= row < N:
        raise ValueError(f"origin {row} is outside the series' rows 0..{N - 1}")
    return row % N


def forecast_from(prepared: Prepared, predict: Predict, origin: int, steps: int, context: int,
                  chunk: int, history: int, calibration: Calibration | None = None) -> OriginForecast:
    """`steps` forecast steps after row `origin`, `chunk` per model call; `history` observed steps shown; the
    interval calibrated by `calibration` (calibrate.py) when given, else the model's own."""
    if origin < context - 1:
        raise ValueError(f"origin {origin} has fewer than the {context} steps of context the model reads; "
                         f"choose an origin of at least {context - 1}")
    padded = padded_steps(steps, chunk)
    features, times = extended(prepared, origin + padded)
    rows = window_rows(features, torch.tensor([origin]), context, padded)
    forecast = roll_out(predict, rows, context, steps, chunk, prepared.layout)
    if calibration is not None:
        forecast = calibration.apply(forecast)
    forecast = forecast.map(prepared.to_original)
    N = len(prepared.target)
    ahead = torch.arange(origin + 1, origin + steps + 1)
    actual = torch.where(ahead < N, prepared.target[ahead.clamp(max=N - 1)], torch.nan)
    shown = torch.arange(max(0, origin - history + 1), origin + 1)
    datetime = prepared.series.datetime
    return OriginForecast(
        time_labels(times[ahead], datetime), forecast.mean[0],
        None if forecast.lower is None else forecast.lower[0], None if forecast.upper is None else forecast.upper[0],
        actual, time_labels(times[shown], datetime), prepared.target[shown],
        filled_known=bool(prepared.layout.known) and origin + steps >= N)
