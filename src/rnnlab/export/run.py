"""Export a trained run: its weights (those `rnnlab evaluate` scores), and what using them needs to know.

    manifest = export_run(RunFolder(Path("runs/sentiment-lstm-s0")), "onnx")   # -> RUN/export-onnx/

Beside the model files, export.json carries the run's task and configs, and what turns raw data into
inputs and outputs into answers, where the run has it: a classifier's class names, a language model's
vocabulary (RUN/vocab.json), a sequence-to-sequence model's token tables and special ids.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rnnlab.data.tasks.base import ClassifyingTask
from rnnlab.data.tasks.language_model import VOCABULARY
from rnnlab.data.vocab import SPECIALS
from rnnlab.export.write import export_model
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder


def default_out(folder: RunFolder, fmt: str) -> Path:
    """Where a run's export goes unless told: RUN/export-FORMAT."""
    return folder.path / f"export-{fmt}"


def export_run(folder: RunFolder, fmt: str, out: Path | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Export the run in `folder` to `out` (default RUN/export-FORMAT); returns export.json's content."""
    experiment, task, model = load_run(folder)
    metadata: dict[str, Any] = {"task": experiment.task, "task_config": asdict(experiment.task_config),
                                "model_config": asdict(experiment.model), "run": str(folder.path)}
    if isinstance(task, ClassifyingTask) and task.class_names():
        metadata["classes"] = list(task.class_names())
    if (folder.path / VOCABULARY).exists():
        metadata["vocabulary"] = json.loads((folder.path / VOCABULARY).read_text())
    if isinstance(model, Seq2SeqModel) and (tables := model.token_tables()) is not None:
        metadata["source_tokens"], metadata["target_tokens"] = tables
        metadata["special_ids"] = {name.strip("<>"): k for k, name in enumerate(SPECIALS)}
    return export_model(model, out or default_out(folder, fmt), fmt, name=experiment.model.name,
                        metadata=metadata, overwrite=overwrite)
