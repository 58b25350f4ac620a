"""Checkpoints: an exact round trip, atomic replacement, pruning, and one-line errors for every kind of damage."""

import json
import shutil

import pytest
import torch
from torch import nn

from rnnlab.data.tasks.base import seeded
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec
from rnnlab.train.checkpoint import (
    KEEP,
    CheckpointError,
    TrainingState,
    latest_checkpoint,
    load_checkpoint,
    load_weights,
    save_checkpoint,
    saved_records,
)
from rnnlab.train.optim import OPTIMIZERS, make_optimizer

IO = IOSpec(input_size=2, output_size=1)


def model(hidden_size: int = 6, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return build_model(ModelConfig("lstm", hidden_size=hidden_size), IO)


def take_steps(net: nn.Module, optimizer: torch.optim.Optimizer, steps: int, seed: int = 0) -> None:
    """A few optimiser steps on random data, so that the optimiser holds state."""
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        inputs = torch.rand(4, 5, 2, generator=generator)
        outputs, _ = net(inputs)
        loss = outputs.pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def state(step: int, records: list | None = None) -> TrainingState:
    generator = seeded(3, 0)
    torch.rand(7, generator=generator)  # move the stream away from its start
    return TrainingState(step, elapsed=1.5 * step, records=records or [{"step": step}],
                         data_rng=generator.get_state(), torch_rng=torch.get_rng_state())


def saved(tmp_path, steps=(3,)):
    net = model()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    take_steps(net, optimizer, 2)
    for step in steps:
        save_checkpoint(tmp_path, net, optimizer, state(step))
    return tmp_path / f"step-{steps[-1]:08d}"


def test_round_trip_restores_weights_adam_moments_and_rng_exactly(tmp_path):
    """Reference: the objects saved. Weights, Adam's exp_avg / exp_avg_sq / step and both RNG states come
    back bit for bit (torch.equal), and the restored optimiser takes the very same next step."""
    net = model()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.95))
    take_steps(net, optimizer, 3)
    torch.manual_seed(123)
    torch.rand(5)
    saved_state = state(7, records=[{"step": 5, "metrics": {"mse": 0.25}}, {"step": 7, "metrics": {"mse": 0.125}}])
    path = save_checkpoint(tmp_path, net, optimizer, saved_state)
    assert path == tmp_path / "step-00000007"

    restored = model(seed=99)  # different initial weights, to be overwritten
    restored_optimizer = torch.optim.Adam(restored.parameters(), lr=0.5)
    loaded = load_checkpoint(path, restored, restored_optimizer)

    for (name, original), (restored_name, value) in zip(net.state_dict().items(), restored.state_dict().items()):
        assert name == restored_name
        assert torch.equal(original, value), name
    original_slots = optimizer.state_dict()["state"]
    restored_slots = restored_optimizer.state_dict()["state"]
    assert original_slots.keys() == restored_slots.keys()
    for index, slots in original_slots.items():
        assert slots.keys() == restored_slots[index].keys() == {"step", "exp_avg", "exp_avg_sq"}
        for key, value in slots.items():
            assert torch.equal(value, restored_slots[index][key]), (index, key)
    (group,) = restored_optimizer.param_groups
    assert group["lr"] == 0.01 and tuple(group["betas"]) == (0.8, 0.95)

    assert loaded.step == 7 and loaded.elapsed == 10.5 and not loaded.diverged
    assert loaded.records == saved_state.records
    assert torch.equal(loaded.data_rng, saved_state.data_rng)
    assert torch.equal(loaded.torch_rng, saved_state.torch_rng)
    generator, reference = torch.Generator(), seeded(3, 0)
    torch.rand(7, generator=reference)
    generator.set_state(loaded.data_rng)
    assert torch.equal(torch.rand(10, generator=generator), torch.rand(10, generator=reference))

    take_steps(net, optimizer, 1, seed=5)
    take_steps(restored, restored_optimizer, 1, seed=5)
    for original, value in zip(net.parameters(), restored.parameters()):
        assert torch.equal(original, value)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_continues_exactly(tmp_path, name):
    """Reference: the optimiser that was saved. After a round trip, three more steps give bit-identical
    weights for each optimiser (momentum buffers, RMSprop's square averages, AdamW's moments)."""
    net = model()
    optimizer = make_optimizer(name, net.parameters(), lr=0.05, weight_decay=0.01, momentum=0.9)
    take_steps(net, optimizer, 2)
    path = save_checkpoint(tmp_path, net, optimizer, state(2))
    restored = model(seed=1)
    restored_optimizer = make_optimizer(name, restored.parameters(), lr=0.05, weight_decay=0.01, momentum=0.9)
    load_checkpoint(path, restored, restored_optimizer)
    take_steps(net, optimizer, 3, seed=8)
    take_steps(restored, restored_optimizer, 3, seed=8)
    for original, value in zip(net.parameters(), restored.parameters()):
        assert torch.equal(original, value)


def test_diverged_flag_round_trips(tmp_path):
    net = model()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    diverged = state(4)
    diverged.diverged = True
    path = save_checkpoint(tmp_path, net, optimizer, diverged)
    assert load_checkpoint(path, model(), torch.optim.SGD(model().parameters(), lr=0.1)).diverged


def test_latest_names_the_newest_and_only_keep_remain(tmp_path):
    """Reference: KEEP (2) complete checkpoints, the newest ones, and `latest` naming the last written."""
    saved(tmp_path, steps=(10, 20, 30, 40, 50))
    folders = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert KEEP == 2
    assert folders == ["step-00000040", "step-00000050"]
    assert (tmp_path / "latest").read_text().strip() == "step-00000050"
    assert latest_checkpoint(tmp_path) == tmp_path / "step-00000050"
    assert not list(tmp_path.glob("*.tmp"))


def test_no_checkpoint_yet(tmp_path):
    assert latest_checkpoint(tmp_path) is None
    assert latest_checkpoint(tmp_path / "missing") is None


def test_a_crash_mid_write_leaves_the_previous_checkpoint(tmp_path):
    """A run killed while writing step 40 leaves step-00000040.tmp half written (and maybe latest.tmp);
    `latest` still names step 30, which loads, and the next save of step 40 cleans up."""
    saved(tmp_path, steps=(20, 30))
    partial = tmp_path / "step-00000040.tmp"
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(b"\x00\x01half")
    (tmp_path / "latest.tmp").write_text("step-000")

    newest = latest_checkpoint(tmp_path)
    assert newest == tmp_path / "step-00000030"
    restored = model(seed=5)
    optimizer = torch.optim.Adam(restored.parameters(), lr=0.01)
    assert load_checkpoint(newest, restored, optimizer).step == 30
    assert torch.equal(restored.head.weight, load_reference(tmp_path / "step-00000030"))

    net = model()
    save_checkpoint(tmp_path, net, torch.optim.Adam(net.parameters()), state(40))
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["step-00000030", "step-00000040"]
    assert latest_checkpoint(tmp_path) == tmp_path / "step-00000040"


def load_reference(path):
    """The head weight as stored on disk, read with safetensors directly."""
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))["head.weight"]


def test_saved_records(tmp_path):
    path = saved(tmp_path)
    assert saved_records(path) == [{"step": 3}]


def expect_one_line_error(path, call, match):
    with pytest.raises(CheckpointError, match=match) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def load_into_fresh(path, hidden_size: int = 6):
    net = model(hidden_size)
    return load_checkpoint(path, net, torch.optim.Adam(net.parameters()))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "missing"])
def test_corrupt_weights(tmp_path, damage):
    path = saved(tmp_path)
    weights = path / "model.safetensors"
    if damage == "garbage":
        weights.write_bytes(b"this is not a safetensors file")
    elif damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:-9])
    elif damage == "empty":
        weights.write_bytes(b"")
    else:
        weights.unlink()
    said = "model.safetensors is (corrupt|unreadable|missing).*; it is the run's only checkpoint: train the run again"
    expect_one_line_error(path, lambda: load_into_fresh(path), said)
    expect_one_line_error(path, lambda: load_weights(path, model()), said)


def test_corrupt_optimizer_state(tmp_path):
    path = saved(tmp_path)
    (path / "optimizer.safetensors").write_bytes(b"\xff" * 20)
    expect_one_line_error(path, lambda: load_into_fresh(path), "optimizer.safetensors is (corrupt|unreadable)")


@pytest.mark.parametrize(("damage", "match"), [
    ("missing", "state.json is missing"),
    ("garbage", "state.json is unreadable"),
    ("half", "state.json is unreadable"),
    ("a list", "not a format-1 checkpoint"),
    ("format 2", "not a format-1 checkpoint"),
    ("no format", "not a format-1 checkpoint"),
    ("no records", r"state.json is incomplete \(it lacks records\)"),
])
def test_corrupt_state(tmp_path, damage, match):
    path = saved(tmp_path)
    document_path = path / "state.json"
    text = document_path.read_text()
    document = json.loads(text)
    if damage == "missing":
        document_path.unlink()
    elif damage == "garbage":
        document_path.write_bytes(b"\x00\x9f{not json")
    elif damage == "half":
        document_path.write_text(text[: len(text) // 2])
    elif damage == "a list":
        document_path.write_text("[1, 2]")
    elif damage == "format 2":
        document_path.write_text(json.dumps(document | {"format": 2}))
    elif damage == "no format":
        del document["format"]
        document_path.write_text(json.dumps(document))
    else:
        del document["records"]
        document_path.write_text(json.dumps(document))
    expect_one_line_error(path, lambda: load_into_fresh(path), match)
    expect_one_line_error(path, lambda: saved_records(path), match)


def test_weights_of_another_shape(tmp_path):
    """A checkpoint of an H=6 LSTM loaded into an H=8 one is refused, naming the checkpoint."""
    path = saved(tmp_path)
    expect_one_line_error(path, lambda: load_into_fresh(path, hidden_size=8), "does not fit this model")
    expect_one_line_error(path, lambda: load_weights(path, model(8)), "does not fit this model")


def test_weights_of_another_model(tmp_path):
    path = saved(tmp_path)
    torch.manual_seed(0)
    gru = build_model(ModelConfig("gru", hidden_size=6), IO)
    expect_one_line_error(path, lambda: load_weights(path, gru), "does not fit this model")


def test_latest_naming_a_missing_checkpoint(tmp_path):
    path = saved(tmp_path)
    shutil.rmtree(path)
    expect_one_line_error(tmp_path / "latest", lambda: latest_checkpoint(tmp_path), "names no checkpoint")
