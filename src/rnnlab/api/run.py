"""A trained run in Python: what `rnnlab evaluate`, `classify` and `export` do, as methods.

    run = rnnlab.load("runs/sentiment-lstm-s0")
    run.summary.status, run.records[-1].metrics     # result.json and the evaluations in metrics.jsonl
    run.evaluate()                                  # {"accuracy": ..., "cross_entropy": ...} on the test split
    run.predict(inputs)                             # the model's outputs: logits for classes, values for values
    run.classify(["a gorgeous, witty movie."])      # [Prediction("positive", 0.93)], for text and speech tasks
    run.export("onnx")                              # RUN/export-onnx/model.onnx and export.json
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from rnnlab.api.data import as_sequences
from rnnlab.data.tasks.base import HeldOut, Task
from rnnlab.export import Format, default_out, export_run
from rnnlab.generate.classify import Prediction, RawInputClassifier, classify
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import Experiment, evaluate_run, load_run
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder, RunSummary


class Run:
    """The run in `path` (a folder `rnnlab train` or `rnnlab.train` wrote); its model loads on first use."""

    def __init__(self, path: str | Path, device: str | torch.device | None = None) -> None:
        self.folder = RunFolder(Path(path))
        self.experiment: Experiment = Experiment.from_spec(self.folder.spec())  # ValueError: not a run folder
        self.device = device

    def __repr__(self) -> str:
        status = self.summary.status if self.summary else "unfinished"
        return f"Run({str(self.path)!r}: {self.experiment.model.name} on {self.experiment.task}, {status})"

    @property
    def path(self) -> Path:
        return self.folder.path

    @property
    def summary(self) -> RunSummary | None:
        """What result.json says; None while the run has not ended."""
        return self.folder.summary()

    @property
    def records(self) -> list[EvalRecord]:
        """Every evaluation so far (metrics.jsonl): step, seconds, losses, metrics."""
        return self.folder.records()

    @functools.cached_property
    def _loaded(self) -> tuple[Task, SequenceModel]:
        _, task, model = load_run(self.folder, self.device)
        return task, model.eval()

    @property
    def model(self) -> SequenceModel:
        """The model with the run's weights (its best validation evaluation's, else its newest), in eval mode."""
        return self._loaded[1]

    @property
    def task(self) -> Task:
        return self._loaded[0]

    @torch.no_grad()
    def predict(self, inputs: Any, lengths: Any = None) -> Tensor:
        """The model's outputs for `inputs`: (N, T, D) features, (N, T) token ids or a list of sequences of any
        lengths (rnnlab.api.data), with optional `lengths` for padded arrays; (N, O) per sequence or (N, T, O)
        per step, on the CPU."""
        model = self.model
        if not isinstance(model, SequenceModel):
            raise ValueError(f"{self.path} is a sequence-to-sequence run: use `rnnlab translate` or its task's "
                             "translate()")
        padded, found = as_sequences(inputs, lengths)
        if padded.is_floating_point() == model.io.tokens:
            raise ValueError(f"this model reads {'token ids' if model.io.tokens else 'float features'}, "
                             f"got {'floats' if padded.is_floating_point() else 'integers'}")
        device = next(model.parameters()).device
        outputs, _ = model(padded.to(device), None, found.to(device))
        return outputs.cpu()

    def classify(self, raws: Sequence[str | Path]) -> list[Prediction]:
        """The most probable class of each raw input: a text, or a recording's path (text and speech tasks)."""
        task = self.task
        if not isinstance(task, RawInputClassifier) or task.io.per_step:
            raise ValueError(f"{self.path} is a run of {self.experiment.task!r}, which cannot classify raw input; "
                             "use predict()")
        return classify(self.model, task, list(raws))

    def evaluate(self, split: HeldOut = "test") -> dict[str, float]:
        """The metrics of the run's weights on its task's held-out data (real data sets: `split`)."""
        return evaluate_run(self.folder, split, self.device)[1]

    def export(self, format: Format = "onnx", out: str | Path | None = None, overwrite: bool = False) -> Path:
        """Write the model to `out` (default RUN/export-FORMAT) as onnx, torchscript or torch; returns the folder."""
        folder = Path(out) if out is not None else default_out(self.folder, format)
        export_run(self.folder, format, folder, overwrite=overwrite)
        return folder


def load(path: str | Path, device: str | torch.device | None = None) -> Run:
    """The run in `path`, its model on `device` (default: the CPU) when first used."""
    return Run(path, device)
