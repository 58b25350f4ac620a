"""`rnnlab compare` end to end on a tiny sweep file: the store, progress lines and the report; bad input refused
in one line naming the file and key; a folder holding a sweep never taken over by accident."""

import hashlib
import json
from pathlib import Path

import pytest

from rnnlab.cli import compare
from rnnlab.cli.main import main

SWEEP = """\
name = "tiny"
models = ["rnn", "lstm"]
tasks = ["adding"]
lengths = [6]
seeds = 1
budget = 400
max_steps = 10

[train]
eval_every = 5
batch_size = 4

[task_options.adding]
test_size = 16
"""


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """Reference: the CLI contract in cli/main.py: exit 2 and one line starting with 'error:'."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:"), err
    return err[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sweep_file_runs_and_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: the command's promise: the store and run folders in --out, a progress line per finished run
    (done/total, ETA), report.html and report.md stating the budgets; then --resume runs nothing."""
    toml, out = tmp_path / "tiny.toml", tmp_path / "out"
    toml.write_text(SWEEP)
    assert main(["compare", str(toml), "--out", str(out), "--workers", "0"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "ETA" in line]
    assert [line.split()[0] for line in lines] == ["1/2", "2/2"]
    assert all("adding-6-" in line and "after 10 steps" in line for line in lines)
    assert captured.out.split() == ["report:", str(out / "report.html"), "report:", str(out / "report.md")]
    assert (out / "sweep.sqlite").exists() and len(list((out / "runs").iterdir())) == 2
    markdown = (out / "report.md").read_text()
    assert "Equal parameter budget: at most 400 parameters per model" in markdown
    assert "Equal training budget: at most 10 steps per run" in markdown
    assert "<img src=\"data:image/png;base64," in (out / "report.html").read_text()

    store = digest(out / "sweep.sqlite")
    assert main(["compare", str(toml), "--out", str(out), "--workers", "0", "--resume"]) == 0
    assert "ETA" not in capsys.readouterr().err  # nothing left to run
    assert digest(out / "sweep.sqlite") == store


def test_a_folder_holding_a_sweep_is_refused_without_resume_or_overwrite(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml, out = tmp_path / "tiny.toml", tmp_path / "out"
    toml.write_text(SWEEP)
    assert main(["compare", str(toml), "--out", str(out), "--workers", "0"]) == 0
    capsys.readouterr()
    before = digest(out / "sweep.sqlite")
    assert main(["compare", str(toml), "--out", str(out), "--workers", "0"]) == 2
    assert "already holds a sweep; pass --resume to continue it or --overwrite" in one_error_line(capsys)
    other = tmp_path / "other.toml"
    other.write_text(SWEEP.replace("seeds = 1", "seeds = [3]"))
    assert main(["compare", str(other), "--out", str(out), "--resume"]) == 2
    assert "holds sweep 'tiny'" in one_error_line(capsys)
    assert digest(out / "sweep.sqlite") == before


@pytest.mark.parametrize(("sweep", "message"), [
    ("models = [", "bad TOML"),
    (SWEEP.replace('"lstm"', '"nope"'), "models: unknown model 'nope'"),
    (SWEEP.replace("max_steps = 10", "max_steps = -1"), "max_steps: must be positive"),
    (SWEEP.replace("batch_size = 4", "batch_sizes = 4"), "train.batch_sizes: unknown field"),
])
def test_a_bad_sweep_file_is_one_line_naming_the_file_and_key(
        sweep: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text(sweep)
    assert main(["compare", str(toml), "--out", str(tmp_path / "out")]) == 2
    line = one_error_line(capsys)
    assert str(toml) in line and message in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["compare", "--out", "x"], "give a sweep file (SWEEP.toml), --suite NAME or --task NAME"),
    (["compare", "s.toml", "--suite", "rnn-vs-lstm", "--out", "x"], "one of the three"),
    (["compare", "--task", "adding", "--suite", "rnn-vs-lstm", "--out", "x"], "one of the three"),
    (["compare", "s.toml", "--out", "x", "--set", "length=5"], "--set applies to --task"),
    (["compare", "s.toml", "--out", "x", "--tune"], "--tune applies to a suite"),
    (["compare", "--suite", "rnn-vs-lstm", "--out", "x", "--seed-offset", "-1"], "--seed-offset must not be negative"),
    (["compare", "--task", "nope", "--out", "x"], "unknown task 'nope'"),
    (["compare", "--task", "adding", "--models", "rnn,elman", "--out", "x"], "unknown model elman"),
    (["compare", "--task", "adding", "--lengths", "10,x", "--out", "x"], "--lengths: expected whole numbers"),
    (["compare", "s.toml"], "--out: name the folder"),
    (["compare", "s.toml", "--out", "x", "--resume", "--overwrite"], "--resume and --overwrite exclude each other"),
    (["compare", "s.toml", "--out", "x", "--workers", "2", "--scheduler", "tcp://h:8786"], "exclude each other"),
    (["compare", "s.toml", "--out", "x", "--profile", "quick"], "--profile sizes a --suite"),
    (["compare", "missing.toml", "--out", "x"], "missing.toml: cannot read it"),
])
def test_bad_arguments_are_one_error_line(argv: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SWEEP)
    assert main(argv) == 2
    assert message in one_error_line(capsys)
    assert not (tmp_path / "x").exists()


def test_an_unreachable_scheduler_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    from rnnlab.compare.sweeps import executors
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 0.5)
    toml = tmp_path / "tiny.toml"
    toml.write_text(SWEEP)
    assert main(["compare", str(toml), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_a_suite_is_run_by_the_suite_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: suites.run_suite's signature; the suite itself is tested beside it (compare/suites/)."""
    from rnnlab.compare import suites as suite

    calls = []

    def fake_run_suite(name, profile, folder, *, resume, overwrite, scheduler, on_progress, seed_offset, tune):
        calls.append((name, profile, folder, resume, overwrite, scheduler, seed_offset, tune))
        on_progress(f"[{profile}] 3 of 40 runs")  # progress arrives as lines of text, shown as they are
        return folder / "report.html", folder / "report.md"

    monkeypatch.setattr(suite, "run_suite", fake_run_suite)
    out = tmp_path / "suite"
    assert main(["compare", "--suite", "rnn-vs-lstm", "--out", str(out), "--resume"]) == 0
    assert main(["compare", "--suite", "rnn-vs-lstm", "--profile", "full", "--out", str(out), "--seed-offset", "7",
                 "--tune"]) == 0
    assert calls == [("rnn-vs-lstm", "quick", out, True, False, None, 0, False),
                     ("rnn-vs-lstm", "full", out, False, False, None, 7, True)]
    captured = capsys.readouterr()
    assert str(out / "report.html") in captured.out
    assert captured.err.splitlines() == ["[quick] 3 of 40 runs", "[full] 3 of 40 runs"]
    assert main(["compare", "--suite", "nope", "--out", str(out)]) == 2
    assert "--suite: unknown suite 'nope'; choose one of" in one_error_line(capsys)
    assert main(["compare", "--suite", "rnn-vs-lstm", "--profile", "huge", "--out", str(out)]) == 2
    assert "--profile: unknown profile 'huge'; choose one of quick, full" in one_error_line(capsys)
    assert main(["compare", "--suite", "rnn-vs-lstm", "--workers", "1", "--out", str(out)]) == 2
    assert "--workers applies to a sweep file" in one_error_line(capsys)
    assert len(calls) == 2


@pytest.mark.parametrize(("seconds", "said"), [(0.4, "0 s"), (42, "42 s"), (185, "3 min 05 s"),
                                               (7620, "2 h 07 min")])
def test_durations_read_plainly(seconds: float, said: str) -> None:
    assert compare.duration(seconds) == said


def test_one_command_compares_models_on_a_task_without_a_sweep_file(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Reference: issue 13's `rnnlab compare --task ... --models ...`: tuning and compared runs, a report and
    verdicts.json naming a recommendation (or none) for the task."""
    out = tmp_path / "mine"
    assert main(["compare", "--task", "adding", "--lengths", "6", "--models", "rnn,lstm", "--steps", "20",
                 "--seeds", "2", "--set", "test_size=16", "--workers", "0", "--out", str(out)]) == 0
    verdicts = json.loads((out / "verdicts.json").read_text())
    assert set(verdicts["recommendations"]) == {"adding"} and len(verdicts["runs"]) == 4
    assert {run["seed"] for run in verdicts["runs"]} == {0, 1}
    assert "Each model's settings, tuned" in (out / "report.md").read_text()
    assert "report.html" in capsys.readouterr().out
