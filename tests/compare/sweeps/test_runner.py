"""The local runner: a run that raises, Ctrl-C and kill -9 each leave a store that a resume completes, running
only the unfinished runs, with every run in the store exactly once."""

import dataclasses
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab.compare.sweeps import one_run
from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.runner import run_sweep, sweep_lock
from rnnlab.compare.sweeps.store import ResultsStore
from rnnlab.train.experiment import run_experiment
from rnnlab.train.run import RunFolder

CONFIG = SweepConfig("tiny", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=2, max_steps=30,
                     train={"eval_every": 10, "batch_size": 4, "stop_when_solved": False},
                     model={"hidden_size": 8}, task_options={"adding": {"test_size": 16}})


class Recorder:
    """run_experiment as the runner calls it, recording each call; `fail_at(run_id, step, error)` raises
    `error` from inside that run at that evaluation (after the evaluation before it was checkpointed)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.failures: dict[str, tuple[int, BaseException]] = {}

    def __call__(self, experiment, folder: RunFolder, *, resume: bool, overwrite: bool):
        self.calls.append((folder.path.name, resume))
        failure = self.failures.pop(folder.path.name, None)

        def on_eval(record) -> None:
            if failure is not None and record.step == failure[0]:
                raise failure[1]

        return run_experiment(experiment, folder, resume=resume, overwrite=overwrite, on_eval=on_eval)


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(one_run, "run_experiment", recorder)
    return recorder


def logged_steps(folder: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (folder / "metrics.jsonl").read_text().splitlines()]


def copies_per_run(folder: Path) -> tuple[int, int]:
    """(rows, distinct run ids) in the store's runs table."""
    query = "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM runs"
    return sqlite3.connect(folder / "sweep.sqlite").execute(query).fetchone()


def test_a_run_that_raises_fails_alone_and_resume_reruns_only_it(tmp_path, recorder):
    """Reference: the same run trained without interruption in another folder: the resumed run, continued from
    its checkpoint, ends with its metrics; the runs that finished the first time are neither run nor changed."""
    plans = expand(CONFIG)
    broken = plans[1].run_id
    recorder.failures[broken] = (20, RuntimeError("boom at step 20\nwith a second line"))
    progress: list[tuple[int, int, float, str]] = []
    rows = run_sweep(CONFIG, tmp_path, workers=0, on_progress=lambda done, total, eta, row: progress.append(
        (done, total, eta, row.run_id)))
    assert [(done, total, run_id) for done, total, _, run_id in progress] == [
        (n + 1, 4, plan.run_id) for n, plan in enumerate(plans)]
    assert all(eta >= 0 for *_, eta, _ in progress) and progress[-1][2] == 0
    by_id = {row.run_id: row for row in rows}
    assert by_id[broken].status == "failed"
    assert by_id[broken].error == "RuntimeError: boom at step 20 with a second line"
    assert all(row.done and row.throughput and row.throughput > 0 for row in rows if row.run_id != broken)

    recorder.calls.clear()
    resumed = run_sweep(CONFIG, tmp_path, resume=True, workers=0)
    assert recorder.calls == [(broken, True)]  # only the failed run, from its checkpoint
    assert [row.run_id for row in resumed] == [plan.run_id for plan in plans]
    assert all(row.done for row in resumed) and copies_per_run(tmp_path) == (4, 4)
    assert [row for row in resumed if row.run_id != broken] == [row for row in rows if row.run_id != broken]
    assert logged_steps(tmp_path / "runs" / broken) == [10, 20, 30]
    whole = run_experiment(plans[1].experiment, RunFolder(tmp_path / "whole"))
    assert next(row for row in resumed if row.run_id == broken).metrics["final"] == whole.final_metrics


def test_ctrl_c_keeps_finished_rows_and_resume_runs_the_rest(tmp_path, recorder):
    plans = expand(CONFIG)
    recorder.failures[plans[1].run_id] = (10, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run_sweep(CONFIG, tmp_path, workers=0)
    with ResultsStore(tmp_path / "sweep.sqlite", CONFIG.name, CONFIG.digest()) as store:
        assert [row.status for row in store.rows()] == ["not solved", "running", "queued", "queued"]
        first = store.row(plans[0].run_id)
    recorder.calls.clear()
    rows = run_sweep(CONFIG, tmp_path, resume=True, workers=0)
    assert recorder.calls == [(plans[1].run_id, False), (plans[2].run_id, False), (plans[3].run_id, False)]
    assert rows[0] == first and all(row.done for row in rows) and copies_per_run(tmp_path) == (4, 4)


def test_a_pool_of_workers_gives_the_results_of_a_run_in_this_process(tmp_path):
    """Reference: the same sweep run in this process, one run after another: the same metrics, bit for bit.
    The pool's runs were claimed by its worker processes, which measured their throughput."""
    config = dataclasses.replace(CONFIG, seeds=1)
    pooled = run_sweep(config, tmp_path / "pool", workers=2)
    here = run_sweep(config, tmp_path / "here", workers=0)
    assert [row.run_id for row in pooled] == [row.run_id for row in here] == [plan.run_id for plan in expand(config)]
    for row, reference in zip(pooled, here):
        assert (row.status, row.metrics, row.steps) == (reference.status, reference.metrics, reference.steps)
        assert row.worker_pid not in (None, os.getpid()) and reference.worker_pid == os.getpid()
        assert row.throughput is not None and row.throughput > 0
        assert (tmp_path / "pool" / str(row.artifacts) / "result.json").exists()


def test_a_sweep_folder_is_never_taken_over_by_accident(tmp_path, recorder):
    config = dataclasses.replace(CONFIG, models=("rnn",), seeds=1)
    run_sweep(config, tmp_path, workers=0)
    with pytest.raises(ValueError, match="already holds a sweep; pass resume to continue it or overwrite"):
        run_sweep(config, tmp_path, workers=0)
    other = dataclasses.replace(config, seeds=(5,))
    with pytest.raises(ValueError, match=r"holds sweep 'tiny' \(config \w+\), not 'tiny' .*choose another folder"):
        run_sweep(other, tmp_path, resume=True, workers=0)
    with pytest.raises(ValueError, match=r"nothing to resume: .* holds no sweep"):
        run_sweep(config, tmp_path / "empty", resume=True, workers=0)
    with sweep_lock(tmp_path), pytest.raises(ValueError, match=f"process {os.getpid()} is running this sweep"):
        run_sweep(config, tmp_path, resume=True, workers=0)
    recorder.calls.clear()
    assert all(row.done for row in run_sweep(config, tmp_path, resume=True, workers=0))
    assert recorder.calls == []  # nothing left to run
    rows = run_sweep(other, tmp_path, overwrite=True, workers=0)
    assert [row.seed for row in rows] == [5]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [rows[0].run_id]


HANG_SECONDS = 600  # only ends a test whose process hung; nothing is expected to take near this long


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_sweep_killed_with_sigkill_resumes_with_no_run_lost_or_repeated(tmp_path, recorder):
    """A real sweep process (one pool worker) is killed with SIGKILL while its second run is mid-way past a
    checkpoint. Its orphaned worker ends by itself; a resume runs only the killed run (from its checkpoint)
    and the one never started, leaves the finished run as it was, and logs no step twice. About 15 s."""
    config = dataclasses.replace(CONFIG, models=("rnn", "lstm", "gru"), seeds=1, max_steps=1500,
                                 train=dict(CONFIG.train, eval_every=50))
    plans = expand(config)
    script = tmp_path / "sweep.py"
    script.write_text("import sys\nfrom pathlib import Path\nfrom rnnlab.compare.sweeps.runner import run_sweep\n"
                      "from rnnlab.compare.sweeps.config import SweepConfig\n"
                      f"if __name__ == '__main__':\n    run_sweep({config!r}, Path(sys.argv[1]), workers=1)\n")
    folder = tmp_path / "sweep"
    environment = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    process = subprocess.Popen([sys.executable, str(script), str(folder)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + HANG_SECONDS
        killed_run = plans[1].run_id
        while worker is None:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the second run never reached a checkpoint"
            time.sleep(0.02)
            if not (folder / "runs" / killed_run / "checkpoints" / "latest").exists():
                continue
            with ResultsStore(folder / "sweep.sqlite", config.name, config.digest()) as store:
                rows = store.rows()
            if rows[1].status == "running":
                worker = rows[1].worker_pid
        assert rows[0].done and rows[2].status == "queued"
        watch = os.pidfd_open(worker)  # readable when the worker ends: an event to wait on, not a deadline
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        try:
            ended, _, _ = select.select([watch], [], [], HANG_SECONDS)
        finally:
            os.close(watch)
        assert ended, f"the orphaned worker was still running {HANG_SECONDS} s after the sweep died"
    finally:
        process.kill()
        process.wait()
        if worker is not None and alive(worker):
            os.kill(worker, signal.SIGKILL)

    resumed = run_sweep(config, folder, resume=True, workers=0)
    assert recorder.calls == [(killed_run, True), (plans[2].run_id, False)]
    assert resumed[0] == rows[0] and all(row.done for row in resumed) and copies_per_run(folder) == (3, 3)
    assert logged_steps(folder / "runs" / killed_run) == list(range(50, 1501, 50))
