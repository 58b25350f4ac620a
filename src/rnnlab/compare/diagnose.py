"""Diagnostics across models and seeds: build each model, probe it at initialisation, train it, probe it
again, and write the figures and numbers. What `rnnlab diagnose` runs, callable from a notebook too.

Every model gets the task's suggested settings (`make_experiment`) and the same probe batch per seed,
drawn from its own generator stream so it is neither a training batch nor the test set.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from rnnlab.compare.diagnose_report import ModelProbes, json_default, numbers, write_probe_figures
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.data.tasks.registry import make_task, task_entry
from rnnlab.diagnostics.explode import GradientNormRecorder, GradientNormSeries, explosion_summary
from rnnlab.diagnostics.gates import KEEP_GATE, GateTrajectory, gate_statistics
from rnnlab.diagnostics.gradients import gradient_flow
from rnnlab.diagnostics.jacobian import jacobian_spectrum
from rnnlab.diagnostics.memory import input_sensitivity, memory_curve
from rnnlab.diagnostics.plots_training import (
    plot_gradient_norms,
    plot_stability,
)
from rnnlab.diagnostics.stability import StabilityRun, stability_by_model
from rnnlab.files import write_atomic
from rnnlab.models.registry import traits
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import Experiment, load_run, make_experiment
from rnnlab.train.loop import train
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder, summarise

PROBE_STREAM = 2  # training draws stream 0 and the test sets stream 1
KINDS = ("gradients", "jacobian", "gates", "memory", "explode", "stability")
TRAINED_KINDS = ("memory", "stability")  # meaningless without training


@dataclass(frozen=True)
class DiagnoseConfig:
    models: tuple[str, ...] = ("rnn", "lstm", "gru")
    task: str = "adding"
    length: int | None = 100
    seeds: int = 3
    probe_batch: int = 64  # sequences the gradient, Jacobian, gate and sensitivity probes average over
    train_seconds: float = 0.0  # 0: probe at initialisation only; else train this long, probing at evaluations
    budget: int | None = None  # parameters per model; None: the task's suggested hidden size
    memory_lengths: tuple[int, ...] = ()  # () = length/4, /2, 1, 2 and 4 times the trained length
    explode_steps: int = 400
    explode_lr: float = 1.0  # SGD on a tanh RNN: at this rate, unclipped runs diverge within tens of steps
    threads: int = 1

    def __post_init__(self) -> None:
        if not self.models:
            raise ValueError("give at least one model")
        if self.seeds <= 0 or self.probe_batch <= 0 or self.explode_steps <= 0:
            raise ValueError("seeds, probe batch and explode steps must be positive")
        if self.train_seconds < 0:
            raise ValueError(f"train seconds must not be negative, got {self.train_seconds}")


def _probe_batch(experiment: Experiment, seed: int, size: int) -> Batch:
    task = experiment.entry.build(experiment.task_config)
    return task.sample(size, seeded(seed, PROBE_STREAM))


def _probe_now(probes: ModelProbes, when: str, model: SequenceModel, batch: Batch, kinds: set[str],
               recurrent: bool) -> None:
    if "gradients" in kinds and recurrent:
        probes.gradients[when] = gradient_flow(model, batch, label=probes.model)
    if "jacobian" in kinds and recurrent:
        probes.jacobian[when] = jacobian_spectrum(model, batch, label=probes.model)
    if "gates" in kinds and _gated(model):
        probes.gates[when] = gate_statistics(model, batch.sequence, batch.lengths)
    if "memory" in kinds:
        probes.sensitivity[when] = input_sensitivity(model, batch, label=probes.model)


def _gated(model: SequenceModel) -> bool:
    return getattr(getattr(model.core, "config", None), "cell", None) in KEEP_GATE


def _recurrent(model: SequenceModel) -> bool:
    return hasattr(model.core, "cell_stack")


def check_kinds(config: DiagnoseConfig, kinds: set[str]) -> None:
    """Refuse what cannot be measured, before any training starts."""
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown diagnostic {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)} or all")
    needs_training = kinds & set(TRAINED_KINDS)
    if needs_training and config.train_seconds <= 0:
        raise ValueError(f"{', '.join(sorted(needs_training))} need trained models: give --train-seconds")
    if kinds == {"gates"} and not any(traits(name).keep_gate for name in config.models):
        raise ValueError("gate statistics need an LSTM or GRU; none of the models has gates")
    if kinds & {"gradients", "jacobian"} == kinds and not any(traits(name).recurrent for name in config.models):
        raise ValueError("the Transformer has no recurrent state h_t: use `rnnlab diagnose memory` "
                         "(input sensitivity, ∂y_T/∂x_t) instead")


def probe_model(config: DiagnoseConfig, name: str, seed: int, kinds: set[str],
                on_eval: Callable[[str, int, EvalRecord], None] | None = None) -> ModelProbes:
    """Probe one model at initialisation, train it (if asked), and probe it again."""
    experiment = make_experiment(config.task, name, length=config.length, budget=config.budget,
                                 train_options={"seed": seed, "max_seconds": config.train_seconds or None})
    task, model = experiment.build()
    batch = _probe_batch(experiment, seed, config.probe_batch)
    probes = ModelProbes(name, seed)
    recurrent = _recurrent(model)
    _probe_now(probes, "init", model, batch, kinds, recurrent)
    if config.train_seconds <= 0:
        return probes
    snapshots = [probes.gates["init"].snapshot(0)] if "init" in probes.gates else []

    def during(record: EvalRecord) -> None:
        if "gradients" in kinds and recurrent:
            flow = gradient_flow(model, batch, label=name)
            probes.decay_during_training.append((record.step, flow.hidden.log_factor))
        if "gates" in kinds and _gated(model):
            snapshots.append(gate_statistics(model, batch.sequence, batch.lengths).snapshot(record.step))
        if on_eval is not None:
            on_eval(name, seed, record)

    result = train(model, task, experiment.train, during)
    probes.result = summarise(result, experiment.entry.metric, experiment.entry.lower_is_better)
    if snapshots:
        probes.gate_trajectory = GateTrajectory(name, tuple(snapshots))
    _probe_now(probes, "trained", model, batch, kinds, recurrent)
    if "memory" in kinds and config.length is not None:
        lengths = config.memory_lengths or _memory_lengths(config.length)
        probes.memory = memory_curve(model, lambda n: make_task(config.task, n), lengths, batch_size=500,
                                     seed=seed, label=name)
    return probes


def probe_run(folder: RunFolder, config: DiagnoseConfig, kinds: set[str]) -> ModelProbes:
    """Probe the newest checkpoint of a run written by `rnnlab train` (its task, model and seed)."""
    if kinds & {"explode", "stability"}:
        raise ValueError("explode and stability train models of their own; leave out --run for them")
    experiment, _, model = load_run(folder)
    seed = experiment.train.seed
    probes = ModelProbes(experiment.model.name, seed)
    _probe_now(probes, "trained", model, _probe_batch(experiment, seed, config.probe_batch), kinds,
               _recurrent(model))
    knob = experiment.entry.knob
    if "memory" in kinds and knob is not None:
        length = getattr(experiment.task_config, knob)
        probes.memory = memory_curve(model, lambda n: make_task(experiment.task, n), _memory_lengths(length),
                                     batch_size=500, seed=seed, label=probes.model)
    probes.result = folder.result()
    return probes


def _memory_lengths(trained: int) -> tuple[int, ...]:
    return tuple(sorted({max(2, trained // 4), max(2, trained // 2), trained, 2 * trained, 4 * trained}))


def explode_series(config: DiagnoseConfig, seed: int) -> list[GradientNormSeries]:
    """A tanh RNN trained with plain SGD at a high learning rate, with and without clipping at 1."""
    series = []
    for clip in (1.0, 0.0):
        experiment = make_experiment(
            config.task, "rnn", length=config.length, init_options={"scheme": "orthogonal"},
            train_options={"seed": seed, "optimizer": "sgd", "lr": config.explode_lr, "clip": clip,
                           "steps": config.explode_steps, "eval_every": config.explode_steps,
                           "stop_when_solved": False})
        task, model = experiment.build()
        recorder = GradientNormRecorder()
        result = train(model, task, experiment.train, on_step=recorder)
        label = f"clip {clip:g}, seed {seed}" if clip else f"no clip, seed {seed}"
        series.append(recorder.series(label, clip=clip or None, diverged_at=result.diverged_at))
    return series


def setting_line(config: DiagnoseConfig, when: str | None = None) -> str:
    """What a figure shows, in words: the task, the seeds, and at initialisation or after training."""
    knob = "" if config.length is None else f" {config.length}"
    line = f"task {config.task}{knob}, {config.seeds} seed(s)"
    if when == "init":
        return f"{line}, at initialisation"
    if when == "trained" or (when is None and config.train_seconds > 0):
        return f"{line}, after {config.train_seconds:g} s of training"
    return line


def run_diagnostics(config: DiagnoseConfig, kinds: set[str], out: Path,
                    on_progress: Callable[[str], None] | None = None,
                    on_eval: Callable[[str, int, EvalRecord], None] | None = None,
                    run: Path | None = None) -> dict[str, Any]:
    """Run the asked diagnostics; write PNGs and diagnostics.json into `out`; return the numbers.

    With `run`, probe that run's newest checkpoint instead of building and training models.
    """
    if run is not None:
        run_probes = [probe_run(RunFolder(run), config, kinds)]
        spec = RunFolder(run).spec()
        knob = task_entry(spec.task).knob
        config = dataclasses.replace(config, models=(run_probes[0].model,), task=spec.task, seeds=1,
                                     length=None if knob is None else spec.task_config.get(knob))
        out.mkdir(parents=True, exist_ok=True)
        run_figures = write_probe_figures(run_probes, out, lambda when: setting_line(config, when))
        run_report: dict[str, Any] = {"setting": f"run {run}", "config": dataclasses.asdict(config),
                                      "kinds": sorted(kinds), "models": numbers(run_probes),
                                      "figures": [str(path) for path in run_figures]}
        write_atomic(out / "diagnostics.json", json.dumps(run_report, indent=2, default=json_default) + "\n")
        return run_report
    check_kinds(config, kinds)
    torch.set_num_threads(config.threads)
    out.mkdir(parents=True, exist_ok=True)
    say = on_progress or (lambda text: None)
    report: dict[str, Any] = {"setting": setting_line(config), "config": dataclasses.asdict(config),
                              "kinds": sorted(kinds), "figures": []}
    probes: list[ModelProbes] = []
    if kinds - {"explode"}:
        for seed in range(config.seeds):
            for name in config.models:
                say(f"{name}, seed {seed}: probing" + (f" and training {config.train_seconds:g} s"
                                                       if config.train_seconds > 0 else ""))
                probes.append(probe_model(config, name, seed, kinds, on_eval))
    figures = write_probe_figures(probes, out, lambda when: setting_line(config, when))
    report["models"] = numbers(probes)
    if "explode" in kinds:
        series = []
        for seed in range(config.seeds):
            say(f"exploding gradients: tanh RNN, SGD lr {config.explode_lr:g}, seed {seed}")
            series += explode_series(config, seed)
        figures.append(plot_gradient_norms(series, out / "explode.png", setting=f"tanh RNN, orthogonal init, "
                                           f"SGD lr {config.explode_lr:g}, {setting_line(config, 'none')}"))
        report["explode"] = [explosion_summary(one).to_json() for one in series]
    if "stability" in kinds:
        entry = task_entry(config.task)
        runs = [StabilityRun.from_summary(p.model, p.seed, p.result, entry.metric) for p in probes if p.result]
        baseline = make_task(config.task, config.length).baseline.get(entry.metric)
        figures.append(plot_stability(runs, out / "stability.png", entry.metric, entry.lower_is_better,
                                      baseline=baseline, setting=setting_line(config)))
        report["stability"] = [s.to_json() for s in stability_by_model(runs, entry.metric, entry.lower_is_better)]
    report["figures"] = [str(path) for path in figures]
    write_atomic(out / "diagnostics.json", json.dumps(report, indent=2, default=json_default) + "\n")
    return report
