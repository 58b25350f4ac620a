"""Each model tuned by the same procedure: candidates on a tuning seed, the best chosen on held-out data.

    plans = tuning_plans(config)                   # one run per (task, length, model, candidate)
    choices = choose(config, store.rows())         # setting_key -> Choice: what each model gets
    runs = expand(config, chosen_settings(choices))

For every task, length and model of a sweep, each combination of the [tune] table's values (e.g. four
learning rates) trains once on the sweep's tuning seed (`tune_seed`, never one of the seeds the report
compares) for `tune_steps` steps. A synthetic task scores it on the tuning seed's own held-out batch, a
real data set on its validation split: never on data a reported metric comes from. The rule, the same
for every model (Greff et al. 2017, "LSTM: A Search Space Odyssey", tune each architecture separately):

    1. candidates that diverged or failed are out; if every candidate diverged, the model is "diverged at
       tuning" at that setting and its runs there are recorded as diverged, without training;
    2. candidates that solved beat those that did not, and among them fewer steps to solve wins;
    3. otherwise the best held-out metric wins; an exact tie goes to the candidate listed first.

A table of choices is JSON (`write_table` / `read_table`): a suite ships one made by `rnnlab compare
--suite NAME --tune`, so that its quick profile needs no tuning time, and says where it came from.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rnnlab.compare.sweeps.config import RunPlan, SweepConfig, plan_run, setting_key
from rnnlab.compare.sweeps.store import RunRow
from rnnlab.data.tasks.registry import task_entry
from rnnlab.files import write_atomic

TABLE_FORMAT = 1


@dataclass(frozen=True)
class Candidate:
    settings: dict[str, Any]
    status: str  # solved, not solved, diverged, failed, or queued/running when tuning was interrupted
    best: float | None  # the best held-out value of the task's metric over the run's evaluations
    steps_to_solve: int | None
    steps: int | None  # steps trained
    seconds: float | None  # training time


@dataclass(frozen=True)
class Choice:
    task: str
    length: int | None
    model: str
    metric: str
    lower_is_better: bool
    settings: dict[str, Any] | None  # None: every candidate diverged ("diverged at tuning")
    candidates: tuple[Candidate, ...]

    @property
    def key(self) -> str:
        return setting_key(self.task, self.length, self.model)

    @property
    def diverged(self) -> bool:
        return self.settings is None


def candidates(config: SweepConfig) -> list[dict[str, Any]]:
    """Every combination of the [tune] table's values, keys in sorted order."""
    keys = sorted(config.tune)
    return [dict(zip(keys, values)) for values in itertools.product(*(config.tune[k] for k in keys))]


def tuning_plans(config: SweepConfig) -> list[RunPlan]:
    """The tuning runs, in order: task, length, model, candidate; none when the sweep does not tune or its
    choices are given (`tuned`)."""
    if not config.tune or config.tuned:
        return []
    return [plan_run(config, task, length, config.tune_seed, model, candidate, "tune", config.tune_steps)
            for task in config.tasks for length in config.lengths_for(task) for model in config.models
            for candidate in candidates(config)]


def _rank(candidate: Candidate, lower_is_better: bool) -> tuple[float, float, float]:
    solved = candidate.status == "solved"
    best = candidate.best if candidate.best is not None and math.isfinite(candidate.best) else math.inf
    return (0.0 if solved else 1.0, float(candidate.steps_to_solve or 0) if solved else 0.0,
            best if lower_is_better or best == math.inf else -best)


def pick(candidates_run: Sequence[Candidate], lower_is_better: bool) -> dict[str, Any] | None:
    """The rule in the module docstring; None when no candidate finished without diverging."""
    usable = [c for c in candidates_run if c.status in ("solved", "not solved")]
    if not usable:
        return None
    return min(usable, key=lambda c: _rank(c, lower_is_better)).settings  # min keeps the first of equals


def _candidate(row: RunRow) -> Candidate:
    metrics = row.metrics or {}
    return Candidate(dict(row.config.get("tuned", {})), row.status, metrics.get("best"),
                     metrics.get("solved_at_step"), row.steps, row.seconds)


def choose(config: SweepConfig, rows: Sequence[RunRow]) -> dict[str, Choice]:
    """The choice per setting from the tuning rows of a store (phase "tune"), in the sweep's order."""
    tuned_rows = [row for row in rows if row.config.get("phase") == "tune"]
    choices = {}
    for task in config.tasks:
        entry = task_entry(task)
        for length in config.lengths_for(task):
            for model in config.models:
                mine = tuple(_candidate(row) for row in tuned_rows
                             if (row.task, row.length, row.model) == (task, length, model))
                choices[setting_key(task, length, model)] = Choice(
                    task, length, model, entry.metric, entry.lower_is_better, pick(mine, entry.lower_is_better),
                    mine)
    return choices


def chosen_settings(choices: Mapping[str, Choice]) -> dict[str, dict[str, Any]]:
    """setting_key -> the chosen TrainConfig fields; settings where every candidate diverged are left out."""
    return {key: dict(choice.settings) for key, choice in choices.items() if choice.settings is not None}


def write_table(path: Path, choices: Mapping[str, Choice], provenance: Mapping[str, Any]) -> None:
    """The choices and every candidate's score as JSON, with where they came from (command, date, machine)."""
    data = {"format": TABLE_FORMAT, "provenance": dict(provenance),
            "choices": {key: asdict(choice) for key, choice in choices.items()}}
    write_atomic(path, json.dumps(data, indent=1, allow_nan=False, default=_no_nan) + "\n")


def _no_nan(value: object) -> object:
    raise TypeError(f"cannot write {value!r} to a tuned table")


def read_table(path: Path) -> tuple[dict[str, Choice], dict[str, Any]]:
    """(choices, provenance) from a table `write_table` wrote; ValueError naming the file if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != TABLE_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {TABLE_FORMAT}")
        choices = {}
        for key, item in data["choices"].items():
            item["candidates"] = tuple(Candidate(**c) for c in item["candidates"])
            choices[key] = Choice(**item)
        return choices, dict(data.get("provenance", {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: not a table of tuned settings ({error}); `rnnlab compare ... --resume` on its "
                         "sweep writes it again from the store") from None
