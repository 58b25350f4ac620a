"""`rnnlab evaluate RUN`: the newest checkpoint scored again, and one-line errors for folders it cannot score."""

import json
import shutil
from pathlib import Path

import pytest

from rnnlab.cli.main import main

TRAIN = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "6", "--eval-every", "3",
         "--batch-size", "4", "--hidden", "4"]


@pytest.fixture
def run(tmp_path, monkeypatch, capsys) -> Path:
    """A finished run in tmp_path/run, the working directory being tmp_path."""
    monkeypatch.chdir(tmp_path)
    assert main([*TRAIN, "--out", "run"]) == 0
    capsys.readouterr()
    return Path("run")


def test_prints_the_checkpoints_metrics(run, capsys):
    """Reference: the run's final record in metrics.jsonl. The newest checkpoint is the final step's, so
    evaluating it again prints the same metrics, to 4 decimals."""
    final = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
    assert main(["evaluate", str(run)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "run: lstm on adding" in captured.out
    table = [[cell.strip() for cell in line.split("│")[1:-1]] for line in captured.out.splitlines() if "│" in line]
    assert table == [[name, f"{value:.4f}"] for name, value in final["metrics"].items()]
    status = json.loads((run / "result.json").read_text())["status"]
    assert f"run status: {status}; this checkpoint does not meet the solved criterion" in captured.out


def test_an_unfinished_run(run, capsys):
    (run / "result.json").unlink()
    assert main(["evaluate", str(run)]) == 0
    assert "run status: unfinished (no result.json yet; resume with `rnnlab train --resume`)" in capsys.readouterr().out


def expect_usage_error(capsys, folder, message: str) -> None:
    """Exit code 2, nothing on stdout, and on stderr exactly one line, "error: ...", naming the folder."""
    code = main(["evaluate", str(folder)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1, captured.err
    assert captured.err.startswith("error: ") and message in captured.err
    assert str(folder) in captured.err


def test_a_missing_folder(tmp_path, capsys):
    expect_usage_error(capsys, tmp_path / "nowhere", "is not a folder")


def test_a_folder_that_is_not_a_run(tmp_path, capsys):
    expect_usage_error(capsys, tmp_path, "is not a run folder: it has no config.json")


def test_a_run_without_checkpoints(run, capsys):
    shutil.rmtree(run / "checkpoints")
    expect_usage_error(capsys, run, "has no checkpoint yet")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_checkpoint(run, capsys, damage):
    weights = run / "checkpoints" / "step-00000006" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(b"\x00garbage" if damage == "garbage" else data[: len(data) // 2])
    expect_usage_error(capsys, run, "model.safetensors is corrupt (its SHA-256 differs from the one state.json "
                                    "recorded); delete")


def test_latest_naming_a_missing_checkpoint_falls_back_to_the_one_before(run, capsys):
    """What the corrupt-checkpoint error says to do: with the newest checkpoint deleted, `latest` names nothing and
    the newest complete checkpoint left is used. Reference: that checkpoint's record in metrics.jsonl."""
    shutil.rmtree(run / "checkpoints" / "step-00000006")
    before = json.loads((run / "metrics.jsonl").read_text().splitlines()[-2])
    assert before["step"] == 3
    assert main(["evaluate", str(run)]) == 0
    out = capsys.readouterr().out
    table = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines() if "│" in line]
    assert table == [[name, f"{value:.4f}"] for name, value in before["metrics"].items()]


def test_a_checkpoint_that_does_not_fit_the_config(run, capsys):
    config = json.loads((run / "config.json").read_text())
    config["model"]["hidden_size"] = 5
    (run / "config.json").write_text(json.dumps(config))
    expect_usage_error(capsys, run, "does not fit this model")


def test_a_corrupt_config(run, capsys):
    (run / "config.json").write_text("{")
    expect_usage_error(capsys, run, "config.json is corrupt")


def test_json_is_the_same_numbers(run, capsys):
    """Reference: the run's final record in metrics.jsonl (the newest checkpoint is the final step's)."""
    final = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
    assert main(["evaluate", str(run), "--json", "--device", "cpu"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["metrics"] == pytest.approx(final["metrics"])
    assert (printed["task"], printed["model"], printed["split"]) == ("adding", "lstm", "test")
    assert printed["status"] == json.loads((run / "result.json").read_text())["status"]
