"""SIGKILL at random moments: 20 kills of `rnnlab train`, 20 of `rnnlab compare` (10 on a local pool of worker
processes, 10 on a Dask cluster), each run or sweep resumed after every kill until it finished.

Reference: the same run or sweep without interruption. Every killed run ends with the uninterrupted run's
records and result.json (wall-clock seconds aside), with no evaluation logged twice or missing; every killed
sweep ends with every run exactly once in its store, with the uninterrupted sweep's statuses, metrics and
steps. Kill moments are drawn from seeded generators (so a failure reproduces), uniformly over the time the
command has left, and land anywhere: loading, training, writing a checkpoint, recording a run, rendering the
report. Each test records what it measured (`record_property`): scripts/reliability_study.py prints it.
About 21 minutes on 2 cores shared with four other jobs (a quiet machine takes a third of that), most of it
in starting Python processes.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rnnlab.cli.main import main
from rnnlab.compare.sweeps.parse import load_sweep
from rnnlab.compare.sweeps.runner import run_sweep

pytestmark = pytest.mark.slow

TRAIN_KILLS, POOL_KILLS, DASK_KILLS = 20, 10, 10
HEADER = " -> "  # in the line `rnnlab train` prints once the run's data and folder are checked
KILLS_PER_RUN = 4
HANG_SECONDS = 600  # only ends a test whose process hung
MODELS = ("lstm", "gru", "rnn", "mingru", "transformer")


def train_args(model: str) -> list[str]:
    dropout = ["--num-layers", "2", "--dropout", "0.3"] if model == "lstm" else []  # the global RNG, restored
    return ["train", "--task", "adding", "--length", "20", "--set", "test_size=32", "--model", model, "--hidden", "16",
            *dropout, "--batch-size", "16", "--eval-every", "20", "--steps", "300", "--warmup-steps", "30",
            "--decay", "cosine", "--no-stop-when-solved", "--threads", "1"]


def records(folder: Path) -> list[dict]:
    lines = (folder / "metrics.jsonl").read_text().splitlines() if (folder / "metrics.jsonl").exists() else []
    return [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in lines if line.endswith("}")]


def comparable(folder: Path) -> dict:
    return {k: v for k, v in json.loads((folder / "result.json").read_text()).items() if "seconds" not in k}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


def kill_at(process: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL `process` after `seconds` (waiting on its exit meanwhile), and every process it started (they are
    waited for: a pool worker ends by itself when its sweep dies). False if it ended first."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        pass
    watches = []
    for child in children(process.pid):
        try:
            watches.append(os.pidfd_open(child))
        except ProcessLookupError:
            continue
    process.send_signal(signal.SIGKILL)
    process.wait()
    for watch in watches:
        ended, _, _ = select.select([watch], [], [], HANG_SECONDS)
        os.close(watch)
        assert ended, "a worker outlived its sweep"
    return process.returncode == -signal.SIGKILL


class Child:
    """`python -m rnnlab.cli.main ARGV`, whose stderr a thread reads; `ready` is set when the command shows it has
    begun its real work: a line holding `sign` on stderr, or the file `appears` (or the process ended)."""

    def __init__(self, argv: list[object], env: dict[str, str], sign: str | None = None,
                 appears: Path | None = None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "rnnlab.cli.main", *map(str, argv)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.sign, self.appears, self.ready = sign, appears, threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr or ():
            if self.sign is not None and self.sign in line:
                self.ready.set()
        self.ready.set()  # it ended

    def wait_ready(self) -> None:
        begun = time.monotonic()
        while not self.ready.wait(0.01):
            if self.appears is not None and self.appears.exists():
                return
            assert time.monotonic() - begun < HANG_SECONDS, "the command never began"


def reference_seconds(argv: list[object], env: dict[str, str], sign: str | None = None,
                      appears: Path | None = None) -> float:
    """Wall time of the command without interruption, from its sign of having begun to its end."""
    child = Child(argv, env, sign, appears)
    child.wait_ready()
    begun = time.monotonic()
    assert child.process.wait(timeout=HANG_SECONDS) == 0
    return time.monotonic() - begun


def test_twenty_sigkills_of_train_resume_to_the_uninterrupted_results(tmp_path, child_env, record_property,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(2024)
    kills, finished_first, landed_at = 0, 0, []
    run_number = 0
    # How long the command takes from its header line (printed once its data are checked, before training) to
    # its end, once; the kill moments are drawn within that span, after the header.
    seconds = reference_seconds([*train_args(MODELS[0]), "--out", tmp_path / "timed"], child_env, sign=HEADER)
    while kills < TRAIN_KILLS:
        model = MODELS[run_number % len(MODELS)]
        args = train_args(model)
        whole, killed = tmp_path / f"whole-{run_number}", tmp_path / f"killed-{run_number}"
        assert main([*args, "--out", str(whole)]) == 0
        for _ in range(min(KILLS_PER_RUN, TRAIN_KILLS - kills)):
            resume = ["--resume"] if (killed / "config.json").exists() else []
            done = len(records(killed)) * 20 / 300
            child = Child([*args, "--out", killed, *resume], child_env, sign=HEADER)
            child.wait_ready()
            if kill_at(child.process, rng.uniform(0.0, seconds * max(1.0 - done, 0.3))):
                kills += 1
                landed_at.append(len(records(killed)))
            else:
                finished_first += 1
                break
        resume = ["--resume"] if (killed / "config.json").exists() else []
        assert main([*args, "--out", str(killed), *resume]) == 0
        assert records(killed) == records(whole), f"{model}: the records differ from the uninterrupted run's"
        assert [r["step"] for r in records(killed)] == list(range(20, 301, 20))
        assert comparable(killed) == comparable(whole)
        run_number += 1
    record_property("kills", kills)
    record_property("runs", run_number)
    record_property("finished_before_the_kill", finished_first)
    record_property("evaluations_logged_at_each_kill", landed_at)


SWEEP = """name = "killed"
models = ["rnn", "gru"]
tasks = ["adding"]
lengths = [10]
seeds = 2
max_steps = 200
[train]
eval_every = 20
batch_size = 8
stop_when_solved = false
[model]
hidden_size = 8
[task_options.adding]
test_size = 32
"""


def store_rows(folder: Path) -> list[tuple]:
    db = sqlite3.connect(folder / "sweep.sqlite")
    try:
        return db.execute("SELECT run_id, status, metrics, steps FROM runs ORDER BY position").fetchall()
    finally:
        db.close()


def kill_a_sweep(tmp_path: Path, env: dict[str, str], kills_wanted: int, seed: int, extra: list[str],
                 after_kill=lambda: None) -> dict:
    """Kill `rnnlab compare` `kills_wanted` times at random moments (resuming after each), finish it in this
    process and compare it with the same sweep run without interruption."""
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    config = load_sweep(sweep_file)
    reference = run_sweep(config, tmp_path / "whole", workers=0)
    rng = random.Random(seed)
    kills, finished_first, attempts = 0, 0, 0
    folder = tmp_path / "killed-0"
    argv = ["compare", sweep_file, "--out", folder, *extra]
    # From the moment the store exists (the sweep has read its file and taken its lock) to the end of the command.
    seconds = reference_seconds(["compare", sweep_file, "--out", tmp_path / "timed", *extra], env,
                                appears=tmp_path / "timed" / "sweep.sqlite")
    while kills < kills_wanted:
        resume = ["--resume"] if (folder / "sweep.sqlite").exists() else []
        child = Child([*argv, *resume], env, appears=folder / "sweep.sqlite")
        child.wait_ready()
        if kill_at(child.process, rng.uniform(0.0, seconds)):
            kills += 1
            after_kill()
        else:  # it finished: check it, and go on killing a fresh sweep
            finished_first += 1
            check_sweep(folder, reference)
            attempts += 1
            folder = tmp_path / f"killed-{attempts}"
            argv = ["compare", sweep_file, "--out", folder, *extra]
    resume = ["--resume"] if (folder / "sweep.sqlite").exists() else []
    assert main([*map(str, argv), *resume]) == 0
    check_sweep(folder, reference)
    return {"kills": kills, "finished_before_the_kill": finished_first, "sweeps": attempts + 1}


def check_sweep(folder: Path, reference) -> None:
    rows = store_rows(folder)
    assert [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows] == [
        (row.run_id, row.status, row.metrics, row.steps) for row in reference]
    db = sqlite3.connect(folder / "sweep.sqlite")
    try:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT run_id) FROM runs").fetchone() == (4, 4)
    finally:
        db.close()
    for row in reference:
        steps = [json.loads(line)["step"] for line in (folder / "runs" / row.run_id / "metrics.jsonl").read_text()
                 .splitlines()]
        assert steps == list(range(20, 201, 20)), f"{row.run_id}: {steps}"


def test_ten_sigkills_of_compare_on_a_local_pool(tmp_path, child_env, record_property, monkeypatch):
    monkeypatch.chdir(tmp_path)
    figures = kill_a_sweep(tmp_path, child_env, POOL_KILLS, seed=7, extra=["--workers", "2"])
    for name, value in figures.items():
        record_property(name, value)


def test_ten_sigkills_of_compare_on_a_dask_cluster(tmp_path, child_env, record_property, monkeypatch):
    """The cluster: a scheduler and two worker processes of one thread on loopback, as `dask scheduler` and `dask
    worker --nthreads 1` start them. Dask cannot stop a run a worker has begun, so after each kill the test lets the
    workers finish what they hold before resuming the sweep, as the runner's documentation tells its users."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        waited = []

        def until_idle() -> None:
            """Until no worker holds a task: the killed sweep's run, which Dask cannot stop, has ended."""
            begun = time.monotonic()
            while any(client.run(lambda dask_worker: len(dask_worker.state.tasks)).values()):
                assert time.monotonic() - begun < HANG_SECONDS, "a worker kept its task"
                threading.Event().wait(0.2)
            waited.append(round(time.monotonic() - begun, 1))

        figures = kill_a_sweep(tmp_path, child_env, DASK_KILLS, seed=11,
                               extra=["--scheduler", cluster.scheduler_address], after_kill=until_idle)
    figures["seconds_waited_for_idle_workers"] = waited
    for name, value in figures.items():
        record_property(name, value)
