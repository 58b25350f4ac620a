"""Backtests and origin forecasts (reference: a 'model' that repeats its last observed value is the naive
forecast, so its metrics must equal the naive baseline's exactly, whatever the scaling)."""

import numpy as np
import pytest
import torch

from rnnlab.data.forecasting.backtest import backtest, forecast_from, origin_index, roll_forecasts, scaled_actual
from rnnlab.data.forecasting.calibrate import Calibration, normalised_residuals
from rnnlab.data.forecasting.heads import Forecast
from rnnlab.data.forecasting.prepare import Layout, prepare
from rnnlab.data.forecasting.series import Series
from rnnlab.data.forecasting.windows import evaluation_origins

CONTEXT, HORIZON = 12, 6


def daily_series(n=300):
    start = float(np.datetime64("2024-01-01", "s").astype(np.int64))
    generator = torch.Generator().manual_seed(3)
    y = 100 + torch.randn(n, generator=generator, dtype=torch.float64).cumsum(0)
    k = torch.arange(n, dtype=torch.float64) % 7
    return Series("daily", torch.stack([y, k], 1), ("y", "k"), start + 86_400 * torch.arange(n, dtype=torch.float64),
                  datetime=True)


def repeat_last(inputs):
    """The last context step's (scaled, relative) target, for every forecast step."""
    return Forecast(inputs[:, CONTEXT - 1, 0].unsqueeze(1).expand(-1, HORIZON))


@pytest.mark.parametrize("layout", [Layout("y"), Layout("y", known=("k",), calendar=("weekday",)),
                                    Layout("y", log=True, relative=True)], ids=["plain", "known", "log-relative"])
@pytest.mark.parametrize("chunk", [HORIZON, 1], ids=["direct", "autoregressive"])
def test_a_model_repeating_its_last_value_scores_as_the_naive_forecast(layout, chunk):
    prepared = prepare(daily_series(), layout, season=7)
    origins = evaluation_origins(prepared.spans.test, CONTEXT, HORIZON, HORIZON)
    predict = lambda inputs: repeat_last(inputs).steps(chunk)  # noqa: E731
    forecast = roll_forecasts(prepared, predict, origins, CONTEXT, HORIZON, chunk)
    checks = evaluation_origins(prepared.spans.validation, CONTEXT, HORIZON, 1)
    residuals = normalised_residuals(roll_forecasts(prepared, predict, checks, CONTEXT, HORIZON, chunk),
                                     scaled_actual(prepared, checks, HORIZON))
    metrics = backtest(prepared, forecast, Calibration.fit(residuals, 0.8).apply(forecast), origins, HORIZON)
    for name in ("mase", "mae", "rmse", "smape"):
        assert metrics[name] == pytest.approx(metrics["naive_" + name], rel=1e-5)
    assert metrics["seasonal_naive_mase"] != metrics["naive_mase"]
    assert "model_coverage" not in metrics and 0.5 < metrics["coverage"] <= 1  # a point forecast gets an interval


def test_origins_by_row_or_time_and_a_forecast_past_the_end():
    prepared = prepare(daily_series(), Layout("y", known=("k",)), season=7)
    assert origin_index(prepared, None) == 299 and origin_index(prepared, "-2") == 298
    assert origin_index(prepared, "2024-01-03") == 2
    with pytest.raises(ValueError, match="no time '2023-01-01' in daily; times run from 2024-01-01 to 2024-10-26"):
        origin_index(prepared, "2023-01-01")
    with pytest.raises(ValueError, match=r"origin 300 is outside the series' rows 0\.\.299"):
        origin_index(prepared, "300")
    result = forecast_from(prepared, repeat_last, 296, steps=8, context=CONTEXT, chunk=HORIZON, history=5)
    assert result.times[:4] == ["2024-10-24", "2024-10-25", "2024-10-26", "2024-10-27"]  # row 299 is 10-26
    assert result.filled_known  # k past the end of the data: from one season earlier
    assert torch.equal(result.actual[:3], prepared.target[297:300]) and bool(torch.isnan(result.actual[3:]).all())
    torch.testing.assert_close(result.mean, prepared.target[296].expand(8).double(), rtol=1e-5, atol=0)
    assert result.history_times[-1] == "2024-10-23" and len(result.history) == 5
    with pytest.raises(ValueError, match="fewer than the 12 steps of context"):
        forecast_from(prepared, repeat_last, 5, 3, CONTEXT, HORIZON, 5)
