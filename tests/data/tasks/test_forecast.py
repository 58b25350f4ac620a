"""The forecasting tasks: shapes from the config alone (nothing loaded), batches, losses, the rolling-origin
evaluation and "solved", on a synthetic CSV series with a daily cycle (references: hand-counted feature
sizes; the seasonal-naive forecast's own score on the same windows)."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.forecast import csv_series
from rnnlab.data.tasks.forecast_configs import CsvSeriesConfig, EnergyConfig, StocksConfig, WeatherConfig
from rnnlab.data.tasks.registry import make_task
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train


def daily_cycle_csv(path, days=30, noise=0.1):
    """Hourly load = 10 + 3 sin(2π hour / 24) + noise, with a temperature column; `days` days from 2024-03-01."""
    generator = torch.Generator().manual_seed(0)
    lines = ["date,load,temp"]
    for i in range(days * 24):
        hour = i % 24
        load = 10 + 3 * math.sin(2 * math.pi * hour / 24) + noise * float(torch.randn(1, generator=generator))
        stamp = str(np.datetime64("2024-03-01T00:00") + np.timedelta64(i, "h")).replace("T", " ")
        lines.append(f"{stamp},{load:.4f},{hour / 2:.1f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_models_shape_comes_from_the_config_without_loading():
    """Hand-counted D: energy = demand + 2 known + 2·2 calendar + future flag = 8; outputs 48 steps x 2 (μ, log σ²).
    Stocks: the target alone, 5 x 2; autoregressive: one step; quantile: 3 per step."""
    energy = make_task("energy")
    assert (energy.io.input_size, energy.io.output_size, energy.io.per_step) == (8, 96, False)
    assert energy.name == "energy-h48" and energy.config == EnergyConfig()
    assert make_task("stocks").io.input_size == 1 and make_task("stocks").io.output_size == 10
    assert make_task("stocks", series="dax").name == "stocks-dax-h5"
    assert make_task("weather", strategy="autoregressive").io.output_size == 2
    assert make_task("weather", head="quantile", length=12).io.output_size == 36
    assert make_task("weather").io.input_size == 1 + 4 + 2 + 1
    assert make_task("csv-series").name == "csv-series-h12"


@pytest.mark.parametrize(("options", "message"), [
    ({"head": "laplace"}, "unknown head 'laplace'"), ({"context": 0}, "context must be a positive whole number"),
    ({"calendar": "hour,month"}, "unknown calendar feature month"), ({"split": "train"}, "split must be"),
    ({"covariates": 1}, "covariates takes comma-separated column names"), ({"log": "yes"}, "log must be True or"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        WeatherConfig(**options)


def test_a_series_or_airport_not_there_is_refused():
    with pytest.raises(ValueError, match="series must be msft, dax"):
        StocksConfig(series="ibm")
    with pytest.raises(ValueError, match="origin must be one of EWR"):
        WeatherConfig(origin="SFO")


def test_batches_losses_and_the_backtest(tmp_path):
    path = daily_cycle_csv(tmp_path / "load.csv")
    task = csv_series(CsvSeriesConfig(path=str(path), time_column="date", target="load", known="temp",
                                      calendar="hour", context=24, horizon=6))
    assert task.prepared.season == 24  # hourly: a day of steps
    batch = task.sample(5, seeded(0, 0))
    assert batch.inputs.shape == (5, 30, 1 + 1 + 2 + 1) and batch.targets.shape == (5, 6, 2)
    model = build_model(ModelConfig("gru", hidden_size=8), task.io)
    outputs, _ = model(batch.inputs)
    assert torch.isfinite(task.loss(outputs, batch))
    metrics = task.evaluate_model(model, torch.device("cpu"))
    assert {"mase", "mae", "rmse", "smape", "coverage", "naive_mase", "seasonal_naive_mase"} <= set(metrics)
    # 720 rows: validation 504..575; origins 503, 509, ..., 569 -> 12 forecasts of 6 steps
    assert task.eval_origins.tolist() == list(range(503, 570, 6))
    assert task.solved({"mase": metrics["seasonal_naive_mase"] - 1e-9}) and not task.solved(
        {"mase": metrics["seasonal_naive_mase"]})
    test = task.test_set(0)
    one_call = task.metrics(model(test.inputs)[0], test)
    assert one_call["mase"] == pytest.approx(metrics["mase"], rel=1e-5)  # direct: one call is the whole horizon


def test_training_beats_seasonal_naive_on_an_easy_series(tmp_path):
    """A daily cycle read one step at a time (autoregressive, point head, season 1): a small LSTM learns the
    cycle within 100 steps and beats the naive forecast, which ignores it; the run must not diverge."""
    path = daily_cycle_csv(tmp_path / "load.csv", days=20, noise=0.3)
    task = csv_series(CsvSeriesConfig(path=str(path), time_column="date", target="load", context=24, horizon=4,
                                      season=1, head="point", strategy="autoregressive"))
    model = build_model(ModelConfig("lstm", hidden_size=16), task.io)
    result = train(model, task, TrainConfig(steps=100, batch_size=32, lr=1e-2, eval_every=100, device="cpu",
                                            stop_when_solved=False))
    final = result.final.metrics
    assert not result.diverged and "model_coverage" not in final  # a point head has no interval of its own,
    assert 0 < final["coverage"] <= 1  # but a calibrated one (data/forecasting/calibrate.py)
    assert final["mase"] < final["naive_mase"]


def test_csv_series_needs_a_file_and_enough_rows(tmp_path):
    with pytest.raises(ValueError, match="csv-series needs a file and a column"):
        _ = csv_series(CsvSeriesConfig()).prepared
    path = daily_cycle_csv(tmp_path / "short.csv", days=2)
    # context: detected (two seasons, cut to a third of the 33-row training span)
    with pytest.raises(ValueError, match=r"short\.csv has 48 rows, too few for context 11 and horizon 12"):
        _ = csv_series(CsvSeriesConfig(path=str(path), target="load", time_column="date")).prepared


def test_a_user_series_gets_its_open_settings_from_the_data_and_keeps_the_given_ones(tmp_path):
    """Reference: data/forecasting/defaults.py's rules on the hourly daily cycle: season 24 (a day of hours), no
    trend (levels), context two seasons, hour and weekday features; what the user gives is kept."""
    path = daily_cycle_csv(tmp_path / "load.csv")
    config = CsvSeriesConfig(path=str(path), target="load", time_column="date")
    assert (config.season, config.relative, config.context, config.calendar) == (24, False, 48, "hour,weekday")
    assert "season 24" in config.detected and "levels" in config.detected
    given = CsvSeriesConfig(path=str(path), target="load", time_column="date", season=12, relative=True,
                            context=30, calendar="")
    assert (given.season, given.relative, given.context, given.calendar, given.detected) == (12, True, 30, "", "")
    assert dataclasses.replace(config) == config  # a saved config rebuilds as it was, reading nothing new


def test_solved_needs_both_the_naive_and_the_seasonal_naive_forecast_beaten():
    """Reference: issue 14: a forecaster that beats seasonal naive but not naive is not solved."""
    task = make_task("stocks")
    assert not task.solved({"mase": 1.0, "naive_mase": 0.9, "seasonal_naive_mase": 1.2})
    assert task.solved({"mase": 0.8, "naive_mase": 0.9, "seasonal_naive_mase": 1.2})


@pytest.mark.parametrize("head", ["point", "gaussian", "quantile"])
def test_a_task_builds_on_the_meta_device(head):
    """Reference: `rnnlab compare` sizes models at a budget under torch.device("meta"), building tasks there
    too; a forecasting task's constructor makes no tensor, and its head's loss works on real ones after."""
    with torch.device("meta"):
        task = make_task("weather", head=head)
    outputs = torch.zeros(2, task.io.output_size)
    assert torch.isfinite(task.head.loss(outputs, torch.zeros(2, 24)))
