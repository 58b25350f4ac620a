"""Forecast accuracy in the series' own units, and the naive forecasts every model must beat.

For actual values y and point forecasts ŷ over all (origin, step) pairs, e = y − ŷ:

    MAE    = mean |e|
    RMSE   = √(mean e²)
    MASE   = MAE / q,  q = mean_{t=m..n−1} |y_t − y_{t−m}|     q: the in-sample MAE of the seasonal-naive
                                                                forecast on the training span (Hyndman &
                                                                Koehler 2006, eq. for seasonal series)
    sMAPE  = mean 200 |e| / (|y| + |ŷ|)   in percent, 0..200; a term with y = ŷ = 0 counts 0
    coverage = mean 1[lower ≤ y ≤ upper]   the share of actual values inside the interval

Baselines, from the history up to each origin t (m = the season):
    naive           ŷ_{t+h} = y_t
    seasonal naive  ŷ_{t+h} = y_{t+h−m·⌈h/m⌉}       the same step of the last observed season
MASE below 1 beats the in-sample seasonal-naive error; a model "solves" a forecasting task when its
MASE is below the seasonal-naive forecast's MASE on the same evaluation windows.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rnnlab.data.forecasting.heads import Forecast


def mae(y: Tensor, forecast: Tensor) -> float:
    return float((y - forecast).abs().mean())


def rmse(y: Tensor, forecast: Tensor) -> float:
    return float(((y - forecast) ** 2).mean().sqrt())


def mase(y: Tensor, forecast: Tensor, scale: float) -> float:
    return mae(y, forecast) / scale


def smape(y: Tensor, forecast: Tensor) -> float:
    denominator = y.abs() + forecast.abs()
    terms = torch.where(denominator > 0, 200 * (y - forecast).abs() / denominator.clamp(min=1e-300), 0.0)
    return float(terms.mean())


def coverage(y: Tensor, lower: Tensor, upper: Tensor) -> float:
    return float(((lower <= y) & (y <= upper)).double().mean())


def seasonal_naive_scale(y_train: Tensor, season: int) -> float:
    """q = mean |y_t − y_{t−m}| over the training span (n,): MASE's denominator."""
    if len(y_train) <= season:
        raise ValueError(f"the training span has {len(y_train)} rows; the seasonal-naive scale needs more than "
                         f"the season ({season})")
    q = float((y_train[season:] - y_train[:-season]).abs().mean())
    if q == 0:
        raise ValueError("the training span repeats itself exactly every season (seasonal-naive error 0), so "
                         "MASE is undefined")
    return q


def naive_forecast(y: Tensor, origins: Tensor, horizon: int) -> Tensor:
    """ŷ_{t+h} = y_t for each origin t (B,) -> (B, H)."""
    return y[origins].unsqueeze(1).expand(-1, horizon)


def seasonal_naive_forecast(y: Tensor, origins: Tensor, horizon: int, season: int) -> Tensor:
    """ŷ_{t+h} = y_{t+h−m·⌈h/m⌉} for each origin t (B,) -> (B, H); needs t ≥ m − 1."""
    h = torch.arange(1, horizon + 1)  # (H,)
    back = h - season * torch.div(h + season - 1, season, rounding_mode="floor")  # h − m⌈h/m⌉, in [−m+1, 0]
    index = origins.unsqueeze(1) + back  # (B, H)
    if int(index.min()) < 0:
        raise ValueError(f"the seasonal-naive forecast needs a season ({season}) of history before each origin")
    return y[index]


def score(y: Tensor, forecast: Forecast, scale: float, prefix: str = "") -> dict[str, float]:
    """MASE, MAE, RMSE, sMAPE (and coverage when there is an interval) of `forecast` against y (B, H)."""
    metrics = {"mase": mase(y, forecast.mean, scale), "mae": mae(y, forecast.mean),
               "rmse": rmse(y, forecast.mean), "smape": smape(y, forecast.mean)}
    if forecast.lower is not None and forecast.upper is not None:
        metrics["coverage"] = coverage(y, forecast.lower, forecast.upper)
    return {prefix + name: value for name, value in metrics.items()}
