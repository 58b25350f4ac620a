"""`rnnlab diagnose` end to end on tiny settings: files written, bad input refused in one line."""

from pathlib import Path

import pytest

from rnnlab.cli.main import main


def test_gradients_writes_png_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: the command's promise: a table on stdout, the PNG and diagnostics.json in --out."""
    out = tmp_path / "diag"
    code = main(["diagnose", "gradients", "--models", "rnn,gru", "--length", "8", "--seeds", "1",
                 "--probe-batch", "4", "--out", str(out)])
    assert code == 0
    assert (out / "gradients-init.png").exists() and (out / "diagnostics.json").exists()
    assert "rnn" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["diagnose", "gradients", "--models", "nope"], "unknown model"),
    (["diagnose", "gradients", "--task", "nope"], "unknown task"),
    (["diagnose", "gradients", "--length", "0"], "--length must be positive"),
    (["diagnose", "memory", "--max-seconds", "0"], "need trained models"),
    (["diagnose", "gates", "--models", "rnn"], "need an LSTM or GRU"),
    (["diagnose", "jacobian", "--models", "transformer"], "no recurrent state"),
])
def test_bad_input_is_one_error_line(argv: list[str], message: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: the CLI contract in cli/main.py: exit 2 and one line starting with 'error:'."""
    assert main([*argv, "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]


def test_an_existing_result_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: results are never overwritten: a second run into the same --out is refused."""
    out = tmp_path / "diag"
    argv = ["diagnose", "gradients", "--models", "rnn", "--length", "6", "--seeds", "1", "--probe-batch", "2",
            "--out", str(out)]
    assert main(argv) == 0
    before = (out / "diagnostics.json").read_bytes()
    assert main(argv) == 2
    assert "already holds diagnostics" in capsys.readouterr().err
    assert (out / "diagnostics.json").read_bytes() == before


def test_a_trained_run_can_be_diagnosed(tmp_path: Path) -> None:
    """Reference: `rnnlab train` writes a checkpoint; `diagnose --run` probes exactly that model."""
    run = tmp_path / "run"
    assert main(["train", "--task", "adding", "--length", "8", "--steps", "20", "--eval-every", "10",
                 "--hidden", "8", "--out", str(run)]) == 0
    out = tmp_path / "diag"
    assert main(["diagnose", "gradients", "--run", str(run), "--probe-batch", "4", "--out", str(out)]) == 0
    assert (out / "gradients-trained.png").exists()


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_a_run_folder_without_a_run_or_checkpoint_is_refused(make: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: the issue's bad inputs: a run folder that does not exist, or that holds no run."""
    run = tmp_path / "run"
    if make == "empty":
        run.mkdir()
    assert main(["diagnose", "gradients", "--run", str(run), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")
