"""The built-in suites and their profiles: which tasks, lengths, models, seeds and budgets each runs.

    QUICK, FULL = SUITES["rnn-vs-lstm"]["quick"], SUITES["rnn-vs-lstm"]["full"]

A suite runs one sweep per task (each task has its own parameter budget: an adding model reads 2
features, a copy model embeds tokens), then the measurements a sweep cannot make (measure.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rnnlab.data.tasks.registry import task_entry
from rnnlab.models.registry import ModelConfig, build_model, count_parameters

MODELS = ("rnn", "lstm", "gru", "transformer")  # the models the claims are about

@dataclass(frozen=True)
class TaskPart:
    """One task of a suite: every model at every length, at one parameter and one time budget."""

    task: str
    lengths: tuple[int, ...]  # the task's difficulty knob (copy: the delay)
    budget_width: int  # the parameter budget is an LSTM of this hidden size; every model gets as many
    max_seconds: float  # training time per run, evaluation excluded
    eval_every: int = 200  # steps; evaluation time comes on top of max_seconds (see EVAL_SHARE)

    def budget(self) -> int:
        """Parameters per model: those of an LSTM `budget_width` wide on this task."""
        io = task_entry(self.task).build(task_entry(self.task).config(self.lengths[0])).io
        with torch.device("meta"):
            return count_parameters(build_model(ModelConfig("lstm", hidden_size=self.budget_width), io))


@dataclass(frozen=True)
class SuiteProfile:
    name: str
    models: tuple[str, ...]
    parts: tuple[TaskPart, ...]
    seeds: int
    probe_length: int  # the first task's length at which gradients are probed and clipping is tested
    explode_steps: int  # SGD steps of the clipping experiment, with and without clipping, per seed
    bench_repeats: int = 5  # timed rounds per shape (the median is reported)
    bench_min_time_s: float = 0.05  # per timed run
    workers: int | None = None  # None: the runner's default (2 processes × 1 torch thread)
    max_steps: int = 1_000_000  # so high that the time budget binds: equal training time for every model

    def __post_init__(self) -> None:
        if not self.parts or self.probe_length not in self.parts[0].lengths:
            raise ValueError(f"profile {self.name}: the probe length must be one of the first task's lengths")


# Every model trains with the task's suggested settings (registry.py). Lengths where the models part ways,
# measured at these budgets in 25 s per run (1 seed, 2 workers, November 2026): adding: the RNN solved
# T=5 in 1 s and no longer length (T=10, 25, 50: MSE 0.157-0.176, baseline 0.167), the Transformer T=100 in
# 8 s and not T=200 (MSE 0.020); the LSTM solved T=100 in 5-13 s and T=200 in 24-83 s, the GRU T=200 in
# 13-18 s (150-s runs, H=64). Copy: the Transformer solved delays 5 to 50 in 4-7 s; within 25 s no
# recurrent model did, the LSTM reaching accuracy 0.88 at delay 5, 0.74 at 10 and 0.13 (baseline 0.125) at 25.
QUICK = SuiteProfile(
    "quick", MODELS,
    (TaskPart("adding", (5, 10, 50, 100, 200), budget_width=64, max_seconds=27.0),
     TaskPart("copy", (5, 10, 25), budget_width=64, max_seconds=27.0)),
    seeds=1, probe_length=100, explode_steps=300, bench_repeats=3, bench_min_time_s=0.02)
FULL = SuiteProfile(
    "full", MODELS,
    (TaskPart("adding", (10, 25, 50, 100, 200, 400), budget_width=64, max_seconds=150.0),
     TaskPart("copy", (10, 25, 50, 100, 200), budget_width=128, max_seconds=300.0)),
    seeds=3, probe_length=100, explode_steps=400)
SUITES: dict[str, dict[str, SuiteProfile]] = {"rnn-vs-lstm": {"quick": QUICK, "full": FULL}}
TITLES = {"rnn-vs-lstm": "RNN or LSTM? Every claim, measured"}
