"""A suite's plan: its sweeps and runs, and what they will cost on this machine, said before anything runs.

    plan = plan_suite("rnn-vs-lstm", "quick", seed_offset=100)   # seeds 100, 101, 102
    plan.describe(step_seconds(plan))                             # times a few steps of each setting first

Budgets are in steps, so what a run costs in seconds depends on the machine: `step_seconds` times a few
training steps of every model at every setting (one torch thread, as the workers have), and the plan's
worst case is every run spending its whole budget on that clock.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from rnnlab.bench.cases import CELLS
from rnnlab.compare.results import length_name, model_name
from rnnlab.compare.suites.profiles import SUITES, SuiteProfile
from rnnlab.compare.sweeps.config import RunPlan, SweepConfig, expand, setting_key
from rnnlab.compare.sweeps.runner import DEFAULT_WORKERS
from rnnlab.compare.sweeps.tuning import Choice, chosen_settings, read_table, tuning_plans
from rnnlab.data.tasks.base import seeded
from rnnlab.models.registry import traits

# What a run costs besides its training steps (measured on this 2-core machine, 2 workers × 1 thread):
# evaluations, building, checkpoints and handing runs to workers add at most about 15 % to the steps' time.
EVAL_SHARE = 0.15
RUN_OVERHEAD_S = 1.0  # handing a run to a worker, between runs
POOL_START_S = 3.0
# The measurements after the sweeps, per unit of work (same machine): the bench harness about 1 s per
# model and shape at 3 rounds of 20 ms; the clipping experiment about 6 ms per SGD step at T=100; the
# rest (gradient probes, figures, the report) about 20 s.
BENCH_SHAPE_S = 1.0
EXPLODE_STEP_S = 0.006
FIXED_MEASURE_S = 20.0
TIMED_STEPS = 3  # training steps timed per setting by `step_seconds`, after one warm-up step

StepSeconds = Mapping[tuple[str, int | None, str], float]  # (task, length, model) -> seconds per training step


@dataclass(frozen=True)
class SuitePlan:
    suite: str
    profile: SuiteProfile
    sweeps: tuple[SweepConfig, ...]  # one per task part, in order
    runs: tuple[tuple[RunPlan, ...], ...]  # each sweep's compared runs (tuning: with the sweep's defaults)
    tuning: tuple[tuple[RunPlan, ...], ...]  # each sweep's tuning runs; empty when a shipped table is used
    table: Mapping[str, Choice]  # the shipped choices the runs use ({} when tuning now)
    provenance: Mapping[str, Any]  # where the shipped choices came from

    @property
    def workers(self) -> int:
        return DEFAULT_WORKERS if self.profile.workers is None else self.profile.workers

    @property
    def seeds(self) -> tuple[int, ...]:
        return self.sweeps[0].seed_values

    @property
    def total_runs(self) -> int:
        return sum(len(runs) for runs in self.runs) + sum(len(runs) for runs in self.tuning)

    def measure_seconds(self) -> float:
        """The measurements after the sweeps, from their work and the per-unit times above."""
        p = self.profile
        benched = [model for model in p.models if model in CELLS]
        settings = len(benched) * sum(len(part.lengths) or 1 for part in p.parts)
        generation = sum(1 if traits(model).recurrent else len(p.parts[0].lengths) for model in benched)
        return (BENCH_SHAPE_S * (settings + generation) + EXPLODE_STEP_S * 2 * p.explode_seeds * p.explode_steps
                + FIXED_MEASURE_S)

    def worst_case_seconds(self, step_times: StepSeconds) -> float:
        """Every run spends its whole step budget, at the measured time per step plus evaluation; runs go to
        free workers in turn, so a sweep ends within its total work / workers + its longest run."""
        total = self.measure_seconds()
        slots = max(self.workers, 1)
        for runs in (*self.tuning, *self.runs):
            times = [r.experiment.train.steps * step_times.get((r.task, r.length, r.model), 0.0) * (1 + EVAL_SHARE)
                     + RUN_OVERHEAD_S for r in runs]
            if times:
                total += POOL_START_S + sum(times) / slots + max(times)
        return total

    def describe(self, step_times: StepSeconds | None = None) -> str:
        """The plan in a sentence: what runs, on which seeds, with which settings, and at most how long."""
        p = self.profile
        parts = "; ".join(f"{part.task}" + (f" at {', '.join(length_name(part.task, n) for n in part.lengths)}"
                                             if part.lengths else "")
                          + f" ({len(runs)} runs of at most {part.max_steps:,} steps)"
                          for runs, part in zip(self.runs, p.parts))
        where = "in this process" if self.workers == 0 else f"on {self.workers} worker{'s' * (self.workers > 1)}"
        tuned = sum(len(runs) for runs in self.tuning)
        settings = (f"each model's learning rate tuned now ({tuned} tuning runs on seed {self.sweeps[0].tune_seed})"
                    if tuned else f"each model's learning rate from {self.provenance.get('file', 'the shipped table')}"
                    f" ({self.provenance.get('how', 'tuned')})")
        said = (f"Suite {self.suite}, profile {p.name}: {', '.join(map(model_name, p.models))}, seeds "
                f"{', '.join(map(str, self.seeds))}; {parts}; {settings}. {self.total_runs} runs {where}")
        if step_times is not None:
            said += f": at most {duration(self.worst_case_seconds(step_times))} on this machine"
        return said + "."


def _table(profile: SuiteProfile, tune: bool) -> tuple[dict[str, Choice], dict[str, Any]]:
    path = profile.tuned_path
    if tune or path is None or not path.is_file():
        return {}, {}
    choices, provenance = read_table(path)
    return choices, {**provenance, "file": f"rnnlab/compare/suites/tuned/{path.name}"}


def plan_suite(name: str, profile: str, seed_offset: int = 0, tune: bool = False) -> SuitePlan:
    """The sweeps a suite runs under a profile, on seeds offset, offset + 1, ...; with `tune`, each model's
    settings are tuned now instead of read from the profile's shipped table. ValueError for an unknown suite
    or profile, a negative offset, or a shipped table that misses a setting."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; choose one of {', '.join(SUITES)}")
    if profile not in SUITES[name]:
        raise ValueError(f"suite {name}: unknown profile {profile!r}; choose one of {', '.join(SUITES[name])}")
    if seed_offset < 0:
        raise ValueError(f"the seed offset must not be negative, got {seed_offset}")
    chosen = SUITES[name][profile]
    table, provenance = _table(chosen, tune)
    seeds = tuple(range(seed_offset, seed_offset + chosen.seeds))
    sweeps = []
    for part in chosen.parts:
        models = part.models or chosen.models
        keys = [setting_key(part.task, length, model) for length in part.lengths or (None,) for model in models]
        missing = [key for key in keys if key not in table]
        if table and missing:
            raise ValueError(f"{provenance['file']} has no tuned settings for {', '.join(missing)}; rerun with --tune")
        given = {key: settings for key, settings in chosen_settings(table).items() if key in keys}
        sweeps.append(SweepConfig(
            f"{name}-{chosen.name}-{part.task}", models, (part.task,), lengths=part.lengths, seeds=seeds,
            budget=part.budget(), max_steps=part.max_steps, tune_steps=part.tune_steps,
            train={"eval_every": part.eval_every, "plateau_evals": part.plateau_evals},
            task_options={part.task: dict(part.task_options)} if part.task_options else {},
            tune={} if table else dict(chosen.tune), tuned=given, stop_at_break=part.stop_at_break))
    return SuitePlan(name, chosen, tuple(sweeps), tuple(tuple(expand(sweep)) for sweep in sweeps),
                     tuple(tuple(tuning_plans(sweep)) for sweep in sweeps),
                     {k: v for k, v in table.items() if any(k.startswith(f"{s.tasks[0]}/") for s in sweeps)},
                     provenance)


def step_seconds(plan: SuitePlan) -> dict[tuple[str, int | None, str], float]:
    """Seconds per training step of each model at each setting of the plan, timed here with one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    times = {}
    try:
        for runs in plan.runs:
            for run in runs:
                key = (run.task, run.length, run.model)
                if key in times:
                    continue
                task, model = run.experiment.build()
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
                generator = seeded(run.seed, 99)
                elapsed = 0.0
                for step in range(TIMED_STEPS + 1):
                    batch = task.sample(run.experiment.train.batch_size, generator)
                    started = time.perf_counter()
                    outputs, _ = model(batch.inputs, None, batch.lengths)
                    optimizer.zero_grad()
                    task.loss(outputs, batch).backward()
                    optimizer.step()
                    elapsed += (time.perf_counter() - started) if step else 0.0
                times[key] = elapsed / TIMED_STEPS
    finally:
        torch.set_num_threads(before)
    return times


def duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "2 h 07 min"."""
    seconds = max(0, round(seconds))
    if seconds < 3600:
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
