"""The trainer end to end: it can fit a batch, it stops honestly when the model explodes, and a run killed at
any evaluation resumes to exactly the result of a run that was never interrupted."""

import contextlib
import copy
import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

from rnnlab.cli.main import main
from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.checkpoint import latest_checkpoint
from rnnlab.train.loop import TRAIN_STREAM, TrainConfig, train
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder


def adding(length: int = 8, test_size: int = 32) -> AddingTask:
    return AddingTask(AddingConfig(length=length, test_size=test_size))


class OneBatch:
    """The adding task reduced to one fixed batch: every sample() and the test set are that batch."""

    def __init__(self, task: AddingTask, batch_size: int) -> None:
        self.task, self.name, self.io, self.baseline = task, "one-batch", task.io, task.baseline
        self.batch = task.sample(batch_size, seeded(7, TRAIN_STREAM))

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        return self.batch

    def test_set(self, seed: int) -> Batch:
        return self.batch

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return self.task.loss(outputs, batch)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        return self.task.metrics(outputs, batch)

    def solved(self, metrics: dict[str, float]) -> bool:
        return False


def test_overfits_one_tiny_batch():
    """Reference: the untrained model's loss on the batch. Trained on nothing but that batch of 8, a small
    LSTM drives its loss down by more than 90 % (measured: from 0.45 to under 0.01 in 150 steps)."""
    task = OneBatch(adding(length=6), batch_size=8)
    torch.manual_seed(0)
    model = build_model(ModelConfig("lstm", hidden_size=16), task.io)
    with torch.no_grad():
        before = float(task.loss(model(task.batch.inputs)[0], task.batch))
    result = train(model, task, TrainConfig(steps=150, batch_size=8, lr=0.02, eval_every=50, stop_when_solved=False))
    with torch.no_grad():
        after = float(task.loss(model(task.batch.inputs)[0], task.batch))
    assert after < 0.1 * before
    assert result.final.metrics["mse"] == pytest.approx(after, rel=1e-5)  # the test set is the batch too
    assert not result.diverged and not result.solved


class LinearRecurrence(nn.Module):
    """h_t = W h_{t-1} + U x_t + b, no squashing: nothing bounds h once W's eigenvalues pass 1."""

    def __init__(self, hidden_size: int = 4) -> None:
        super().__init__()
        self.x_to_h = nn.Linear(2, hidden_size)
        self.h_to_h = nn.Parameter(torch.eye(hidden_size))
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, inputs: Tensor, state: Tensor | None = None, lengths: Tensor | None = None):
        h = torch.zeros(inputs.shape[0], self.h_to_h.shape[0]) if state is None else state  # (B, H)
        for t in range(inputs.shape[1]):
            h = h @ self.h_to_h.T + self.x_to_h(inputs[:, t])
        return self.head(h), h


EXPLODING = TrainConfig(steps=50, batch_size=8, optimizer="sgd", lr=0.1, clip=0, eval_every=10, seed=0)


def first_non_finite_step(model: nn.Module, task: AddingTask, config: TrainConfig) -> tuple[int, list[Tensor]]:
    """The reference: plain SGD by hand on the same batches; the first step whose loss or gradient is not
    finite, and the weights that step started from."""
    generator = seeded(config.seed, TRAIN_STREAM)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    for step in range(1, config.steps + 1):
        batch = task.sample(config.batch_size, generator)
        loss = task.loss(model(batch.inputs)[0], batch)
        optimizer.zero_grad()
        loss.backward()
        norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters()))
        if not (math.isfinite(float(loss.detach())) and math.isfinite(float(norm))):
            return step, [p.detach().clone() for p in model.parameters()]
        optimizer.step()
    raise AssertionError("the reference never diverged")


def test_an_exploding_model_ends_the_run_as_diverged():
    """Reference: `first_non_finite_step` on a copy. SGD with lr 0.1 and no clipping pushes the linear
    recurrence's W past 1 and its outputs overflow (at step 4 with seed 0); the run ends there, diverged,
    with that step's record, the weights it started from, and no exception."""
    task = adding(length=10, test_size=16)
    torch.manual_seed(0)
    model = LinearRecurrence()
    expected_step, expected_weights = first_non_finite_step(copy.deepcopy(model), task, EXPLODING)
    assert 1 < expected_step < EXPLODING.eval_every  # diverges mid-way, before any scheduled evaluation
    result = train(model, task, EXPLODING)
    assert result.diverged and result.diverged_at == expected_step
    assert [r.step for r in result.records] == [expected_step]
    assert not result.solved
    for weight, expected in zip(model.parameters(), expected_weights):
        assert torch.equal(weight, expected)


def test_resuming_a_diverged_run_stays_diverged(tmp_path):
    """Reference: the diverged run itself. Its last checkpoint is written at the divergence; resuming it
    takes no further step and reports the same divergence (it used to train on from there)."""
    task = adding(length=10, test_size=16)
    torch.manual_seed(0)
    first = train(LinearRecurrence(), task, EXPLODING, checkpoints=tmp_path)
    torch.manual_seed(0)
    model = LinearRecurrence()
    resumed = train(model, task, EXPLODING, checkpoints=tmp_path, resume=True)
    assert resumed.diverged_at == first.diverged_at
    assert as_json(resumed.records) == as_json(first.records)  # JSON, because NaN != NaN
    assert math.isnan(resumed.final.train_loss)
    assert latest_checkpoint(tmp_path) == tmp_path / f"step-{first.diverged_at:08d}"


def as_json(records: list[EvalRecord]) -> list[str]:
    return [json.dumps(r.to_json()) for r in records]


RESUMABLE = TrainConfig(steps=30, batch_size=8, lr=0.01, warmup_steps=6, decay="cosine", eval_every=5, seed=3,
                        stop_when_solved=False)
DROPOUT_LSTM = ModelConfig("lstm", hidden_size=8, num_layers=2, dropout=0.3)


def fresh_model(task: AddingTask) -> nn.Module:
    torch.manual_seed(11)
    return build_model(DROPOUT_LSTM, task.io)


class Killed(Exception):
    pass


def kill_at(step: int):
    def on_eval(record: EvalRecord) -> None:
        if record.step == step:
            raise Killed

    return on_eval


def without_time(records: list[EvalRecord]) -> list[dict]:
    """Everything in a record but the wall-clock seconds, which no two runs share."""
    return [{k: v for k, v in r.to_json().items() if k != "seconds"} for r in records]


def uninterrupted(task: AddingTask, config: TrainConfig = RESUMABLE) -> tuple[list[dict], list[Tensor]]:
    model = fresh_model(task)
    result = train(model, task, config)
    return without_time(result.records), [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize(("killed_at", "checkpoint_every"), [(20, 1), (25, 2), (5, 1)])
def test_kill_and_resume_equals_uninterrupted(tmp_path, killed_at, checkpoint_every):
    """Reference: the same run uninterrupted. A 2-layer LSTM with dropout 0.3 (global RNG), warm-up and
    cosine decay, killed from on_eval at `killed_at` (the checkpoint before it is the newest; at step 5
    there is none yet) and resumed in a fresh model: every record but its seconds, and every final weight,
    are bit-identical."""
    config = dataclasses.replace(RESUMABLE, checkpoint_every=checkpoint_every)
    task = adding()
    expected_records, expected_weights = uninterrupted(task, config)

    with pytest.raises(Killed):
        train(fresh_model(task), task, config, on_eval=kill_at(killed_at), checkpoints=tmp_path)
    saved = latest_checkpoint(tmp_path)
    every = config.eval_every * checkpoint_every
    newest = (killed_at - 1) // every * every  # the last checkpoint before the kill; 0: none yet
    assert saved == (None if newest == 0 else tmp_path / f"step-{newest:08d}")

    torch.manual_seed(999)  # the resumed process starts from some other global random state
    model = fresh_model(task)
    torch.rand(17)
    result = train(model, task, config, checkpoints=tmp_path, resume=True)
    assert without_time(result.records) == expected_records
    assert [r.step for r in result.records] == [5, 10, 15, 20, 25, 30]
    for weight, expected in zip(model.parameters(), expected_weights):
        assert torch.equal(weight, expected)


def test_resume_needs_the_global_rng_restored(tmp_path, monkeypatch):
    """The equality above is not vacuous: with torch.set_rng_state disabled, dropout masks after the resume
    differ and so does the result. (This proves the test would catch an RNG that is not restored.)"""
    task = adding()
    expected_records, _ = uninterrupted(task)
    with pytest.raises(Killed):
        train(fresh_model(task), task, RESUMABLE, on_eval=kill_at(20), checkpoints=tmp_path)
    monkeypatch.setattr(torch, "set_rng_state", lambda state: None)
    result = train(fresh_model(task), task, RESUMABLE, checkpoints=tmp_path, resume=True)
    assert without_time(result.records)[:3] == expected_records[:3]  # restored from the checkpoint
    assert without_time(result.records)[3:] != expected_records[3:]


def test_resuming_a_finished_run_changes_nothing(tmp_path):
    task = adding()
    first = train(fresh_model(task), task, RESUMABLE, checkpoints=tmp_path)
    model = fresh_model(task)
    again = train(model, task, RESUMABLE, checkpoints=tmp_path, resume=True)
    assert again.records == first.records


# The same through the command line: a real process killed with SIGKILL, and an in-process interruption.

TRAIN_ARGS = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--hidden", "4",
              "--batch-size", "4", "--eval-every", "25", "--threads", "1"]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def comparable(path: Path) -> list[dict]:
    return [{k: v for k, v in record.items() if k != "seconds"} for record in read_jsonl(path)]


def comparable_result(folder: Path) -> dict:
    summary = json.loads((folder / "result.json").read_text())
    return {k: v for k, v in summary.items() if "seconds" not in k}


def test_interrupted_cli_run_resumes_without_duplicate_records(tmp_path, monkeypatch, capsys):
    """Fast form of the SIGKILL test below. Reference: an uninterrupted `rnnlab train` in another folder.
    The run is interrupted right after logging step 75 (before that step's checkpoint), and a torn half
    line is left at the end of metrics.jsonl, as a kill mid-write would; `--resume` rewrites the log from
    the step-50 checkpoint and finishes with the uninterrupted run's records and result."""
    monkeypatch.chdir(tmp_path)
    args = [*TRAIN_ARGS, "--steps", "100"]
    assert main([*args, "--out", "whole"]) == 0

    log = RunFolder.log

    def interrupted_log(self, record):
        log(self, record)
        if record.step == 75:
            with self.metrics.open("a") as stream:
                stream.write('{"step": 100, "sec')
            raise KeyboardInterrupt

    monkeypatch.setattr(RunFolder, "log", interrupted_log)
    assert main([*args, "--out", "killed"]) == 130
    assert [r["step"] for r in read_jsonl_lenient(tmp_path / "killed" / "metrics.jsonl")] == [25, 50, 75]
    assert (tmp_path / "killed" / "checkpoints" / "latest").read_text().strip() == "step-00000050"
    monkeypatch.setattr(RunFolder, "log", log)

    assert main([*args, "--out", "killed", "--resume"]) == 0
    steps = [r["step"] for r in read_jsonl(tmp_path / "killed" / "metrics.jsonl")]
    assert steps == [25, 50, 75, 100]
    assert comparable(tmp_path / "killed" / "metrics.jsonl") == comparable(tmp_path / "whole" / "metrics.jsonl")
    assert comparable_result(tmp_path / "killed") == comparable_result(tmp_path / "whole")


def read_jsonl_lenient(path: Path) -> list[dict]:
    """The complete lines of a log whose last line may be torn."""
    records = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            records.append(json.loads(line))
    return records


@pytest.mark.slow
def test_sigkilled_process_resumes_to_the_uninterrupted_result(tmp_path, monkeypatch, capsys):
    """Reference: an uninterrupted run of the same command in another folder. `python -m rnnlab.cli.main
    train` is killed with SIGKILL once its first checkpoint exists (mid-run, between any two writes);
    `--resume` finishes it with no step logged twice and the uninterrupted run's records and result.
    About 8 s: two Python processes start, and three runs of 600 steps."""
    monkeypatch.chdir(tmp_path)
    args = [*TRAIN_ARGS, "--steps", "600", "--no-stop-when-solved"]
    environment = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    process = subprocess.Popen([sys.executable, "-m", "rnnlab.cli.main", *args, "--out", "killed"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        # The event: the run's progress line for step 50, printed after step 25's checkpoint and before step 50's
        # (a blocking read of its stderr, not a deadline); 550 steps remain to be killed in.
        for line in process.stderr or ():
            if " step      50 " in line:
                break
        assert process.poll() is None, "the run finished before it was killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed" / "result.json").exists()

    resumed = subprocess.run([sys.executable, "-m", "rnnlab.cli.main", *args, "--out", "killed", "--resume"],
                             capture_output=True, text=True, env=environment, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert main([*args, "--out", "whole"]) == 0

    steps = [r["step"] for r in read_jsonl(tmp_path / "killed" / "metrics.jsonl")]
    assert steps == list(range(25, 601, 25))  # none twice, none missing
    assert comparable(tmp_path / "killed" / "metrics.jsonl") == comparable(tmp_path / "whole" / "metrics.jsonl")
    assert comparable_result(tmp_path / "killed") == comparable_result(tmp_path / "whole")
