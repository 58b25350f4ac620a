"""Metrics and baselines against hand-computed values (Hyndman & Koehler 2006 for MASE and sMAPE)."""

import math

import pytest
import torch

from rnnlab.data.forecasting.heads import Forecast
from rnnlab.data.forecasting.metrics import (
    coverage,
    mase,
    naive_forecast,
    score,
    seasonal_naive_forecast,
    seasonal_naive_scale,
    smape,
)

T = lambda *values: torch.tensor(values, dtype=torch.float64)  # noqa: E731


def test_mase_by_hand():
    """Training span 1, 3, 2, 4, 3 with m = 1: |2|, |1|, |2|, |1| -> q = 1.5; errors 1 and 2 -> MAE 1.5 -> MASE 1.
    With m = 2: |1|, |1|, |1| -> q = 1."""
    train = T(1, 3, 2, 4, 3)
    assert seasonal_naive_scale(train, 1) == 1.5 and seasonal_naive_scale(train, 2) == 1.0
    assert mase(T(5, 6), T(4, 8), scale=1.5) == 1.0
    with pytest.raises(ValueError, match="needs more than the season"):
        seasonal_naive_scale(train, 5)


def test_smape_by_hand():
    """200·|100 − 110| / (100 + 110) = 9.5238...; a term with y = ŷ = 0 counts 0 -> mean 4.7619."""
    assert smape(T(100, 0), T(110, 0)) == pytest.approx(200 * 10 / 210 / 2)
    assert smape(T(-5), T(5)) == 200.0  # opposite signs: the largest error sMAPE can report


def test_coverage_by_hand():
    """y = 1, 2, 3, 4 against [0, 2], [2.5, 3], [3, 3], [5, 6]: inside, below, on both bounds, below -> 0.5."""
    assert coverage(T(1, 2, 3, 4), T(0, 2.5, 3, 5), T(2, 3, 3, 6)) == 0.5


def test_baseline_forecasts_by_hand():
    """m = 3, H = 4, origin 5: ŷ_{6..9} = y_3, y_4, y_5, y_3 (h − m⌈h/m⌉ = −2, −1, 0, −2); naive: y_5 four times."""
    y = T(0, 10, 20, 30, 40, 50, 60, 70, 80, 90)
    assert seasonal_naive_forecast(y, torch.tensor([5]), 4, 3).tolist() == [[30, 40, 50, 30]]
    assert naive_forecast(y, torch.tensor([5, 6]), 2).tolist() == [[50, 50], [60, 60]]
    with pytest.raises(ValueError, match="needs a season"):
        seasonal_naive_forecast(y, torch.tensor([1]), 2, 3)


def test_seasonal_naive_on_a_periodic_series_scores_zero():
    """A series that repeats every 24 steps exactly: the seasonal-naive forecast is exact, MAE = MASE = sMAPE = 0;
    the naive forecast is not."""
    y = (5 + torch.sin(2 * math.pi * torch.arange(24, dtype=torch.float64) / 24)).repeat(10)  # exactly periodic
    origins = torch.arange(100, 200, 24)
    actual = y[origins.unsqueeze(1) + torch.arange(1, 25)]
    seasonal = score(actual, Forecast(seasonal_naive_forecast(y, origins, 24, 24)), scale=0.7)
    assert seasonal == {"mase": 0.0, "mae": 0.0, "rmse": 0.0, "smape": 0.0}
    assert score(actual, Forecast(naive_forecast(y, origins, 24)), scale=0.7)["mase"] > 0.5


def test_score_reports_coverage_only_with_an_interval():
    y = T(1, 2).unsqueeze(0)
    with_interval = score(y, Forecast(T(1, 1).unsqueeze(0), T(0, 0).unsqueeze(0), T(2, 2).unsqueeze(0)), 1.0, "m_")
    assert with_interval == {"m_mase": 0.5, "m_mae": 0.5, "m_rmse": pytest.approx(0.5 ** 0.5),
                             "m_smape": pytest.approx(200 / 3 / 2), "m_coverage": 1.0}
