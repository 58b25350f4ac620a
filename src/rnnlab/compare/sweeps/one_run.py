"""One run of a sweep, wherever it trains (sweeps/runner.py, sweeps/executors.py): claim it in the store, train it
into FOLDER/runs/RUN_ID (continuing from an earlier attempt's checkpoint) and record its summary, or its error in
one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rnnlab.compare.sweeps.config import RunPlan
from rnnlab.compare.sweeps.costs import run_costs
from rnnlab.compare.sweeps.store import ResultsStore
from rnnlab.train.checkpoint import latest_checkpoint
from rnnlab.train.experiment import run_experiment
from rnnlab.train.run import RunFolder

STORE = "sweep.sqlite"
RUNS = "runs"


def run_planned(plan: RunPlan, folder: Path, sweep_name: str, config_hash: str) -> None:
    """Claim, train and record one run (in a worker process); an exception in the run marks it failed."""
    with ResultsStore(folder / STORE, sweep_name, config_hash) as store:
        if not store.claim(plan.run_id, os.getpid()):
            return  # finished meanwhile
        try:
            summary = train_planned(plan, folder)
        except Exception as error:
            store.fail(plan.run_id, one_line(error))
            return
        record(store, plan, folder, summary)


def train_planned(plan: RunPlan, folder: Path) -> dict[str, Any]:
    """Train one run into FOLDER/runs/RUN_ID, from the checkpoint an earlier attempt left there if any;
    returns its summary. Touches no store: what a Dask worker runs."""
    run = RunFolder(folder / RUNS / plan.run_id)
    resume = run.holds_a_run() and latest_checkpoint(run.checkpoints) is not None
    return run_experiment(plan.experiment, run, resume=resume, overwrite=not resume).to_json() | run_costs(run)


def record(store: ResultsStore, plan: RunPlan, folder: Path, summary: dict[str, Any]) -> None:
    store.finish(plan.run_id, summary, artifacts=folder / RUNS / plan.run_id,
                 throughput=training_throughput(summary, plan.experiment.train.batch_size),
                 inference_latency_ms=summary.get("inference_latency_ms"), peak_memory_mb=summary.get("peak_memory_mb"))


def training_throughput(summary: dict[str, Any], batch_size: int) -> float | None:
    """Training sequences per second, from a run's summary (training time excludes evaluation)."""
    return summary["steps"] * batch_size / summary["seconds"] if summary["seconds"] > 0 else None


def one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())
