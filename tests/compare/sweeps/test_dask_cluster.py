"""Sweeps on a real Dask cluster (compare/sweeps/runner.py): `dask scheduler` and two `dask worker` processes on
127.0.0.1, started as a user starts them, one worker killed with SIGKILL mid-sweep. The sweep must end with
every run in the store exactly once, none lost, none repeated, each with the metrics it has in this process.

Slow: the workers import torch before the sweep starts, and each run trains for seconds (about 100 s a test on
a busy 2-core machine). test_dask.py runs the same code path fast, on a LocalCluster in this process's tree."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.store import RunRow

SOURCE = Path(__file__).parents[3] / "src"
# Each run is long enough (a few seconds) for a worker to be killed while it trains; the four runs of the
# kill test keep two workers busy while one of them dies.
CONFIG = SweepConfig("cluster", ("rnn", "lstm"), ("adding",), lengths=(10,), seeds=2, max_steps=400,
                     train={"eval_every": 50, "batch_size": 8, "stop_when_solved": False},
                     model={"hidden_size": 16}, task_options={"adding": {"test_size": 64}})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment() -> dict[str, str]:
    """The tree under test first on the path, as an installed rnnlab would be on a worker."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")])))


def start(*command: str, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen([sys.executable, "-m", *command], stdout=output, stderr=subprocess.STDOUT,
                                env=environment() | extra, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill `process` and what it started (its session), and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Cluster:
    """A scheduler and two single-threaded workers on 127.0.0.1, each a process started as the README says
    (`dask worker` keeps its worker in a child process, under a nanny; `nanny=False` trains in the process
    started). `allowed_failures`: how many dead workers a run may take before Dask gives up on it."""

    def __init__(self, folder: Path, nanny: bool = True, allowed_failures: int = 3) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", port,
                               "--no-dashboard", log=folder / "scheduler.log",
                               DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures))
        self.workers = [start("distributed.cli.dask_worker", self.address, "--nthreads", "1",
                              "--nanny" if nanny else "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
                              "--name", f"worker-{i}", log=folder / f"worker-{i}.log") for i in range(2)]

    def wait_for_workers(self, count: int, timeout: float = 180) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=timeout)

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            stop(process)


@contextlib.contextmanager
def cluster(folder: Path, **options: Any) -> Iterator[Cluster]:
    pytest.importorskip("distributed")
    running = Cluster(folder, **options)
    try:
        running.wait_for_workers(2)
        yield running
    finally:
        running.close()


def kill_a_worker_mid_run(cluster: Cluster, sweep: Path, killed: list[int]) -> None:
    """Once every worker trains a run and one run has a checkpoint, SIGKILL the process a user started for
    one of the busy workers (the nanny and, through it, its worker; or the worker itself without a nanny)."""
    from distributed import Client

    with Client(cluster.address, timeout=60, set_as_default=False) as client:
        pids, parents = client.run(os.getpid), client.run(os.getppid)  # worker address -> its pid, its parent's
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            busy = sorted(address for address, keys in client.processing().items() if keys)
            if len(busy) == 2 and list(sweep.glob("runs/*/checkpoints/latest")):
                victim = next(p for p in cluster.workers if p.pid in (pids[busy[0]], parents[busy[0]]))
                killed.append(victim.pid)
                os.kill(victim.pid, signal.SIGKILL)
                return
            time.sleep(0.05)


def sweep_killing_a_worker(cluster: Cluster, sweep: Path) -> list[RunRow]:
    """The sweep on `cluster`, one of its workers killed mid-run; its rows."""
    killed: list[int] = []
    killer = threading.Thread(target=kill_a_worker_mid_run, args=(cluster, sweep, killed))
    killer.start()
    try:
        rows = run_sweep(CONFIG, sweep, scheduler=cluster.address)
    finally:
        killer.join()
    assert killed, "no worker was killed: the sweep finished first"
    return rows


def assert_each_run_once(sweep: Path, rows: list[RunRow], reference: list[RunRow]) -> None:
    """Every planned run done, once in the store, every evaluation once in its log, with the reference's
    metrics (a run trained again from its checkpoint ends as it would have)."""
    plans = expand(CONFIG)
    assert [row.run_id for row in rows] == [plan.run_id for plan in plans]
    assert all(row.done for row in rows), [(row.run_id, row.status, row.error) for row in rows]
    query = "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM runs"
    assert sqlite3.connect(sweep / "sweep.sqlite").execute(query).fetchone() == (len(plans), len(plans))
    for row, expected in zip(rows, reference):
        log = (sweep / str(row.artifacts) / "metrics.jsonl").read_text().splitlines()
        assert [json.loads(line)["step"] for line in log] == list(range(50, 401, 50)), row.run_id
        assert (row.status, row.metrics, row.steps) == (expected.status, expected.metrics, expected.steps)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_and_repeats_nothing(tmp_path: Path) -> None:
    """Reference: the same sweep run in this process (workers=0). One of two `dask worker` processes killed
    with SIGKILL while it trains a run: Dask runs that run again on the other worker, from the checkpoint it
    left, and the sweep ends with every run done exactly once, with the reference's metrics."""
    with cluster(tmp_path) as running:
        rows = sweep_killing_a_worker(running, tmp_path / "cluster")
        assert sum(worker.poll() is not None for worker in running.workers) == 1
    assert_each_run_once(tmp_path / "cluster", rows, run_sweep(CONFIG, tmp_path / "here", workers=0))


@pytest.mark.slow
def test_a_run_whose_worker_died_for_good_is_failed_and_a_resume_runs_it(tmp_path: Path) -> None:
    """Reference: the same sweep run in this process. With Dask allowed no failure (`allowed-failures` 0),
    killing the worker that trains a run gives up on that run: the sweep marks it failed, saying why in one
    line, and finishes the others; a resume on the surviving worker runs it from its checkpoint, and then
    every run is done exactly once, with the reference's metrics."""
    sweep = tmp_path / "cluster"
    with cluster(tmp_path, nanny=False, allowed_failures=0) as running:
        rows = sweep_killing_a_worker(running, sweep)
        [failed] = [row for row in rows if not row.done]
        assert failed.status == "failed" and failed.error is not None and "\n" not in failed.error
        assert failed.error.startswith("every Dask worker that ran it died (killed, or out of memory?); resume the "
                                       "sweep to run it again: KilledWorker: ")
        rows = run_sweep(CONFIG, sweep, resume=True, scheduler=running.address)
    assert_each_run_once(sweep, rows, run_sweep(CONFIG, tmp_path / "here", workers=0))
