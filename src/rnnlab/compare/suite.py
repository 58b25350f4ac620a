"""The suite that answers "RNN or LSTM?": every model on every claim, at equal budgets, in one report.

    html, markdown = run_suite("rnn-vs-lstm", "quick", Path("rnn-vs-lstm"))
    plan = plan_suite("rnn-vs-lstm", "full"); plan.expected_seconds   # what it will cost, before it runs

A suite runs one sweep per task (each task has its own parameter budget: an adding model reads 2
features, a copy model embeds tokens), then the measurements a sweep cannot make (`measure`): gradient
flow at initialisation and in the trained checkpoints, the clipping experiment, and each model's costs
from the bench harness. The report is the sweeps' report (report.py) with a section per claim (claims.py).

    FOLDER/adding/, FOLDER/copy/      each task's sweep: its store and run folders (runner.py)
    FOLDER/report.html, report.md     the report, with report.md's figures beside it
"""

from __future__ import annotations

import base64
import html
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from rnnlab.bench import BenchSettings, BenchShape, run_benchmark
from rnnlab.bench.cases import CELLS
from rnnlab.compare.claims import ClaimSection, Cost, Measured, StepLatency, claim_sections
from rnnlab.compare.diagnose import PROBE_STREAM, DiagnoseConfig, explode_series
from rnnlab.compare.report import write_report
from rnnlab.compare.results import RunResult, length_name, model_name, tasks_of
from rnnlab.compare.runner import DEFAULT_THREADS, DEFAULT_WORKERS, RUNS, STORE, run_sweep
from rnnlab.compare.store import RunRow
from rnnlab.compare.sweep import RunPlan, SweepConfig, expand
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.data.tasks.registry import task_entry
from rnnlab.diagnostics.gates import gate_statistics
from rnnlab.diagnostics.gradients import gradient_flow
from rnnlab.diagnostics.memory import input_sensitivity
from rnnlab.diagnostics.plots_gradients import plot_gradient_flow, plot_input_sensitivity
from rnnlab.diagnostics.plots_training import plot_gate_activity, plot_gradient_norms
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.registry import ModelConfig, build_model, count_parameters
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder

Say = Callable[[str], None]
MODELS = ("rnn", "lstm", "gru", "transformer")
PROBE_BATCH = 64  # sequences the gradient probes average over (as `rnnlab diagnose`)
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
        generation = sum(len(p.parts[0].lengths) if model == "transformer" else 1 for model in benched)
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
                f"{_duration(self.expected_seconds())} (runs × time budget / workers, plus the measurements), "
                f"{_duration(self.worst_case_seconds())} at most.")


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


def _duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "2 h 07 min"."""
    seconds = max(0, round(seconds))
    if seconds < 3600:
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


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
                 f"{model_name(row.model)} seed {row.seed}: {outcome}; about {_duration(left)} left")

    def next_sweep(self, runs: int) -> None:
        self.offset += runs


def run_suite(name: str, profile: str, folder: Path, *, resume: bool = False, overwrite: bool = False,
              scheduler: str | None = None, on_progress: Say | None = None) -> tuple[Path, Path]:
    """Run the suite's sweeps into `folder`, measure what they cannot, and write the report; returns
    (report.html, report.md). `resume` continues an interrupted suite (finished runs are kept), `overwrite`
    replaces one; `scheduler` runs the sweeps on that Dask cluster (the measurements run here)."""
    from rnnlab.compare.collect import budget_notes, read_store, results  # written alongside this module

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
              f"Wall time: {_duration(wall)} ({_duration(swept)} of sweeps, {_duration(wall - swept)} of "
              f"measurements), this invocation{' (resumed)' if resume else ''}, before writing the report.",
              "Inference latency and peak memory in the task tables come from the bench harness at each run's "
              "batch and sequence length, measured after the sweeps (claim 4)."]
    say("writing the report")
    return write_suite_report(runs_done, folder, TITLES.get(name, name), notes, claim_sections(runs_done, measured))


# The measurements a sweep cannot make


def measure(plan: SuitePlan, folder: Path, say: Say | None = None) -> Measured:
    """Gradient probes and the clipping experiment on the first task, costs on every task, with one torch
    thread as the bench harness wants: run it once the sweeps are done, on a quiet machine."""
    say = say or (lambda line: None)
    first = plan.profile.parts[0]
    measured = Measured(probe=f"{first.task} {length_name(first.task, plan.profile.probe_length)}")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        say(f"gradient flow on {measured.probe}, at initialisation and in the trained checkpoints")
        _probe_gradients(plan, folder / first.task, measured)
        say(f"clipping experiment: {plan.profile.seeds} seed(s) × {plan.profile.explode_steps} SGD steps, with and "
            "without clipping")
        _clipping(plan, measured)
        _costs(plan, measured, say)
        _draw(measured, folder)
    finally:
        torch.set_num_threads(before)
    return measured


def _trained(run: Path) -> SequenceModel | None:
    """The newest checkpoint of a sweep's run; None when the run left none (it failed, or was deleted)."""
    try:
        return load_run(RunFolder(run))[2]
    except ValueError:
        return None


def _probe_gradients(plan: SuitePlan, sweep_folder: Path, measured: Measured) -> None:
    """Every recurrent model of the first sweep at the probe length, each seed: its gradient flow at
    initialisation (rebuilt as its run was seeded) and in its run's checkpoint; input sensitivity per model."""
    init, trained = measured.flows.setdefault("init", []), measured.flows.setdefault("trained", [])
    first_of: dict[str, tuple[SequenceModel, SequenceModel | None, Batch]] = {}
    for plan_run in (p for p in plan.runs[0] if p.length == plan.profile.probe_length):
        task, model = plan_run.experiment.build()
        batch = task.sample(PROBE_BATCH, seeded(plan_run.seed, PROBE_STREAM))
        after = _trained(sweep_folder / RUNS / plan_run.run_id)
        if isinstance(model.core, RecurrentLayer):
            init.append(gradient_flow(model, batch, label=plan_run.model))
            if after is not None:
                trained.append(gradient_flow(after, batch, label=plan_run.model))
        if after is not None and plan_run.seed == 0 and plan_run.model in ("lstm", "gru"):
            measured.gates.append(gate_statistics(after, batch.sequence, batch.lengths))
        first_of.setdefault(plan_run.model, (model, after, batch))
    every_trained = all(after is not None for _, after, _ in first_of.values())
    measured.sensitivity_when = "after training" if every_trained else "at initialisation"
    measured.sensitivities = [input_sensitivity(after if every_trained and after is not None else model, batch,
                                                label=name) for name, (model, after, batch) in first_of.items()]


def _clipping(plan: SuitePlan, measured: Measured) -> None:
    p = plan.profile
    config = DiagnoseConfig(models=("rnn",), task=p.parts[0].task, length=p.probe_length, seeds=p.seeds,
                            explode_steps=p.explode_steps)
    measured.explode = [series for seed in range(p.seeds) for series in explode_series(config, seed)]
    measured.explode_setting = (f"a tanh RNN at {measured.probe} (the task's suggested size, orthogonal init), plain "
                                f"SGD at lr {config.explode_lr:g}, {p.explode_steps} steps per seed")


def _bench_shape(run: RunPlan, name: str, batch: int | None = None, steps: int | None = None) -> BenchShape:
    """The shape the run's core sees: (batch, steps the task's sequences have, encoder width, hidden size)."""
    task = run.experiment.entry.build(run.experiment.task_config)
    with torch.device("meta"):
        width = build_model(run.experiment.model, task.io).encoder.output_size
    length = task.sample(1, torch.Generator().manual_seed(0)).sequence.shape[1]
    return BenchShape(name, batch or run.experiment.train.batch_size, steps or length, width, run.hidden_size)


def _costs(plan: SuitePlan, measured: Measured, say: Say) -> None:
    """Each model through the bench harness at every run's shape, its single step at batch 1 and, for the
    Transformer, a generated token at each context length of the first task (no KV cache: a whole forward)."""
    seed = plan.sweeps[0].seed_values[0]
    for model in (m for m in plan.profile.models if m in CELLS):
        runs = [r for runs in plan.runs for r in runs if r.model == model and r.seed == seed]
        shapes = {f"{r.task}-{r.length}": (_bench_shape(r, f"{r.task}-{r.length}"), r) for r in runs}
        first = [r for r in runs if r.task == plan.profile.parts[0].task]
        generate = {"step": _bench_shape(first[0], "step", batch=1, steps=1)} if model != "transformer" else {
            f"context-{r.length}": _bench_shape(r, f"context-{r.length}", batch=1) for r in first}
        say(f"bench harness: {model_name(model)} at {len(shapes) + len(generate)} shapes")
        report = run_benchmark(BenchSettings(
            shapes=(*(shape for shape, _ in shapes.values()), *generate.values()), cells=(model,),
            repeats=plan.profile.bench_repeats, min_time_s=plan.profile.bench_min_time_s, gemm_size=BENCH_GEMM_SIZE))
        measured.machine = report.device
        timed = {(m.shape, m.mode): m for m in report.measurements if m.implementation in ("auto", "rnnlab")}
        for name, (shape, run) in shapes.items():
            train, infer = timed[(name, "train")], timed[(name, "infer")]
            measured.costs.append(Cost(run.task, run.length, model, run.parameters, f"B={shape.batch} T={shape.time}",
                                       train.seconds * 1e3, infer.seconds * 1e3,
                                       None if train.peak_bytes is None else train.peak_bytes / 2**20))
        measured.steps += [StepLatency(model, None if name == "step" else shape.time,
                                       timed[(name, "infer")].seconds * 1e3) for name, shape in generate.items()]
    measured.costs.sort(key=lambda c: (c.task != plan.profile.parts[0].task, c.task, c.length or 0))


def with_costs(runs: Sequence[RunResult], costs: Sequence[Cost]) -> list[RunResult]:
    """The runs with the bench harness's inference latency and training peak memory at their setting, where
    the run did not measure its own."""
    at = {(c.task, c.length, c.model): c for c in costs}
    return [replace(run, inference_latency_ms=run.inference_latency_ms or cost.infer_ms,
                    peak_memory_mb=run.peak_memory_mb or cost.train_peak_mb)
            if (cost := at.get((run.task, run.length, run.model))) else run for run in runs]


def _draw(measured: Measured, folder: Path) -> None:
    """The claims' figures, as PNG files beside report.md and as bytes for report.html."""
    drawn = []
    for when, said in (("init", "at initialisation"), ("trained", "after the sweep's training")):
        if measured.flows.get(when):
            path = plot_gradient_flow(measured.flows[when], folder / f"claim-gradient-flow-{when}.png",
                                      setting=f"{measured.probe}, {said}, equal parameters")
            drawn.append((f"gradient-flow-{when}", f"Gradient norm against lag, {said}.", path))
    if measured.sensitivities:
        path = plot_input_sensitivity(measured.sensitivities, folder / "claim-input-sensitivity.png",
                                      setting=f"{measured.probe}, {measured.sensitivity_when}")
        drawn.append(("input-sensitivity", "How far back the last output depends on the inputs, every model "
                      f"({measured.sensitivity_when}).", path))
    for stats in measured.gates:
        path = plot_gate_activity(stats, folder / f"claim-gates-{stats.cell}.png",
                                  setting=f"trained {stats.cell.upper()}, {measured.probe}")
        drawn.append((f"gates-{stats.cell}", f"Gate activity and saturation of the trained {stats.cell.upper()}: "
                      "mean activation per step and the fraction within 0.05 of a bound.", path))
    if measured.explode:
        path = plot_gradient_norms(measured.explode, folder / "claim-clipping.png", setting=measured.explode_setting)
        drawn.append(("clipping", "The gradient norm at every step, with and without clipping.", path))
    measured.figures.update({name: (caption, path.read_bytes()) for name, caption, path in drawn})


# The report: the sweeps' report with a section per claim before the tasks' sections


def write_suite_report(runs: Sequence[RunResult], folder: Path, title: str, notes: list[str],
                       sections: Sequence[ClaimSection]) -> tuple[Path, Path]:
    """write_report's report.html and report.md, with the claims inserted before the first task's section."""
    html_path, md_path = write_report(runs, folder, title, notes=notes)
    for section in sections:
        for name, _, png in section.figures:
            (folder / f"claim-{name}.png").write_bytes(png)
    first_task = tasks_of(runs)[0]
    _insert(html_path, f'<h2 id="task-{_slug(first_task)}">', "</body>", _claims_html(sections))
    _insert(md_path, f"\n## {first_task}\n", None, _claims_markdown(sections))
    return html_path, md_path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "figure"


def _insert(path: Path, before: str, fallback: str | None, chunk: str) -> None:
    text = path.read_text(encoding="utf-8")
    at = text.find(before)
    if at < 0:
        at = text.rfind(fallback) if fallback else len(text)
    path.write_text(text[:at] + chunk + "\n" + text[at:], encoding="utf-8")


BOXES = {"supported": "recommendation", "refuted": "recommendation", "mixed": "recommendation none",
         "not measured": "recommendation none"}  # a clear answer either way in green, none in orange


def _claims_html(sections: Sequence[ClaimSection]) -> str:
    e = html.escape
    parts = ['<h2 id="claims">The claims, measured</h2>',
             '<p class="note">Each claim as it is usually made, the verdict that the rule under it derives from '
             "this suite's measurements, and the numbers. The sections per task, after the claims, hold the "
             "sweeps' full evidence.</p><ul>",
             *(f'<li><a href="#claim-{s.number}">{s.number}. {e(s.title)}</a>: <b>{e(s.verdict)}</b>. '
               f"{e(s.finding)}</li>" for s in sections), "</ul>"]
    for s in sections:
        evidence = "".join(f"<li>{e(sentence)}</li>" for sentence in s.evidence)
        parts += [f'<h2 id="claim-{s.number}">Claim {s.number}: {e(s.title)}</h2>',
                  f"<p><i>The claim:</i> {e(s.claim)}</p>",
                  f'<div class="{BOXES[s.verdict]}"><p class="headline">{e(s.verdict.capitalize())}. '
                  f"{e(s.finding)}</p><p>The evidence:</p><ul>{evidence}</ul></div>",
                  f'<p class="rule"><b>The rule.</b> {e(s.rule)}</p>']
        for table in s.tables:
            head = "".join(f'<th class="{"text" if k < 2 else "number"}">{e(h)}</th>'
                           for k, h in enumerate(table.header))
            rows = "".join("<tr>" + "".join(f'<td class="{"text" if k < 2 else "number"}">{e(cell)}</td>'
                                            for k, cell in enumerate(row)) + "</tr>" for row in table.rows)
            parts.append(f'<div class="table"><table><tr>{head}</tr>{rows}</table></div>')
        for _, caption, png in s.figures:
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{e(caption)}">'
                         f"<figcaption>{e(caption)}</figcaption></figure>")
    return "\n".join(parts)


def _claims_markdown(sections: Sequence[ClaimSection]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    parts = ["", "## The claims, measured", "",
             *(f"- **{s.number}. {s.title}**: {s.verdict}. {s.finding}" for s in sections), ""]
    for s in sections:
        parts += [f"## Claim {s.number}: {s.title}", "", f"*The claim:* {s.claim}", "",
                  f"**{s.verdict.capitalize()}.** {s.finding}", "", "The evidence:", "",
                  *(f"- {sentence}" for sentence in s.evidence), "", f"*The rule.* {s.rule}", ""]
        for table in s.tables:
            parts += ["| " + " | ".join(map(cell, table.header)) + " |",
                      "|" + "|".join([":--"] * 2 + ["--:"] * (len(table.header) - 2)) + "|",
                      *("| " + " | ".join(map(cell, row)) + " |" for row in table.rows), ""]
        parts += [f"![{caption}](claim-{name}.png)\n" for name, caption, _ in s.figures]
    return "\n".join(parts)
