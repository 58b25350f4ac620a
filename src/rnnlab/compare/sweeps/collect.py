"""From a sweep's folder to the report's input: one `RunResult` per finished or failed run.

    runs = collect(Path("sweeps/adding"))           # the store's rows, each with its run folder's curve

A row says what a run was and what it measured (store.py); its run folder adds the learning curve
(metrics.jsonl) and the task its metric, baseline and threshold. Queued and running rows have no result
yet and are left out; failed rows are kept (they count as not solved). A run folder that is missing or
unreadable costs that run its curve, nothing else. The store is opened read-only: reporting on a sweep,
even one that is running, never changes it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.compare.results import STATUSES, RunResult, length_name, model_name
from rnnlab.compare.sweeps.runner import RUNS, STORE
from rnnlab.compare.sweeps.store import RunRow
from rnnlab.compare.sweeps.store_errors import check_integrity, store_error
from rnnlab.data.tasks.base import Task, ThresholdTask
from rnnlab.data.tasks.registry import make_task, task_entry

FAILURES_NAMED = 3  # failed runs named in the report's notes; the rest are counted


@dataclass(frozen=True)
class StoredSweep:
    name: str
    config: dict[str, Any]  # SweepConfig.to_json()
    rows: list[RunRow]  # the runs the report compares, in plan order
    tuning_rows: list[RunRow] = field(default_factory=list)  # the tuning candidates' runs (sweeps/tuning.py)


def read_store(folder: Path) -> StoredSweep:
    """The sweep `folder` holds, read without writing; ValueError when it holds none."""
    path = folder / STORE
    if not path.is_file():
        raise ValueError(f"{folder} holds no sweep: it has no {STORE}")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ValueError(f"{path}: cannot open it: {error}") from None
    db.row_factory = sqlite3.Row
    try:
        check_integrity(db, path)
        sweep = db.execute("SELECT name, config FROM sweep").fetchone()
        if sweep is None:
            raise ValueError(f"{path} holds no sweep yet")
        rows = [RunRow.from_sql(row) for row in db.execute("SELECT * FROM runs ORDER BY position")]
        return StoredSweep(sweep["name"], json.loads(sweep["config"]),
                           [row for row in rows if row.config.get("phase", "eval") == "eval"],
                           [row for row in rows if row.config.get("phase") == "tune"])
    except sqlite3.Error as error:
        raise store_error(path, error) from None
    finally:
        db.close()


def collect(folder: Path) -> list[RunResult]:
    """The finished and failed runs of the sweep in `folder`, in plan order, with their learning curves."""
    return results(read_store(folder), folder)


def results(sweep: StoredSweep, folder: Path) -> list[RunResult]:
    tasks: dict[str, Task] = {}
    return [to_result(row, folder, tasks) for row in sweep.rows if row.status in STATUSES]


def to_result(row: RunRow, folder: Path, tasks: dict[str, Task] | None = None) -> RunResult:
    """One finished or failed row as a RunResult; `folder` is the sweep's, `tasks` a cache of built tasks."""
    if row.status not in STATUSES:
        raise ValueError(f"run {row.run_id} is {row.status}: it has no result yet")
    entry = task_entry(row.task)
    metrics = row.metrics or {}
    train = row.config.get("spec", {}).get("train", {})
    # Real data sets pick nothing on their test split while training (they evaluate on validation); their
    # final weights' test-split metrics are what the report compares, with the baseline on the same split.
    held_out = metrics.get("test")
    task = _task(row, {} if tasks is None else tasks, "test" if held_out else None)
    threshold = _threshold(task)
    return RunResult(
        task=row.task, length=row.length, model=row.model, seed=row.seed, parameters=row.parameters,
        status=row.status, final_metric=_number((held_out or metrics.get("final", {})).get(entry.metric)),
        best_metric=_number(metrics.get("best")), metric=entry.metric, lower_is_better=entry.lower_is_better,
        seconds=_number(row.seconds), seconds_to_solve=row.seconds_to_solve,
        steps_to_solve=metrics.get("solved_at_step"),
        throughput=row.throughput, inference_latency_ms=row.inference_latency_ms,
        peak_memory_mb=row.peak_memory_mb, baseline=task.baseline.get(entry.metric),
        learning_curve=learning_curve(run_folder(row, folder) / "metrics.jsonl", entry.metric), threshold=threshold,
        steps=row.steps, batch_size=train.get("batch_size"), lr=train.get("lr"),
        stop_reason=metrics.get("stop_reason"), still_improving=bool(metrics.get("still_improving")),
        baselines=_baselines(metrics.get("baselines"), entry.metric),
    )


def _baselines(stored: Any, metric: str) -> tuple[tuple[str, float], ...]:
    """A run's classical baselines on the task's metric, from its summary's {name: {metric: value}} (real data
    sets score them on the test split when training ends); () when it has none."""
    if not isinstance(stored, dict):
        return ()
    return tuple((name, float(values[metric])) for name, values in stored.items()
                 if isinstance(values, dict) and isinstance(values.get(metric), int | float))


def run_folder(row: RunRow, folder: Path) -> Path:
    """Where a run's artifacts are: as the store says (relative to the sweep's folder), else FOLDER/runs/ID."""
    return folder / row.artifacts if row.artifacts else folder / RUNS / row.run_id


def learning_curve(metrics_file: Path, metric: str) -> tuple[tuple[int, float], ...]:
    """(step, metric) at each evaluation logged in a run's metrics.jsonl; () when it cannot be read.
    A line that is not a record (cut short by a kill) is skipped."""
    try:
        lines = metrics_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ()
    curve = []
    for line in lines:
        try:
            record = json.loads(line)
            curve.append((int(record["step"]), float(record["metrics"][metric])))
        except (ValueError, TypeError, KeyError):
            continue
    return tuple(curve)


def _task(row: RunRow, cache: dict[str, Task], split: str | None = None) -> Task:
    """The run's task as its config was saved (task options included), else at its length with defaults;
    with `split`, on that split of its data set."""
    saved = row.config.get("spec", {}).get("task_config")
    if split is not None and isinstance(saved, dict) and "split" in saved:
        saved = saved | {"split": split}
    key = json.dumps([row.task, row.length, saved], sort_keys=True)
    if key not in cache:
        entry = task_entry(row.task)
        try:
            cache[key] = entry.build(entry.config(**saved))
        except (TypeError, ValueError):  # no saved config, or one this version no longer reads
            cache[key] = make_task(row.task, row.length)
    return cache[key]


def _threshold(task: Task) -> float | None:
    """The number `solved` compares the task's metric with, when there is one (data/tasks/base.py)."""
    return task.solved_threshold if isinstance(task, ThresholdTask) else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan


def budget_notes(sweep: StoredSweep) -> list[str]:
    """What every model was given, stated at the top of the report: parameters per model, the steps and
    training time per run, the seeds; and which runs are missing from the report, and why."""
    notes = []
    finished = [row for row in sweep.rows if row.status in STATUSES]
    budget = sweep.config.get("budget")
    sizes = []
    for task in dict.fromkeys(row.task for row in sweep.rows):
        mine = [row for row in sweep.rows if row.task == task]
        models = ", ".join(f"{model_name(model)} " + _sizes([row for row in mine if row.model == model])
                           for model in dict.fromkeys(row.model for row in mine))
        sizes.append(f"{task}: {models}")
    if budget is not None:
        notes.append(f"Equal parameter budget: at most {budget:,} parameters per model, the hidden size solved per "
                     f"model and task; " + "; ".join(sizes) + ".")
    else:
        notes.append("No parameter budget: hidden sizes as configured; " + "; ".join(sizes) + ".")
    notes.append(_training_budget(sweep.rows))
    seeds = sorted({row.seed for row in sweep.rows})
    notes.append(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''} per model and setting "
                 f"({', '.join(map(str, seeds))}); {len(finished)} of {len(sweep.rows)} runs reported.")
    failed = [row for row in sweep.rows if row.status == "failed"]
    if failed:
        named = "; ".join(f"{_setting(row)}: {row.error}" for row in failed[:FAILURES_NAMED])
        more = f"; and {len(failed) - FAILURES_NAMED} more" if len(failed) > FAILURES_NAMED else ""
        notes.append(f"{len(failed)} run{'s' if len(failed) != 1 else ''} failed and count as not solved: "
                     f"{named}{more}.")
    waiting = len(sweep.rows) - len(finished)
    if waiting:
        notes.append(f"{waiting} run{'s have' if waiting != 1 else ' has'} not finished (queued, or interrupted) and "
                     "are left out; resume the sweep to add them.")
    return notes


def _sizes(rows: Sequence[RunRow]) -> str:
    """"H=64 (17,537 parameters)", or "H=64 to 80 (17,537 to 21,000 parameters)" when lengths change them."""
    hidden = sorted({row.hidden_size for row in rows})
    parameters = sorted({row.parameters for row in rows})
    said_hidden = f"{hidden[0]}" + (f" to {hidden[-1]}" if len(hidden) > 1 else "")
    said_parameters = f"{parameters[0]:,}" + (f" to {parameters[-1]:,}" if len(parameters) > 1 else "")
    return f"H={said_hidden} ({said_parameters} parameters)"


def _training_budget(rows: Sequence[RunRow]) -> str:
    trains = [row.config.get("spec", {}).get("train", {}) for row in rows]
    steps = sorted({train.get("steps") for train in trains if train.get("steps") is not None})
    seconds = sorted({train.get("max_seconds") for train in trains if train.get("max_seconds") is not None})
    limits = []
    if steps:
        limits.append(f"{steps[-1]:,} steps" if len(steps) == 1 else f"{steps[0]:,} to {steps[-1]:,} steps")
    if seconds:
        limits.append(f"{seconds[-1]:g} s of training" if len(seconds) == 1
                      else f"{seconds[0]:g} to {seconds[-1]:g} s of training")
    said = f"Equal training budget: at most {' and '.join(limits)} per run (evaluation time excluded)"
    if trains and all(train.get("stop_when_solved", True) for train in trains):
        said += "; a run stops early once it solves its task"
    spent = [row.seconds for row in rows if row.seconds is not None and row.status in STATUSES]
    if spent:
        said += f"; runs trained for {statistics.median(spent):.3g} s (median), {max(spent):.3g} s at most"
    return said + "."


def _setting(row: RunRow) -> str:
    where = length_name(row.task, row.length)
    return f"{row.task}{' ' + where if where else ''}, {model_name(row.model)}, seed {row.seed}"
