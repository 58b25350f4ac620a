"""A suite's plan: its sweeps and runs, and what they will cost, said before anything runs.

    plan = plan_suite("rnn-vs-lstm", "full"); plan.expected_seconds(), plan.describe()
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rnnlab.bench.cases import CELLS
from rnnlab.compare.results import length_name, model_name
from rnnlab.compare.suites.profiles import SUITES, SuiteProfile
from rnnlab.compare.sweeps.config import RunPlan, SweepConfig, expand
from rnnlab.compare.sweeps.runner import DEFAULT_WORKERS
from rnnlab.models.registry import traits

BENCH_GEMM_SIZE = 256  # the bench harness's GEMM yardstick; the report does not use it, so a small one
# What a run costs besides its training time, for the worst-case plan. Measured on this 2-core machine
# (2 workers × 1 thread, 22 runs of 25 s, November 2026): from claim to record a run took at most 11.6%
# longer than its training time (evaluations every 200 steps, building, checkpoints), worst for the fast
# steps of a small RNN; a worker pool started within the slack of its first runs.
EVAL_SHARE = 0.12
RUN_OVERHEAD_S = 1.0  # handing a run to a worker, between runs
POOL_START_S = 3.0
# The measurements after the sweeps, per unit of work (same machine): the bench harness about 1 s per
# model and shape at 3 rounds of 20 ms; the clipping experiment about 6 ms per SGD step at T=100; the
# rest (gradient probes, figures, the report) about 20 s.
BENCH_SHAPE_S = 1.0
EXPLODE_STEP_S = 0.006
FIXED_MEASURE_S = 20.0

@dataclass(frozen=True)
class SuitePlan:
    suite: str
    profile: SuiteProfile
    sweeps: tuple[SweepConfig, ...]  # one per task part, in order
    runs: tuple[tuple[RunPlan, ...], ...]  # each sweep's runs

    @property
    def workers(self) -> int:
        return DEFAULT_WORKERS if self.profile.workers is None else self.profile.workers

    @property
    def total_runs(self) -> int:
        return sum(len(runs) for runs in self.runs)

    def measure_seconds(self) -> float:
        """The measurements after the sweeps, from their work and the per-unit times above."""
        p = self.profile
        benched = [model for model in p.models if model in CELLS]
        settings = len(benched) * sum(len(part.lengths) for part in p.parts)
        generation = sum(1 if traits(model).recurrent else len(p.parts[0].lengths) for model in benched)
        return (BENCH_SHAPE_S * (settings + generation) + EXPLODE_STEP_S * 2 * p.seeds * p.explode_steps
                + FIXED_MEASURE_S)

    def expected_seconds(self) -> float:
        """Runs × time budget / workers, plus the measurements: most runs that solve stop earlier."""
        slots = max(self.workers, 1)
        return sum(len(runs) * part.max_seconds for runs, part in zip(self.runs, self.profile.parts)) / slots \
            + self.measure_seconds()

    def worst_case_seconds(self) -> float:
        """Every run spends its whole budget plus evaluation and overhead; runs go to free workers in turn,
        so a sweep of n runs of at most t seconds on w workers ends within ⌈n / w⌉ · t."""
        total = self.measure_seconds()
        for runs, part in zip(self.runs, self.profile.parts):
            per_run = part.max_seconds * (1 + EVAL_SHARE) + RUN_OVERHEAD_S
            total += POOL_START_S + math.ceil(len(runs) / max(self.workers, 1)) * per_run
        return total

    def describe(self) -> str:
        """The plan in a sentence, its expected and worst-case time included: said before anything runs."""
        parts = "; ".join(f"{part.task} at {', '.join(length_name(part.task, n) for n in part.lengths)} "
                          f"({len(runs)} runs of at most {part.max_seconds:g} s)"
                          for runs, part in zip(self.runs, self.profile.parts))
        where = "in this process" if self.workers == 0 else f"on {self.workers} worker{'s' * (self.workers > 1)}"
        return (f"Suite {self.suite}, profile {self.profile.name}: {', '.join(map(model_name, self.profile.models))}"
                f", {self.profile.seeds} seed{'s' if self.profile.seeds > 1 else ''}; {parts}. {self.total_runs} "
                f"runs {where}: expected time "
                f"{duration(self.expected_seconds())} (runs × time budget / workers, plus the measurements), "
                f"{duration(self.worst_case_seconds())} at most.")


def plan_suite(name: str, profile: str) -> SuitePlan:
    """The sweeps a suite runs under a profile; ValueError for an unknown suite or profile."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; choose one of {', '.join(SUITES)}")
    if profile not in SUITES[name]:
        raise ValueError(f"suite {name}: unknown profile {profile!r}; choose one of {', '.join(SUITES[name])}")
    chosen = SUITES[name][profile]
    sweeps = tuple(SweepConfig(
        f"{name}-{chosen.name}-{part.task}", chosen.models, (part.task,), lengths=part.lengths, seeds=chosen.seeds,
        budget=part.budget(), max_steps=chosen.max_steps, max_seconds=part.max_seconds,
        train={"eval_every": part.eval_every}) for part in chosen.parts)
    return SuitePlan(name, chosen, sweeps, tuple(tuple(expand(sweep)) for sweep in sweeps))


def duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "2 h 07 min"."""
    seconds = max(0, round(seconds))
    if seconds < 3600:
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"

