"""The results store: round trip, WAL mode, one sweep per store, and finished rows that never change."""

import dataclasses
import math
import sqlite3

import pytest

from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.store import STATUSES, ResultsStore, RunRow
from rnnlab.train.records import EvalRecord, TrainResult
from rnnlab.train.run import summarise

CONFIG = SweepConfig("tiny", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=2, max_steps=10,
                     model={"hidden_size": 8})
PLANS = expand(CONFIG)


def record(step: int, mse: float, solved: bool) -> EvalRecord:
    return EvalRecord(step, seconds=step / 10, sequences=step * 4, train_loss=mse, grad_norm=1.0, lr=0.01,
                      metrics={"mse": mse}, solved=solved)


SOLVED = summarise(TrainResult([record(5, 0.05, False), record(10, 0.005, True)]), "mse", lower_is_better=True)
DIVERGED = summarise(TrainResult([record(5, math.nan, False)], diverged_at=5), "mse", lower_is_better=True)


def open_store(tmp_path, digest: str | None = None, **options) -> ResultsStore:
    return ResultsStore(tmp_path / "sweep.sqlite", CONFIG.name, digest or CONFIG.digest(), config=CONFIG.to_json(),
                        **options)


def test_round_trip(tmp_path):
    """Reference: the plans and summarise()'s summary of a hand-made training result, read back field by field."""
    with open_store(tmp_path) as store:
        assert store.add_planned(PLANS) == len(PLANS)
        assert store.sweep_config() == CONFIG.to_json()
        first = PLANS[0].run_id
        assert store.claim(first, pid=4321)
        assert store.row(first).status == "running" and store.row(first).worker_pid == 4321
        assert store.finish(first, SOLVED | {"parameters": PLANS[0].parameters}, artifacts=tmp_path / "runs" / first,
                            throughput=40.0)
        rows = store.rows()
    assert [row.run_id for row in rows] == [plan.run_id for plan in PLANS]  # plan order
    row = rows[0]
    assert isinstance(row, RunRow) and row.done
    assert (row.task, row.length, row.model, row.seed, row.hidden_size, row.parameters) == (
        "adding", 6, "rnn", 0, 8, PLANS[0].parameters)
    assert row.config == PLANS[0].config_json()
    assert (row.status, row.error, row.steps, row.seconds, row.seconds_to_solve, row.sequences_to_solve) == (
        "solved", None, 10, 1.0, 1.0, 40)
    assert row.metrics == {"metric": "mse", "best": 0.005, "final": {"mse": 0.005}, "solved_at_step": 10,
                           "diverged_at_step": None, "test": None,  # no test split: a generated task
                           "stop_reason": None, "still_improving": False, "baselines": None}
    assert (row.throughput, row.inference_latency_ms, row.peak_memory_mb) == (40.0, None, None)
    assert row.artifacts == f"runs/{first}"  # relative to the store's folder
    assert row.started is not None and row.finished is not None and row.started <= row.finished
    assert all(other.status == "queued" and other.metrics is None for other in rows[1:])


def test_wal_mode_and_counts(tmp_path):
    """Reference: SQLite's own answer to PRAGMA journal_mode, from another connection."""
    with open_store(tmp_path) as store:
        store.add_planned(PLANS)
        store.claim(PLANS[0].run_id, 1)
        store.fail(PLANS[1].run_id, "RuntimeError: boom\n  in line 3")
        store.claim(PLANS[2].run_id, 1)
        store.finish(PLANS[2].run_id, DIVERGED)
        assert store.counts() == dict.fromkeys(STATUSES, 0) | {"queued": 1, "running": 1, "failed": 1, "diverged": 1}
        assert store.unfinished() == [PLANS[0].run_id, PLANS[1].run_id, PLANS[3].run_id]
        assert store.row(PLANS[1].run_id).error == "RuntimeError: boom in line 3"  # one line
        diverged = store.row(PLANS[2].run_id)
        assert diverged.metrics is not None and diverged.metrics["best"] is None  # NaN stored as null
    assert sqlite3.connect(tmp_path / "sweep.sqlite").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_add_planned_leaves_existing_rows_alone(tmp_path):
    with open_store(tmp_path) as store:
        store.add_planned(PLANS[:2])
        store.claim(PLANS[0].run_id, 7)
        assert store.add_planned(PLANS) == 2
        assert [row.status for row in store.rows()] == ["running", "queued", "queued", "queued"]


def test_a_second_sweep_config_is_refused(tmp_path):
    """Reference: the rule "two sweeps never write into one store by accident"; overwrite clears it."""
    with open_store(tmp_path) as store:
        store.add_planned(PLANS)
    other = dataclasses.replace(CONFIG, seeds=3)
    with pytest.raises(ValueError) as raised:
        open_store(tmp_path, digest=other.digest())
    message = str(raised.value)
    assert "\n" not in message and "holds sweep 'tiny'" in message and other.digest() in message
    with open_store(tmp_path, digest=other.digest(), overwrite=True) as store:
        assert store.rows() == []
    with open_store(tmp_path, digest=other.digest()) as store:  # now it is that sweep's store
        assert store.counts()["queued"] == 0


def test_finished_rows_are_never_rewritten(tmp_path):
    with open_store(tmp_path) as store:
        store.add_planned(PLANS)
        run_id = PLANS[0].run_id
        store.claim(run_id, 1)
        store.finish(run_id, SOLVED)
        before = store.row(run_id)
        assert not store.claim(run_id, 2)
        assert not store.finish(run_id, DIVERGED)
        assert not store.fail(run_id, "late error")
        assert store.row(run_id) == before
        assert run_id not in store.unfinished()


def test_two_stores_on_one_file_both_write(tmp_path):
    """Two processes' view of one file: each sees the other's committed writes."""
    with open_store(tmp_path) as first, open_store(tmp_path) as second:
        first.add_planned(PLANS)
        assert second.claim(PLANS[0].run_id, 2)
        assert first.row(PLANS[0].run_id).worker_pid == 2


def test_bad_input_is_a_one_line_error(tmp_path):
    with open_store(tmp_path) as store:
        with pytest.raises(ValueError, match="has no run 'nope'"):
            store.claim("nope", 1)
        with pytest.raises(ValueError, match="a finished run is solved, not solved, diverged, not 'running'"):
            store.finish(PLANS[0].run_id, SOLVED | {"status": "running"})
    (tmp_path / "junk.sqlite").write_text("not a database, just text that is long enough " * 40)
    said = r"junk.sqlite is not a results store, or a damaged one \(file is not a database\); if it is this sweep's"
    with pytest.raises(ValueError, match=said):
        ResultsStore(tmp_path / "junk.sqlite", "tiny", "abc")
