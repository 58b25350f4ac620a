"""The chorale tasks on small made-up chorales: encoding, the NLL per frame, streaming, evaluation."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.data.datasets.chorales import LOWEST, REST, Chorale
from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.chorales import (
    DURATIONS,
    END,
    MELODY_PITCHES,
    MELODY_VOCAB,
    PITCHES,
    ChoraleMelodyConfig,
    ChoraleMelodyTask,
    ChoraleRollConfig,
    ChoraleRollTask,
    melody_document,
    note_token,
    roll_document,
    token_note,
)
from rnnlab.data.tasks.registry import make_task
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train


def made_up(number: int, bars: int = 2) -> Chorale:
    """A C major chord (C3 E4 G4 C5) held for a bar, then G major (G2 D4 G4 B4), repeated; soprano C5 / B4
    in half notes."""
    roll = torch.zeros(16 * bars, PITCHES, dtype=torch.bool)
    for bar in range(bars):
        chord = (48, 64, 67, 72) if bar % 2 == 0 else (43, 62, 67, 71)
        for pitch in chord:
            roll[16 * bar:16 * (bar + 1), pitch - LOWEST] = True
    melody = torch.tensor([[72 if bar % 2 == 0 else 71, 8] for bar in range(bars) for _ in range(2)])
    return Chorale(number, f"made/up{number}", roll, melody, 0, "major", (4, 4), 0)


def fake_load(split):
    counts = {"train": 6, "validation": 2, "test": 2}
    start = {"train": 1, "validation": 7, "test": 9}[split]
    return [made_up(start + i, bars=2 + i % 2) for i in range(counts[split])]


class Zero(nn.Module):
    """A model that outputs logits 0 everywhere, with a (dummy) state, for exact reference values."""

    def __init__(self, outputs: int) -> None:
        super().__init__()
        self.outputs = outputs
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, state=None, lengths=None):
        return inputs.new_zeros(*inputs.shape[:2], self.outputs, dtype=torch.float) + self.weight, state


def test_note_tokens_round_trip_and_cover_the_vocabulary():
    """Reference: the module docstring's layout: token 1 + pitch index · 14 + duration index; END = 0."""
    tokens = {note_token(p, d) for p in MELODY_PITCHES for d in DURATIONS}
    assert tokens == set(range(1, MELODY_VOCAB)) and MELODY_VOCAB == 365
    assert all(token_note(note_token(p, d)) == (p, d) for p in MELODY_PITCHES for d in DURATIONS)
    assert note_token(REST, 4) == 1 + 0 * 14 + 3
    assert note_token(72, 10) == note_token(72, 8)  # off the list: the nearest duration (tie: the shorter)
    with pytest.raises(ValueError, match=r"melody pitch 90 lies outside 57\.\.81"):
        note_token(90, 4)
    with pytest.raises(ValueError, match="token 0 is not a note"):
        token_note(END)


def test_documents():
    """Reference: made_up(1): silence, then 32 frames; quarter resolution keeps frames 0, 4, 8, ...;
    the melody is END, four half notes, END."""
    chorale = made_up(1)
    document = roll_document(chorale)
    assert document.shape == (33, PITCHES) and not document[0].any()
    assert torch.equal(document[1:], chorale.roll.float())
    assert torch.equal(roll_document(chorale, 1)[1:], chorale.roll[::4].float())
    assert melody_document(chorale).tolist() == [END, note_token(72, 8), note_token(72, 8), note_token(71, 8),
                                                 note_token(71, 8), END]


def test_nll_per_frame_of_zero_logits_is_p_ln_2():
    """Reference: σ(0) = ½ for every pitch, so each frame costs exactly P · ln 2 nats, whatever it holds;
    and frame accuracy is 0 (nothing predicted on)."""
    task = ChoraleRollTask(load=fake_load)
    metrics = task.evaluate_model(Zero(PITCHES), torch.device("cpu"))
    assert metrics["nll_per_frame"] == pytest.approx(PITCHES * math.log(2), rel=1e-6)
    assert metrics["accuracy"] == 0.0
    batch = task.sample_at(1, 2)
    assert float(task.loss(Zero(PITCHES)(batch.inputs)[0], batch).detach()) == pytest.approx(PITCHES * math.log(2))
    assert task.baseline["nll_per_frame"] == PITCHES * math.log(2)


def test_frame_accuracy_by_hand():
    """Reference: Bay et al. 2009, TP / (TP + FP + FN): truth {a, b}, predicted {b, c} -> 1 / 3."""
    task = ChoraleRollTask(load=fake_load)
    targets = torch.zeros(1, 1, PITCHES)
    targets[0, 0, :2] = 1
    logits = torch.full((1, 1, PITCHES), -10.0)
    logits[0, 0, 1:3] = 10.0
    assert task.metrics(logits, Batch(targets, targets))["accuracy"] == pytest.approx(1 / 3)


def test_evaluation_scores_every_frame_once_with_carried_state():
    """Reference: an LSTM run over each held-out chorale whole in one call, its BCE summed by hand; the
    chunked evaluation (chunks of 5, state carried) must give the same NLL per frame."""
    task = ChoraleRollTask(ChoraleRollConfig(chunk_length=5), load=fake_load)
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io).eval()
    total, frames = 0.0, 0
    with torch.no_grad():
        for document in task.eval_documents:
            logits, _ = model(document[None, :-1])
            total += float(F.binary_cross_entropy_with_logits(logits[0], document[1:], reduction="sum"))
            frames += len(document) - 1
        assert frames == 32 + 48  # two held-out chorales of 2 and 3 bars
        assert task.evaluate_model(model, torch.device("cpu"))["nll_per_frame"] == pytest.approx(total / frames)


def test_melody_cross_entropy_of_zero_logits_is_ln_v():
    task = ChoraleMelodyTask(load=fake_load)
    metrics = task.evaluate_model(Zero(MELODY_VOCAB), torch.device("cpu"))
    assert metrics["nll_per_token"] == pytest.approx(math.log(MELODY_VOCAB), rel=1e-6)


def test_stream_batches_continue_and_reset():
    """Reference: rnnlab.data.stream: training chorales cut into chunks of 8; every row of the first batch
    resets, a row continues its chorale in the next batch; `sample` walks the same stream."""
    task = ChoraleRollTask(ChoraleRollConfig(chunk_length=8), load=fake_load)
    first, second = task.sample_at(1, 2), task.sample_at(2, 2)
    assert first.inputs.shape == (2, 8, PITCHES) and bool(first.resets.all())
    assert torch.equal(first.targets[0, -1], second.inputs[0, 0])  # row 0 carries on
    assert torch.equal(task.sample(2, torch.Generator()).inputs, first.inputs)
    assert torch.equal(task.sample(2, torch.Generator()).inputs, second.inputs)


@pytest.mark.parametrize("build", [lambda: ChoraleRollTask(ChoraleRollConfig(chunk_length=8), load=fake_load),
                                   lambda: ChoraleMelodyTask(ChoraleMelodyConfig(chunk_length=4), load=fake_load)],
                         ids=["roll", "melody"])
def test_the_training_loop_accepts_them(build):
    """Reference: rnnlab.train.loop.train runs a few carried-state steps and evaluates (no performance claim)."""
    task = build()
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    result = train(model, task, TrainConfig(steps=4, batch_size=2, eval_every=4, device="cpu"))
    assert len(result.records) == 1 and not result.diverged
    assert set(result.final.metrics) == set(task.baseline)
    assert all(math.isfinite(value) for value in result.final.metrics.values())


def test_configs_refuse_bad_values_and_name_the_task():
    with pytest.raises(ValueError, match="frames_per_quarter must be 1, 2 or 4"):
        ChoraleRollConfig(frames_per_quarter=3)
    with pytest.raises(ValueError, match="split must be 'validation' or 'test'"):
        ChoraleMelodyConfig(split="train")
    with pytest.raises(ValueError, match="max_train must be positive"):
        ChoraleRollConfig(max_train=0)
    assert make_task("chorales-roll", frames_per_quarter=1, max_train=5).name == "chorales-roll-q1-train5"
    assert make_task("chorales-melody").io.input_size == MELODY_VOCAB
