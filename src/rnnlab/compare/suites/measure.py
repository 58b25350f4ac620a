"""The measurements a suite's sweeps cannot make: gradient flow at initialisation and in the trained
checkpoints, the clipping experiment, gate activity, and each model's costs from the bench harness.

    measured = measure(plan, folder, say)      # after the sweeps, on a quiet machine, one torch thread
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import torch

from rnnlab.bench import BenchSettings, BenchShape, run_benchmark
from rnnlab.bench.cases import CELLS
from rnnlab.compare.claims import Cost, Measured, StepLatency
from rnnlab.compare.diagnose import PROBE_STREAM, DiagnoseConfig, explode_series
from rnnlab.compare.results import RunResult, length_name, model_name
from rnnlab.compare.suites.plan import SuitePlan
from rnnlab.compare.sweeps.collect import read_store, run_folder
from rnnlab.compare.sweeps.config import RunPlan
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.diagnostics.gates import gate_statistics
from rnnlab.diagnostics.gradients import gradient_flow
from rnnlab.diagnostics.memory import input_sensitivity
from rnnlab.diagnostics.plots_gradients import plot_gradient_flow, plot_input_sensitivity
from rnnlab.diagnostics.plots_training import plot_gate_activity, plot_gradient_norms
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.registry import build_model, traits
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import Experiment, load_run
from rnnlab.train.run import RunFolder, RunSpec

Say = Callable[[str], None]
PROBE_BATCH = 64  # sequences the gradient probes average over (as `rnnlab diagnose`)
# Seeds of the probe at initialisation (the sweep's seeds, then the next ones): it trains nothing, so it can
# afford enough seeds to separate the models' per-step factors (with the sweep's 3 the GRU's and the RNN's
# intervals at initialisation overlapped on one draw of seeds in three).
INIT_PROBE_SEEDS = 10
BENCH_GEMM_SIZE = 256  # the bench harness's GEMM yardstick; the report does not use it, so a small one

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
        say(f"clipping experiment: {plan.profile.explode_seeds} seeds × {plan.profile.explode_steps} SGD steps, with "
            "and without clipping")
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
    # The runs as the store holds them: with the settings tuning gave each model.
    rows = read_store(sweep_folder).rows
    for row in (r for r in rows if r.length == plan.profile.probe_length):
        experiment = Experiment.from_spec(RunSpec(**row.config["spec"]))
        task, model = experiment.build()
        batch = task.sample(PROBE_BATCH, seeded(row.seed, PROBE_STREAM))
        after = _trained(run_folder(row, sweep_folder))
        if after is None and (row.metrics or {}).get("stop_reason") == "broken":
            # Not run here (it broke at a shorter length): its weights from the longest length it trained at.
            shorter = sorted((r for r in rows if (r.model, r.seed) == (row.model, row.seed) and r.steps
                              and r.length is not None and row.length is not None and r.length < row.length),
                             key=lambda r: r.length or 0, reverse=True)
            if shorter:
                after = _trained(run_folder(shorter[0], sweep_folder))
                if after is not None:
                    measured.trained_elsewhere[row.model] = length_name(row.task, shorter[0].length) or ""
        if isinstance(model.core, RecurrentLayer):
            init.append(gradient_flow(model, batch, label=row.model))
            if row.seed == plan.seeds[0]:  # more seeds at initialisation, where a probe costs no training
                for seed in range(row.seed + len(plan.seeds), row.seed + INIT_PROBE_SEEDS):
                    other = replace(experiment, train=replace(experiment.train, seed=seed))
                    _, fresh = other.build()
                    init.append(gradient_flow(fresh, task.sample(PROBE_BATCH, seeded(seed, PROBE_STREAM)),
                                              label=row.model))
            if after is not None:
                trained.append(gradient_flow(after, batch, label=row.model))
        if after is not None and row.seed == plan.seeds[0] and traits(row.model).keep_gate is not None:
            stats = gate_statistics(after, batch.sequence, batch.lengths)
            if all(g.cell != stats.cell for g in measured.gates):  # one figure per cell (lstm-fb0 is an LSTM too)
                measured.gates.append(stats)
        first_of.setdefault(row.model, (model, after, batch))
    every_trained = all(after is not None for _, after, _ in first_of.values())
    measured.sensitivity_when = "after training" if every_trained else "at initialisation"
    measured.sensitivities = [input_sensitivity(after if every_trained and after is not None else model, batch,
                                                label=name) for name, (model, after, batch) in first_of.items()]


def _clipping(plan: SuitePlan, measured: Measured) -> None:
    p = plan.profile
    config = DiagnoseConfig(models=("rnn",), task=p.parts[0].task, length=p.probe_length, seeds=p.explode_seeds,
                            explode_steps=p.explode_steps)
    first = plan.seeds[0]
    measured.explode = [series for seed in range(first, first + p.explode_seeds)
                        for series in explode_series(config, seed)]
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
        generate = {"step": _bench_shape(first[0], "step", batch=1, steps=1)} if traits(model).recurrent else {
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
                                       None if train.peak_bytes is None else train.peak_bytes / 2**20,
                                       tuple(t * 1e3 for t in train.round_seconds),
                                       tuple(t * 1e3 for t in infer.round_seconds)))
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

