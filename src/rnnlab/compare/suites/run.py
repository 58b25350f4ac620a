"""The suite that answers "RNN or LSTM?": every model on every claim, at equal budgets, in one report.

    html, markdown = run_suite("rnn-vs-lstm", "quick", Path("rnn-vs-lstm"))

    FOLDER/adding/, FOLDER/copy/      each task's sweep: its store and run folders (sweeps/runner.py)
    FOLDER/report.html, report.md     the report, with report.md's figures beside it

A suite runs its plan's sweeps (plan.py), the measurements a sweep cannot make (measure.py), and writes
the sweeps' report with a section per claim (claims/) before the tasks' sections.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from rnnlab.compare.claims import ClaimSection, claim_sections
from rnnlab.compare.claims.render import claim_report_sections
from rnnlab.compare.recommend import recommend_all
from rnnlab.compare.report import Tuning, write_sweep_report
from rnnlab.compare.results import RunResult, length_name, model_name
from rnnlab.compare.suites.measure import measure, with_costs
from rnnlab.compare.suites.plan import SuitePlan, duration, plan_suite, step_seconds
from rnnlab.compare.suites.profiles import TITLES
from rnnlab.compare.sweeps.collect import budget_notes, read_store, results
from rnnlab.compare.sweeps.runner import DEFAULT_THREADS, STORE, TUNED, run_sweep
from rnnlab.compare.sweeps.store import RunRow
from rnnlab.compare.sweeps.tuning import Choice, read_table, write_table
from rnnlab.compare.verdicts import verdicts, write_verdicts

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
              scheduler: str | None = None, on_progress: Say | None = None, seed_offset: int = 0,
              tune: bool = False) -> tuple[Path, Path]:
    """Run the suite's sweeps into `folder`, measure what they cannot, and write the report and verdicts.json;
    returns (report.html, report.md). `resume` continues an interrupted suite (finished runs are kept),
    `overwrite` replaces one; `scheduler` runs the sweeps on that Dask cluster (the measurements run here);
    `seed_offset` draws seeds offset, offset + 1, ...; `tune` chooses each model's settings now (and writes
    FOLDER/tuned.json) instead of reading the profile's shipped table."""
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other")
    plan = plan_suite(name, profile, seed_offset, tune)
    say = on_progress or (lambda line: None)
    started = time.monotonic()
    say("timing a few training steps of every model at every setting, to plan the time")
    planned = plan.describe(step_seconds(plan))
    say(planned)
    progress = _Progress(plan, say)
    for sweep, runs, tuning, part in zip(plan.sweeps, plan.runs, plan.tuning, plan.profile.parts):
        sub = folder / part.task  # a sweep interrupted before this one started has nothing here to resume
        again = resume and (sub / STORE).exists()
        if scheduler is None:
            run_sweep(sweep, sub, resume=again, overwrite=overwrite, workers=plan.profile.workers,
                      on_progress=progress.update)
        else:
            run_sweep(sweep, sub, resume=again, overwrite=overwrite, scheduler=scheduler, on_progress=progress.update)
        if plan.table:  # the shipped choices this sweep used, beside it, for `rnnlab report`
            write_table(sub / TUNED, {k: v for k, v in plan.table.items() if k.startswith(f"{part.task}/")},
                        plan.provenance)
        progress.next_sweep(len(runs) + len(tuning))
    swept = time.monotonic() - started
    choices, provenance = _tuned(plan, folder, profile)
    runs_done: list[RunResult] = []
    notes = [planned, f"Each model's learning rate per task and length: {provenance.get('how', 'tuned')} (see "
             "\"Each model's settings, tuned\"); every other setting is the task's suggestion: " + "; ".join(
                 f"{runs[0].task} batch {runs[0].experiment.train.batch_size}, {runs[0].experiment.train.optimizer}, "
                 f"clip {runs[0].experiment.train.clip:g}" for runs in plan.runs) + "."]
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
              "Budgets are in training steps: the same command gives the same metrics on any machine, busy or "
              "quiet; seconds and throughputs are this machine's.",
              "Inference latency and peak memory in the task tables come from the bench harness at each run's "
              "batch and sequence length, measured after the sweeps (claim 4)."]
    say("writing the report")
    claims = claim_sections(runs_done, measured)
    written = write_suite_report(runs_done, folder, TITLES.get(name, name), notes, claims, (choices, provenance))
    write_verdicts(folder, verdicts(runs_done, recommend_all(runs_done), claims, name, profile,
                                    {"seed_offset": seed_offset, "tuned": provenance.get("how")}))
    return written


def _tuned(plan: SuitePlan, folder: Path, profile: str) -> tuple[dict[str, Choice], dict[str, Any]]:
    """Every sweep's choices in one table: the shipped one, or those tuned now (also written to
    FOLDER/tuned.json, the file `--tune` makes for suites/tuned/)."""
    if plan.table:
        return dict(plan.table), dict(plan.provenance)
    choices: dict[str, Choice] = {}
    for part in plan.profile.parts:
        if (folder / part.task / TUNED).is_file():
            choices |= read_table(folder / part.task / TUNED)[0]
    provenance = {"how": f"tuned by `rnnlab compare --suite {plan.suite} --profile {profile} --tune` on "
                         f"{datetime.now(UTC):%Y-%m-%d}", "tune_seed": plan.sweeps[0].tune_seed,
                  "tune": {k: list(v) for k, v in plan.profile.tune.items()}, "machine": platform.processor()
                  or platform.machine(), "torch": torch.__version__}
    write_table(folder / TUNED, choices, provenance)
    return choices, provenance


def write_suite_report(runs: Sequence[RunResult], folder: Path, title: str, notes: list[str],
                       claims: Sequence[ClaimSection], tuning: Tuning | None = None) -> tuple[Path, Path]:
    """The sweeps' report with the claims' sections before the first task's."""
    return write_sweep_report(runs, folder, title, notes, before_tasks=claim_report_sections(claims), tuning=tuning)
