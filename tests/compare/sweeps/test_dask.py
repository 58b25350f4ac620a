"""Sweeps on a Dask cluster (compare/sweeps/runner.py, `scheduler=`): the same runs and rows as in this process, each
recorded once; a scheduler that cannot be used is one clear error before anything is written."""

import dataclasses
import re
import socket
import sqlite3
import sys
from pathlib import Path

import pytest

from rnnlab.compare.sweeps import executors, one_run
from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.store import ResultsStore

CONFIG = SweepConfig("tiny", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=1, max_steps=10,
                     train={"eval_every": 5, "batch_size": 4, "stop_when_solved": False},
                     model={"hidden_size": 8}, task_options={"adding": {"test_size": 16}})


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 0.5)  # how long it tries; what it says must not depend on it
    address = f"tcp://127.0.0.1:{closed_port()}"
    # Timed out while connecting (OSError) or while starting the client (TimeoutError): which one depends on how
    # busy the machine is, and either is one line.
    said = re.escape(f"cannot reach the Dask scheduler {address}: ") + "(OSError|TimeoutError): "
    with pytest.raises(ValueError, match=said) as error:
        run_sweep(CONFIG, tmp_path / "sweep", scheduler=address)
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler not an address::"):
        run_sweep(CONFIG, tmp_path / "sweep", scheduler="not an address::")
    assert not (tmp_path / "sweep").exists()


def test_without_dask_the_error_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    with pytest.raises(ValueError, match=r"pip install 'rnnlab\[dask\]'"):
        run_sweep(CONFIG, tmp_path / "sweep", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="give workers or a scheduler, not both"):
        run_sweep(CONFIG, tmp_path / "sweep", workers=1, scheduler="tcp://127.0.0.1:8786")
    assert not (tmp_path / "sweep").exists()


@pytest.fixture(scope="module")
def scheduler():
    """A Dask cluster on loopback: one worker process with one thread, as `dask worker --nthreads 1` starts."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_sweep_on_a_local_cluster_records_each_run_once(tmp_path: Path, scheduler: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Reference: the same sweep run in this process (workers=0): the same run ids, statuses and metrics,
    bit for bit. The runs trained in the cluster's worker process (training here would raise); a resume
    runs nothing."""
    def not_here(*args, **kwargs):
        raise AssertionError("trained in the sweep's own process")

    progress: list[tuple[int, int]] = []
    with monkeypatch.context() as patch:
        patch.setattr(one_run, "run_experiment", not_here)
        rows = run_sweep(CONFIG, tmp_path / "cluster", scheduler=scheduler,
                         on_progress=lambda done, total, eta, row: progress.append((done, total)))
    here = run_sweep(CONFIG, tmp_path / "here", workers=0)
    assert [row.run_id for row in rows] == [row.run_id for row in here] == [plan.run_id for plan in expand(CONFIG)]
    for row, reference in zip(rows, here):
        assert row.done and (row.status, row.metrics, row.steps) == (reference.status, reference.metrics,
                                                                      reference.steps)
        assert row.throughput is not None and row.throughput > 0
        assert (tmp_path / "cluster" / str(row.artifacts) / "result.json").exists()
    assert progress == [(1, 2), (2, 2)]
    query = "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM runs"
    assert sqlite3.connect(tmp_path / "cluster" / "sweep.sqlite").execute(query).fetchone() == (2, 2)

    again = run_sweep(CONFIG, tmp_path / "cluster", resume=True, scheduler=scheduler)
    assert again == rows  # nothing left to run: the finished rows, untouched

    more = dataclasses.replace(CONFIG, models=("rnn", "lstm", "gru"))
    with pytest.raises(ValueError, match="holds sweep 'tiny'"):  # the same folder rules as a local sweep
        run_sweep(more, tmp_path / "cluster", resume=True, scheduler=scheduler)


def test_a_run_that_raises_on_a_worker_is_marked_failed_and_the_rest_go_on(tmp_path: Path, scheduler: str) -> None:
    """Reference: the local runner's rule (test_runner.py): a run that raises is failed with its error in one
    line, and the sweep goes on. Here the run's folder is a file, so RunFolder refuses it on the worker."""
    plans = expand(CONFIG)
    with ResultsStore(tmp_path / "sweep.sqlite", CONFIG.name, CONFIG.digest(), config=CONFIG.to_json()) as store:
        store.add_planned(plans)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / plans[0].run_id).write_text("in the way")
    rows = run_sweep(CONFIG, tmp_path, resume=True, scheduler=scheduler)
    assert rows[0].status == "failed" and rows[1].done
    assert rows[0].error == f"ValueError: {tmp_path.resolve() / 'runs' / plans[0].run_id} exists and is not a folder"
