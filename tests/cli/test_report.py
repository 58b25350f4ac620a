"""`rnnlab report SWEEP_DIR`: the report written again from the store and run folders, which it only reads."""

import hashlib
from pathlib import Path

import pytest

from rnnlab.cli.main import main
from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.store import ResultsStore

CONFIG = SweepConfig("tiny", ("rnn", "gru"), ("adding",), lengths=(6,), seeds=1, max_steps=10,
                     train={"eval_every": 5, "batch_size": 4}, model={"hidden_size": 8},
                     task_options={"adding": {"test_size": 16}})


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file of the store and the run folders: its digest and modification time."""
    files = [path for path in folder.rglob("*") if path.is_file() and (path.name.startswith("sweep.sqlite")
                                                                         or "runs" in path.parts)]
    return {str(path): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) for path in files}


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:"), err
    return err[0]


def test_the_report_is_written_again_and_the_sweep_left_alone(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: the store and run folders before the command, byte for byte and by modification time."""
    run_sweep(CONFIG, tmp_path, workers=0)
    before = snapshot(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == ["report:", str(tmp_path / "report.html"),
                                               "report:", str(tmp_path / "report.md")]
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.startswith("# Which model to use: sweep tiny") and "## adding" in markdown
    (tmp_path / "report.md").write_text("an earlier report")
    assert main(["report", str(tmp_path)]) == 0  # derived data: replaced
    assert (tmp_path / "report.md").read_text() == markdown
    assert {path: seen for path, seen in snapshot(tmp_path).items() if path in before} == before


def test_a_folder_without_a_sweep_or_results_is_one_error_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "holds no sweep: it has no sweep.sqlite" in one_error_line(capsys)
    with ResultsStore(tmp_path / "sweep.sqlite", CONFIG.name, CONFIG.digest(), config=CONFIG.to_json()) as store:
        store.add_planned(expand(CONFIG))  # planned, none run yet
    assert main(["report", str(tmp_path)]) == 2
    assert "no run of sweep 'tiny' has finished yet; nothing to report" in one_error_line(capsys)
    assert not (tmp_path / "report.html").exists()


def test_a_suite_folder_points_to_its_sweeps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: suite.py's layout: one sweep per task in FOLDER/TASK/, the suite's own report in FOLDER."""
    (tmp_path / "adding").mkdir()
    with ResultsStore(tmp_path / "adding" / "sweep.sqlite", CONFIG.name, CONFIG.digest(), config=CONFIG.to_json()):
        pass
    assert main(["report", str(tmp_path)]) == 2
    line = one_error_line(capsys)
    assert "holds the sweeps of a suite (adding)" in line and f"rnnlab report {tmp_path / 'adding'}" in line
