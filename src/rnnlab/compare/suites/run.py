"""The suite that answers "RNN or LSTM?": every model on every claim, at equal budgets, in one report.

    html, markdown = run_suite("rnn-vs-lstm", "quick", Path("rnn-vs-lstm"))

    FOLDER/adding/, FOLDER/copy/      each task's sweep: its store and run folders (sweeps/runner.py)
    FOLDER/report.html, report.md     the report, with report.md's figures beside it

A suite runs its plan's sweeps (plan.py), the measurements a sweep cannot make (measure.py), and writes
the sweeps' report with a section per claim (claims/) before the tasks' sections.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from rnnlab.compare.claims import ClaimSection, claim_sections
from rnnlab.compare.claims.render import claim_report_sections
from rnnlab.compare.report import write_sweep_report
from rnnlab.compare.results import RunResult, length_name, model_name
from rnnlab.compare.suites.measure import measure, with_costs
from rnnlab.compare.suites.plan import SuitePlan, duration, plan_suite
from rnnlab.compare.suites.profiles import TITLES
from rnnlab.compare.sweeps.collect import budget_notes, read_store, results
from rnnlab.compare.sweeps.runner import DEFAULT_THREADS, STORE, run_sweep
from rnnlab.compare.sweeps.store import RunRow

Say = Callable[[str], None]


class _Progress:
    """Runs done over the whole suite and the time left, at the rate this process has run them so far."""

    def __init__(self, plan: SuitePlan, say: Say) -> None:
        self.plan, self.say = plan, say
        self.offset = 0  # runs of the sweeps before the current one
        self.first_done: int | None = None  # runs already done when this process started
        self.started = time.monotonic()

    def update(self, done: int, total: int, eta_seconds: float, row: RunRow) -> None:
        done_all = self.offset + done
        if self.first_done is None:
            self.first_done = done_all - 1
        rate = (done_all - self.first_done) / max(time.monotonic() - self.started, 1e-9)
        left = (self.plan.total_runs - done_all) / rate + self.plan.measure_seconds()
        outcome = row.status + (f" in {row.seconds_to_solve:.1f} s" if row.seconds_to_solve is not None else "")
        self.say(f"{done_all}/{self.plan.total_runs} runs: {row.task} {length_name(row.task, row.length)} "
                 f"{model_name(row.model)} seed {row.seed}: {outcome}; about {duration(left)} left")

    def next_sweep(self, runs: int) -> None:
        self.offset += runs


def run_suite(name: str, profile: str, folder: Path, *, resume: bool = False, overwrite: bool = False,
              scheduler: str | None = None, on_progress: Say | None = None) -> tuple[Path, Path]:
    """Run the suite's sweeps into `folder`, measure what they cannot, and write the report; returns
    (report.html, report.md). `resume` continues an interrupted suite (finished runs are kept), `overwrite`
    replaces one; `scheduler` runs the sweeps on that Dask cluster (the measurements run here)."""
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other")
    plan = plan_suite(name, profile)
    say = on_progress or (lambda line: None)
    started = time.monotonic()
    say(plan.describe())
    progress = _Progress(plan, say)
    for sweep, runs, part in zip(plan.sweeps, plan.runs, plan.profile.parts):
        sub = folder / part.task  # a sweep interrupted before this one started has nothing here to resume
        again = resume and (sub / STORE).exists()
        if scheduler is None:
            run_sweep(sweep, sub, resume=again, overwrite=overwrite, workers=plan.profile.workers,
                      on_progress=progress.update)
        else:
            run_sweep(sweep, sub, resume=again, overwrite=overwrite, scheduler=scheduler, on_progress=progress.update)
        progress.next_sweep(len(runs))
    swept = time.monotonic() - started
    runs_done: list[RunResult] = []
    notes = [plan.describe(), "Every model trains with the task's suggested settings: " + "; ".join(
        f"{runs[0].task} lr {runs[0].experiment.train.lr:g}, batch {runs[0].experiment.train.batch_size}, "
        f"{runs[0].experiment.train.optimizer}, clip {runs[0].experiment.train.clip:g}" for runs in plan.runs) + "."]
    for part in plan.profile.parts:
        stored = read_store(folder / part.task)
        runs_done += results(stored, folder / part.task)
        notes += [f"The {part.task} sweep: {note[0].lower()}{note[1:]}" for note in budget_notes(stored)]
    measured = measure(plan, folder, say)
    runs_done = with_costs(runs_done, measured.costs)
    wall = time.monotonic() - started
    notes += [f"Machine: {measured.machine}; torch {torch.__version__}; sweeps on "
              + (f"the Dask cluster {scheduler}" if scheduler else f"{plan.workers} worker process(es) × "
                 f"{DEFAULT_THREADS} torch thread"),
              f"Wall time: {duration(wall)} ({duration(swept)} of sweeps, {duration(wall - swept)} of "
              f"measurements), this invocation{' (resumed)' if resume else ''}, before writing the report.",
              "Inference latency and peak memory in the task tables come from the bench harness at each run's "
              "batch and sequence length, measured after the sweeps (claim 4)."]
    say("writing the report")
    return write_suite_report(runs_done, folder, TITLES.get(name, name), notes, claim_sections(runs_done, measured))



def write_suite_report(runs: Sequence[RunResult], folder: Path, title: str, notes: list[str],
                       claims: Sequence[ClaimSection]) -> tuple[Path, Path]:
    """The sweeps' report with the claims' sections before the first task's."""
    return write_sweep_report(runs, folder, title, notes, before_tasks=claim_report_sections(claims))
