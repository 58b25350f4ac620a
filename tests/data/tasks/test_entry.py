"""TaskEntry and its typed suggestions (data/tasks/entry.py)."""

import dataclasses

import pytest

from rnnlab.data.tasks.entry import SuggestedModel, SuggestedTraining
from rnnlab.data.tasks.registry import task_entry
from rnnlab.models.registry import ModelConfig
from rnnlab.train.loop import TrainConfig


def test_suggestions_are_fields_of_the_configs_they_go_to():
    """Reference: dataclasses.fields of ModelConfig and TrainConfig, which make_experiment fills from them
    (train/ sits above data/, so the check is here rather than at registration)."""
    assert {f.name for f in dataclasses.fields(SuggestedModel)} <= {f.name for f in dataclasses.fields(ModelConfig)}
    assert {f.name for f in dataclasses.fields(SuggestedTraining)} <= {f.name for f in dataclasses.fields(TrainConfig)}


def test_given_leaves_out_what_was_not_suggested():
    training = SuggestedTraining(lr=3e-3, batch_size=32, stop_when_solved=False)
    assert training.given() == {"lr": 3e-3, "batch_size": 32, "stop_when_solved": False}
    assert SuggestedModel(hidden_size=64).given() == {"hidden_size": 64}


def test_config_sets_the_knob_and_refuses_what_the_task_does_not_have():
    entry = task_entry("copy")
    assert entry.config(100).delay == 100  # copy's knob is the delay, not its own `length` field
    with pytest.raises(ValueError, match="has no option"):
        entry.config(colour="red")
    with pytest.raises(ValueError, match="always has dataset='mnist5k'"):
        task_entry("mnist5k").config(dataset="fashion")
    with pytest.raises(ValueError, match="no length to set"):
        task_entry("mnist5k").config(10)
