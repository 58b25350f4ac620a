"""What the top level offers a notebook: `rnnlab.train`, `rnnlab.compare`, `rnnlab.build_model`.

    run = rnnlab.train(task="adding", model="lstm", length=50, steps=300, out="runs/a")   # a registered task
    run = rnnlab.train(x, y, model="gru", steps=500, hidden_size=32)      # your tensors, arrays or DataFrame
    result = rnnlab.compare(task="adding", models=["rnn", "lstm"], seeds=2, steps=200, out="runs/cmp")
    model = rnnlab.build_model("lstm", input_size=8, output_size=2, hidden_size=64)

They call what the CLI calls (train/experiment.py, compare/sweeps), so a run trained here is a run folder
like any other: `rnnlab evaluate`, `rnnlab export` and `rnnlab.load` read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.api.data import HeldOutData, as_arrays
from rnnlab.api.run import Run
from rnnlab.compare.report.sweep import report_sweep
from rnnlab.compare.sweeps.one_task import task_sweep
from rnnlab.compare.sweeps.parse import load_sweep
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.store import RunRow
from rnnlab.data.cache import cache_root
from rnnlab.data.tasks.arrays import arrays_bytes, arrays_digest
from rnnlab.files import write_atomic
from rnnlab.models.init import InitConfig
from rnnlab.models.registry import ModelConfig
from rnnlab.models.registry import build_model as build_registered
from rnnlab.models.sequence import IOSpec, SequenceModel
from rnnlab.train.experiment import make_experiment, run_experiment
from rnnlab.train.loop import TrainConfig
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder

MODEL_FIELDS = {f.name for f in dataclasses.fields(ModelConfig)} - {"name", "init"}
TRAIN_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)}
INIT_FIELDS = {f"init_{f.name}" for f in dataclasses.fields(InitConfig)}


def _route(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Keyword options split into ModelConfig, TrainConfig and InitConfig (`init_` + field) fields."""
    unknown = sorted(set(options) - MODEL_FIELDS - TRAIN_FIELDS - INIT_FIELDS)
    if unknown:
        raise ValueError(f"unknown option {', '.join(unknown)}; options are the fields of ModelConfig "
                         f"({', '.join(sorted(MODEL_FIELDS))}), TrainConfig ({', '.join(sorted(TRAIN_FIELDS))}) "
                         f"and InitConfig (init_ + {', '.join(sorted(n[5:] for n in INIT_FIELDS))})")
    model = {k: v for k, v in options.items() if k in MODEL_FIELDS}
    training = {k: v for k, v in options.items() if k in TRAIN_FIELDS}
    init = {k[5:]: v for k, v in options.items() if k in INIT_FIELDS}
    return model, training, init


def store_arrays(data: Any) -> Path:
    """The arrays file in the cache, named by its content: the same data is stored once, and a run's
    config.json names a file that nothing overwrites."""
    path = cache_root() / "arrays" / f"{arrays_digest(data)[:32]}.safetensors"
    if not path.exists():
        write_atomic(path, arrays_bytes(data))
    return path


def train(inputs: Any = None, targets: Any = None, *, task: str | None = None, model: str = "lstm",
          out: str | Path | None = None, resume: bool = False, overwrite: bool = False, length: int | None = None,
          task_options: dict[str, Any] | None = None, budget: int | None = None, lengths: Any = None,
          per_step: bool | None = None, target: str | None = None, group: str | None = None,
          order: str | None = None, validation: HeldOutData = 0.1, test: HeldOutData = 0.1,
          on_eval: Callable[[EvalRecord], None] | None = None, **options: Any) -> Run:
    """Train `model` on a registered `task`, or on your `inputs` and `targets` (rnnlab.api.data says what they
    may be), into the run folder `out` (default runs/TASK-MODEL-sSEED); returns the Run.

    `options` are fields of ModelConfig (hidden_size=64), TrainConfig (steps=500, lr=3e-3, max_seconds=60,
    seed=1, device="cpu") and InitConfig (init_scheme="orthogonal"); left out, they take the task's suggestion,
    then the config's default. `on_eval(record)` is called at every evaluation."""
    model_options, train_options, init_options = _route(options)
    if inputs is not None:
        if task not in (None, "arrays"):
            raise ValueError(f"give a task name or your data, not both (task={task!r})")
        data = as_arrays(inputs, targets, lengths=lengths, per_step=per_step, target=target, group=group,
                         order=order, validation=validation, test=test, seed=train_options.get("seed", 0))
        task, task_options = "arrays", {**(task_options or {}), "path": str(store_arrays(data))}
    elif task is None:
        raise ValueError("give a task name (task='adding', see `rnnlab tasks`) or your data: train(inputs, targets)")
    experiment = make_experiment(task, model, length=length, task_options=task_options, model_options=model_options,
                                 init_options=init_options, train_options=train_options, budget=budget)
    name = f"{experiment.entry.build(experiment.task_config).name}-{model}-s{experiment.train.seed}"
    folder = RunFolder(Path(out) if out is not None else Path("runs") / name)
    run_experiment(experiment, folder, resume=resume, overwrite=overwrite, on_eval=on_eval)
    return Run(folder.path)


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: its folder, every run's row (status, metrics, costs) and the report."""

    path: Path
    rows: list[RunRow]
    report_html: Path
    report_markdown: Path


def compare(sweep: str | Path | None = None, *, task: str | None = None,
            models: Sequence[str] = ("rnn", "lstm", "gru", "transformer"), seeds: int = 3, steps: int | None = None,
            lengths: Sequence[int] = (), task_options: dict[str, Any] | None = None, tune: bool = True,
            out: str | Path, resume: bool = False, overwrite: bool = False, workers: int | None = None
            ) -> Comparison:
    """Run a sweep file, or `models` on `task` at equal parameter budgets over `seeds`, into `out`, and write its
    report: `rnnlab compare` (SWEEP.toml or --task) from Python."""
    if (sweep is None) == (task is None):
        raise ValueError("give a sweep file or a task, one of the two")
    config = load_sweep(Path(sweep)) if sweep is not None else task_sweep(
        str(task), tuple(models), task_options, tuple(lengths), seeds, steps, tune=tune)
    folder = Path(out)
    rows = run_sweep(config, folder, resume=resume, overwrite=overwrite, workers=workers)
    html, markdown = report_sweep(folder)
    return Comparison(folder, rows, html, markdown)


def build_model(name: str = "lstm", input_size: int = 1, output_size: int = 1, *, tokens: bool = False,
                per_step: bool = True, **options: Any) -> SequenceModel:
    """A fresh model `name` (see `rnnlab tasks` for names) for inputs of `input_size` features (or a vocabulary
    of that many token ids) and `output_size` outputs, per step or per sequence; `options` are ModelConfig
    fields (hidden_size=64, num_layers=2, bidirectional=True, ...)."""
    model_options, train_options, init_options = _route(options)
    if train_options:
        raise ValueError(f"{', '.join(sorted(train_options))}: training options; build_model takes ModelConfig's")
    init = InitConfig(**init_options) if init_options else None
    return build_registered(ModelConfig(name, init=init, **model_options),
                            IOSpec(input_size, output_size, tokens=tokens, per_step=per_step))
