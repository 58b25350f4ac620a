"""Collecting a sweep (compare/sweeps/collect.py): each finished or failed store row, with its run folder's learning
curve, becomes the RunResult the report reads. The references are the store's rows, each run's own
metrics.jsonl (read by RunFolder) and the task registry."""

import math
import shutil
import sqlite3
from pathlib import Path

import pytest

from rnnlab.compare.report.sweep import report_sweep
from rnnlab.compare.sweeps import one_run
from rnnlab.compare.sweeps.collect import budget_notes, collect, read_store
from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.store import ResultsStore
from rnnlab.data.tasks.adding import BASELINE_MSE
from rnnlab.train.run import RunFolder

CONFIG = SweepConfig("tiny", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=1, budget=400, max_steps=10,
                     train={"eval_every": 5, "batch_size": 4, "stop_when_solved": False},
                     task_options={"adding": {"test_size": 16}})


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sweep of 2 runs, trained in this process; tests copy it before changing anything."""
    folder = tmp_path_factory.mktemp("sweep")
    run_sweep(CONFIG, folder, workers=0)
    return folder


def test_each_row_becomes_a_result_with_its_learning_curve(sweep: Path) -> None:
    """Reference: the store's rows, each run's metrics.jsonl, and the adding task's registry entry
    (metric mse, lower is better, baseline 1/6, solved below its config's solved_mse = 0.01)."""
    rows = read_store(sweep).rows
    runs = collect(sweep)
    assert [(run.model, run.seed, run.length) for run in runs] == [(row.model, row.seed, row.length) for row in rows]
    for run, row in zip(runs, rows):
        records = RunFolder(sweep / "runs" / row.run_id).records()
        assert run.learning_curve == tuple((r.step, r.metrics["mse"]) for r in records)
        assert [step for step, _ in run.learning_curve] == [5, 10]
        assert row.metrics is not None
        assert run.final_metric == row.metrics["final"]["mse"] == records[-1].metrics["mse"]
        assert run.best_metric == row.metrics["best"]
        assert (run.metric, run.lower_is_better, run.baseline, run.threshold) == ("mse", True, BASELINE_MSE, 0.01)
        assert (run.status, run.parameters, run.seconds, run.throughput) == (
            row.status, row.parameters, row.seconds, row.throughput)
        assert run.parameters <= 400 and run.throughput is not None and run.throughput > 0


def test_the_notes_state_the_budgets_every_model_had(sweep: Path) -> None:
    """Reference: the sweep config (budget 400 parameters, 10 steps) and the parameters the store recorded."""
    stored = read_store(sweep)
    notes = budget_notes(stored)
    assert notes[0].startswith("Equal parameter budget: at most 400 parameters per model")
    for row in stored.rows:
        assert f"H={row.hidden_size} ({row.parameters:,} parameters)" in notes[0]
    assert notes[1].startswith("Equal training budget: at most 10 steps per run")
    assert "2 of 2 runs reported" in notes[2]


def test_a_missing_or_unreadable_run_folder_costs_only_the_curve(sweep: Path, tmp_path: Path) -> None:
    """Reference: the untouched sweep: every other field of both results is unchanged."""
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    first, second = read_store(copy).rows
    shutil.rmtree(copy / "runs" / first.run_id)
    (copy / "runs" / second.run_id / "metrics.jsonl").write_bytes(b"\xff\xfe not text")
    damaged, intact = collect(copy), collect(sweep)
    assert [run.learning_curve for run in damaged] == [(), ()]
    for run, reference in zip(damaged, intact):
        assert run.__dict__ | {"learning_curve": ()} == reference.__dict__ | {"learning_curve": ()}


def test_failed_runs_are_kept_and_unfinished_ones_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reference: results.RunResult: a failed run has status "failed" and a NaN metric; queued and running
    rows have no result yet."""
    def refuse(experiment, folder, **_):
        raise RuntimeError("no memory left")

    monkeypatch.setattr(one_run, "run_experiment", refuse)
    run_sweep(CONFIG, tmp_path / "failed", workers=0)
    runs = collect(tmp_path / "failed")
    assert [(run.model, run.status, run.learning_curve) for run in runs] == [("rnn", "failed", ()),
                                                                             ("lstm", "failed", ())]
    assert all(math.isnan(run.final_metric) and math.isnan(run.seconds) for run in runs)
    assert "2 runs failed and count as not solved" in " ".join(budget_notes(read_store(tmp_path / "failed")))

    queued = tmp_path / "queued"
    queued.mkdir()
    with ResultsStore(queued / "sweep.sqlite", CONFIG.name, CONFIG.digest(), config=CONFIG.to_json()) as store:
        store.add_planned(expand(CONFIG))
    assert collect(queued) == []
    with pytest.raises(ValueError, match="no run of sweep 'tiny' has finished yet; nothing to report"):
        report_sweep(queued)


def test_a_folder_without_a_store_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"holds no sweep: it has no sweep\.sqlite"):
        collect(tmp_path)
    (tmp_path / "sweep.sqlite").write_text("not a database " * 100)
    with pytest.raises(ValueError, match="is not a results store"):
        collect(tmp_path)
    (tmp_path / "sweep.sqlite").unlink()
    sqlite3.connect(tmp_path / "sweep.sqlite").execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(ValueError, match="is not a results store"):
        collect(tmp_path)


def test_a_run_with_held_out_test_metrics_is_compared_on_them(sweep: Path) -> None:
    """Real data sets (task config field `split`) record `test` metrics from the test split after training on
    validation; the report's final metric is then the test-split one, not the last validation evaluation."""
    from dataclasses import replace

    from rnnlab.compare.sweeps.collect import to_result

    row = read_store(sweep).rows[0]
    assert row.metrics is not None
    held_out = replace(row, metrics=row.metrics | {"test": {"mse": 0.125}})
    assert to_result(held_out, sweep).final_metric == 0.125
    assert to_result(row, sweep).final_metric == row.metrics["final"]["mse"]
