"""`rnnlab train --task csv-series` and `rnnlab forecast` end to end through `main([...])`: a tiny run on a
synthetic CSV, the forecast CSV and PNG it writes, and one-line errors (exit 2) for every malformed file."""

import csv
import math

import numpy as np
import pytest

from rnnlab.cli.main import main

QUICK = ["--steps", "20", "--eval-every", "20", "--batch-size", "8", "--hidden", "8", "--threads", "1"]


def write_series(path, hours=400):
    """Hourly load with a daily cycle and noise; a temperature column."""
    start = np.datetime64("2024-03-01T00:00")
    noise = np.random.default_rng(0).normal(0, 0.2, hours)
    rows = ["date,load,temp"] + [
        f"{str(start + np.timedelta64(i, 'h')).replace('T', ' ')},"
        f"{10 + 3 * math.sin(2 * math.pi * i / 24) + noise[i]:.4f},{i % 24 / 2}" for i in range(hours)]
    path.write_text("\n".join(rows) + "\n")
    return path


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def train_args(path, out):
    return ["train", "--task", "csv-series", "--set", f"path={path}", "--target", "load", "--time-column", "date",
            "--set", "known=temp", "--set", "context=24", "--set", "horizon=6", *QUICK, "--out", out]


def test_train_then_forecast_writes_a_csv_and_a_plot(tmp_path, capsys):
    path = write_series(tmp_path / "load.csv")
    run = tmp_path / "run"
    code, _, err = cli(capsys, *train_args(path, run))
    assert code == 0, err
    code, _, err = cli(capsys, "forecast", run, "--horizon", "10", "--out", tmp_path / "f.csv")
    assert code == 0, err
    with (tmp_path / "f.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 10 and list(rows[0]) == ["time", "forecast", "lower", "upper"]
    assert rows[0]["time"] == "2024-03-17T16:00"  # the hour after the last row (400 hours from 03-01 00:00)
    assert all(float(r["lower"]) <= float(r["forecast"]) <= float(r["upper"]) for r in rows)
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "rolled out" in err and "repeat their last season" in err  # 10 > the model's 6; temp past the end
    before = (tmp_path / "f.csv").read_bytes()
    code, _, err = cli(capsys, "forecast", run, "--horizon", "3", "--out", tmp_path / "f.csv")
    assert code == 2 and "exists; pass --overwrite" in err and (tmp_path / "f.csv").read_bytes() == before
    code, _, err = cli(capsys, "forecast", run, "--origin", "2024-03-10 00:00", "--overwrite")
    assert code == 2 and "no time '2024-03-10 00:00'" in err
    code, _, err = cli(capsys, "forecast", run, "--origin", "2024-03-10T00:00")
    assert code == 0 and (run / "forecast.csv").read_text().count("\n") == 7  # header + 6 rows, inside the data


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("date,temp\n2024-01-01,1\n", "has no column 'load'; its columns are date, temp"),
    ("date,load,temp\n2024-01-01,1,2\n2024-01-02,x,2\n", "line 3, column 'load': 'x' is not a number"),
    ("date,load,temp\n2024-01-02,1,2\n2024-01-01,1,2\n", "line 3, column 'date': time '2024-01-01' comes before"),
    ("date,load,temp\n2024-01-01,1,2\n2024-01-01,1,2\n", "line 3, column 'date': time '2024-01-01' repeats line 2"),
    ("date,load,temp\n2024-01-01,1,2\n2024-01-02,1,2\n", "has 2 rows, too few for context 24 and horizon 6"),
])
def test_a_bad_csv_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, _, err = cli(capsys, *train_args(path, tmp_path / "run"))
    assert code == 2 and message in err and str(path) in " ".join(err.split())
    assert "Traceback" not in err


def test_forecast_refuses_a_run_of_another_task(tmp_path, capsys):
    run = tmp_path / "adding"
    code, _, err = cli(capsys, "train", "--task", "adding", "--length", "5", "--set", "test_size=8", "--steps", "2",
                       "--eval-every", "2", "--hidden", "4", "--out", run)
    assert code == 0, err
    code, _, err = cli(capsys, "forecast", run)
    assert code == 2 and "needs a forecasting run" in err
