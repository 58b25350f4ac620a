"""Two faults from outside the model: a batch holding NaN or inf, and a disk that fills up mid-run.

References: the step the bad batch was drawn at (the run is recorded as diverged there, and a sweep carries on
with its other runs); and an uninterrupted run (a run stopped by a full disk keeps its last checkpoint intact,
says so in one line, and once there is space again resumes to the uninterrupted run's result).
"""

from __future__ import annotations

import errno
import json
import math
from pathlib import Path

import pytest
import torch

from rnnlab.compare.sweeps.config import SweepConfig
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.data.tasks.base import Batch
from rnnlab.train import checkpoint, experiment
from rnnlab.train.checkpoint import latest_checkpoint, verify_checkpoint

POISONED_STEP = 7


class Poisoned:
    """A task whose `POISONED_STEP`-th training batch holds `value` in its inputs; otherwise the task itself."""

    def __init__(self, task, value: float) -> None:
        self.task, self.value, self.drawn = task, value, 0

    def __getattr__(self, name: str):
        return getattr(self.task, name)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        batch = self.task.sample(batch_size, generator)
        self.drawn += 1
        if self.drawn != POISONED_STEP:
            return batch
        inputs = batch.inputs.clone()
        inputs[0, 0, 0] = self.value
        return Batch(inputs, batch.targets, batch.lengths, batch.resets)


def poison(monkeypatch, value: float, seeds: set[int]) -> None:
    """Experiment.build gives runs of these seeds a poisoned task."""
    build = experiment.Experiment.build

    def poisoned_build(self, artifacts=None):
        task, model = build(self, artifacts)
        return (Poisoned(task, value) if self.train.seed in seeds else task), model

    monkeypatch.setattr(experiment.Experiment, "build", poisoned_build)


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_a_poisoned_batch_ends_the_run_as_diverged_at_its_step(tmp_path, monkeypatch, rnnlab, value):
    poison(monkeypatch, value, seeds={0})
    outcome = rnnlab("train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--hidden", "4",
                     "--batch-size", "4", "--eval-every", "5", "--steps", "20", "--threads", "1", "--out",
                     tmp_path / "run")
    assert outcome.code == 0, outcome.err
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert (result["status"], result["diverged_at_step"], result["stop_reason"]) == ("diverged", POISONED_STEP,
                                                                                      "diverged")
    assert f"diverged at step {POISONED_STEP}" in outcome.out


def test_a_sweep_goes_on_past_a_diverged_run(tmp_path, monkeypatch):
    """Seed 1's runs meet the poisoned batch; seed 0's do not. Every run finishes, seed 1's as diverged."""
    poison(monkeypatch, math.nan, seeds={1})
    config = SweepConfig("poisoned", ("rnn", "gru"), ("adding",), lengths=(6,), seeds=2, max_steps=20,
                         train={"eval_every": 5, "batch_size": 4, "stop_when_solved": False},
                         model={"hidden_size": 4}, task_options={"adding": {"test_size": 16}})
    rows = run_sweep(config, tmp_path / "sweep", workers=0)
    assert len(rows) == 4 and all(row.done for row in rows)
    assert {(row.seed, row.status) for row in rows} == {(0, "not solved"), (1, "diverged")}
    assert all(row.metrics["diverged_at_step"] == POISONED_STEP for row in rows if row.seed == 1)


ARGS = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--hidden", "4", "--batch-size", "4",
        "--eval-every", "10", "--steps", "40", "--no-stop-when-solved", "--threads", "1"]


def fill_disk_at(monkeypatch, checkpoint_number: int) -> None:
    """The `checkpoint_number`-th checkpoint's optimizer file meets a full disk (its weights were written)."""
    save_file, written = checkpoint.save_file, []

    def full(tensors, filename, metadata=None):
        written.append(filename)
        if len(written) == 2 * checkpoint_number:
            Path(filename).write_bytes(b"\0" * 10)  # what got onto the disk before it filled
            raise OSError(errno.ENOSPC, "No space left on device", filename)
        return save_file(tensors, filename, metadata=metadata)

    monkeypatch.setattr(checkpoint, "save_file", full)


def comparable(folder: Path) -> dict:
    return {k: v for k, v in json.loads((folder / "result.json").read_text()).items() if "seconds" not in k}


def test_a_full_disk_stops_the_run_with_its_last_checkpoint_intact(tmp_path, monkeypatch, rnnlab):
    run = tmp_path / "run"
    with monkeypatch.context() as patch:
        fill_disk_at(patch, 3)
        outcome = rnnlab(*ARGS, "--out", run)
    assert outcome.code == 2 and "Traceback" not in outcome.err
    error = outcome.err.strip().splitlines()[-1]
    assert error == (f"error: [Errno 28] no space left on the disk of {run} (No space left on device); its last "
                     "checkpoint is intact: free some space, then run again with --resume")
    saved = latest_checkpoint(run / "checkpoints")
    assert saved == run / "checkpoints" / "step-00000020"
    verify_checkpoint(saved)
    assert not list((run / "checkpoints").glob("*.tmp"))  # the failed write took its space back
    assert rnnlab(*ARGS, "--out", run, "--resume").code == 0
    assert rnnlab(*ARGS, "--out", tmp_path / "whole").code == 0
    assert comparable(run) == comparable(tmp_path / "whole")


def test_a_disk_full_before_the_first_checkpoint_leaves_nothing(tmp_path, monkeypatch, rnnlab):
    fill_disk_at(monkeypatch, 1)
    outcome = rnnlab(*ARGS, "--out", tmp_path / "run")
    assert outcome.code == 2 and outcome.err.strip().splitlines()[-1].endswith(
        "nothing was kept: free some space, then run again")
    assert not (tmp_path / "run").exists()
