"""`rnnlab forecast RUN`: forecast with a trained forecasting run, written as a CSV and a plot.

    rnnlab forecast runs/energy-h48-lstm-s0                                  # the model's horizon, from the end
    rnnlab forecast runs/energy-h48-lstm-s0 --horizon 96 --origin 2014-12-01T00:00 --out dec.csv

The CSV has one row per forecast step: time, forecast, lower, upper (the interval of the run's head at
its nominal coverage; empty for a point head). The PNG beside it (same name, .png) shows the recent
history, the forecast, its interval and, when the origin lies inside the data, what really happened.
Neither file is overwritten without --overwrite.

A horizon longer than the model's own is rolled out: the model forecasts its own horizon, its point
forecasts are fed back as observations and it forecasts again. The interval is calibrated at the horizon
asked for on the latest windows observed by the origin (the validation span's, for an origin before its end;
data/forecasting/calibrate.py), so it widens with every step.
Past the end of the data, known-future covariates (temperature, work days) are unknown: the last
season's values stand in for them (calendar features are exact).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
from pathlib import Path

import torch
from rich.markup import escape

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import add_alias, add_device_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.forecasting.backtest import OriginForecast, origin_index
from rnnlab.data.tasks.forecast import ForecastTask
from rnnlab.diagnostics.figures import new_figure
from rnnlab.files import write_atomic
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("forecast", help="forecast with a trained forecasting run: a CSV and a plot",
                                   description="Forecast with a run of energy, stocks, weather or csv-series.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train` on a forecasting task")
    parser.add_argument("--horizon", type=int, default=None,
                        help="steps to forecast (default: the run's horizon; longer ones are rolled out)")
    parser.add_argument("--origin", default=None,
                        help="the last observed step: a time as the data writes it, or a row number (negative "
                             "counts from the end); default: the end of the data")
    parser.add_argument("--out", type=Path, default=None, help="the CSV to write (default RUN/forecast.csv); "
                        "the plot goes beside it as .png")
    parser.add_argument("--plot-history", dest="history", type=int, default=None, metavar="STEPS",
                        help="observed steps to show in the plot (default: the larger of 2 x horizon and context)")
    add_alias(parser, "--history", "--plot-history", dest="history", type=int)
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    folder = RunFolder(args.run_dir)
    experiment, task, model = load_run(folder, use_device(args))
    if not isinstance(task, ForecastTask):
        raise ValueError(f"{args.run_dir} is a run of task {experiment.task!r}; `rnnlab forecast` needs a "
                         "forecasting run (energy, stocks, weather, csv-series)")
    horizon = task.config.horizon if args.horizon is None else args.horizon
    if horizon <= 0 or (args.history is not None and args.history <= 0):
        raise ValueError("--horizon and --plot-history must be positive")
    rows = len(task.prepared.target)
    if horizon > rows:
        raise ValueError(f"--horizon {horizon:,} is longer than the whole series the run learned from ({rows:,} "
                         f"steps); a forecast rolled out that far on its own forecasts says nothing: ask for at "
                         f"most {rows:,} (the model forecasts {task.chunk} per call)")
    csv_path = args.out or args.run_dir / "forecast.csv"
    png_path = csv_path.with_suffix(".png")
    for path in (csv_path, png_path):
        if path.exists() and not args.overwrite:
            raise ValueError(f"{path} exists; pass --overwrite to replace it or choose another --out")
    try:
        origin = origin_index(task.prepared, args.origin)
    except ValueError as error:
        raise ValueError(f"--origin {args.origin}: {error}") from None
    history = args.history or max(2 * horizon, task.config.context)
    model.eval()
    with torch.no_grad():
        result = task.forecast(model, next(model.parameters()).device, horizon, origin, history)
    write_atomic(csv_path, forecast_csv(result).encode())
    write_atomic(png_path, forecast_png(result, f"{task.name}, {experiment.model.name}: {horizon} steps from "
                                                f"{task.prepared.series.labels()[origin]}"))
    out, err = console(), console(stderr=True)
    if horizon > task.chunk:
        err.print(f"note: the model forecasts {task.chunk} step(s) per call; steps beyond were rolled out on its own "
                  "forecasts (their intervals are calibrated on held-out forecasts that long)", highlight=False)
    if result.filled_known:
        err.print(f"note: past the end of the data, the known covariates ({', '.join(task.layout.known)}) repeat "
                  "their last season", highlight=False)
    out.print(f"forecast: {escape(str(csv_path))} ({horizon} rows)", highlight=False)
    out.print(f"plot: {escape(str(png_path))}", highlight=False)
    return 0


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.10g}"


def forecast_csv(result: OriginForecast) -> str:
    """time, forecast, lower, upper: one row per forecast step."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["time", "forecast", "lower", "upper"])
    nan = torch.full_like(result.mean, math.nan)
    lower = result.lower if result.lower is not None else nan
    upper = result.upper if result.upper is not None else nan
    for time, mean, low, high in zip(result.times, result.mean.tolist(), lower.tolist(), upper.tolist()):
        writer.writerow([time, _number(mean), _number(low), _number(high)])
    return buffer.getvalue()


def forecast_png(result: OriginForecast, heading: str) -> bytes:
    """History, forecast, interval and (where known) the actual values, as PNG bytes."""
    figure = new_figure(9, 4)
    axes = figure.add_subplot()
    past = list(range(-len(result.history) + 1, 1))
    ahead = list(range(1, len(result.mean) + 1))
    axes.plot(past, result.history.tolist(), color="black", linewidth=1, label="observed")
    if result.lower is not None and result.upper is not None:
        axes.fill_between(ahead, result.lower.tolist(), result.upper.tolist(), color="tab:blue", alpha=0.25,
                          linewidth=0, label="interval")
    axes.plot(ahead, result.mean.tolist(), color="tab:blue", linewidth=1.5, label="forecast")
    if not bool(torch.isnan(result.actual).all()):
        axes.plot(ahead, result.actual.tolist(), color="black", linestyle="--", linewidth=1, label="actual")
    axes.axvline(0.5, color="grey", linewidth=0.8)
    labels = result.history_times + result.times
    positions = past + ahead
    every = max(1, len(positions) // 6)
    axes.set_xticks(positions[::every], labels[::every], rotation=20, fontsize=7)
    axes.set_title(heading, fontsize=9)
    axes.legend(fontsize=8, loc="best")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
