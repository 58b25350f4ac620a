"""The labelled-sequence task on a hand-made data set: lazy loading, padding, baseline, evaluation."""

import torch

from rnnlab.data.tasks.labelled import LabelledSequences, LabelledSequenceTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec

SPLITS = {
    "train": LabelledSequences([torch.tensor([1, 2]), torch.tensor([3]), torch.tensor([2, 2, 2])],
                               torch.tensor([0, 1, 1])),
    "validation": LabelledSequences([torch.tensor([1]), torch.tensor([2, 3, 1, 1])], torch.tensor([1, 0])),
    "test": LabelledSequences([torch.tensor([3, 3])], torch.tensor([1])),
}


def make(split="validation", solved_accuracy=1.0):
    loads = []

    def load(name):
        loads.append(name)
        return SPLITS[name]

    task = LabelledSequenceTask("toy", IOSpec(4, 2, tokens=True, per_step=False), ("neg", "pos"), load, split,
                                solved_accuracy)
    return task, loads


def test_baselines_score_the_majority_class_on_either_held_out_split():
    """Reference: the training majority is class 1; validation labels 1, 0 (0.5), test label 1 (1.0)."""
    task, _ = make()
    assert task.baselines("validation") == {"majority class": {"accuracy": 0.5}}
    assert task.baselines("test") == {"majority class": {"accuracy": 1.0}}


def test_without_a_threshold_solved_means_beating_the_strongest_baseline_on_validation():
    """Reference: the majority class scores 0.5 on validation: 0.5 ties it (not solved), 0.6 beats it."""
    task, _ = make(solved_accuracy=None)
    assert task.solved_threshold == 0.5
    assert not task.solved({"accuracy": 0.5}) and task.solved({"accuracy": 0.6})


def test_nothing_loads_until_used_and_the_baseline_is_the_training_majority():
    task, loads = make()
    assert loads == []
    assert task.baseline == {"accuracy": 0.5}  # majority class 1 (2 of 3), right on 1 of 2 validation rows
    assert sorted(loads) == ["train", "validation"]


def test_batches_are_padded_with_lengths_and_evaluation_matches_one_padded_batch():
    task, _ = make()
    batch = task.sample(5, torch.Generator().manual_seed(0))
    assert batch.inputs.shape[0] == 5 and batch.lengths is not None
    for row in range(5):
        assert batch.inputs[row, batch.lengths[row]:].eq(0).all()
    torch.manual_seed(0)
    model = build_model(ModelConfig("gru", hidden_size=3), task.io)
    model.eval()
    whole = task.test_set()
    with torch.no_grad():
        expected = task.metrics(model(whole.inputs, None, whole.lengths)[0], whole)
        got = task.evaluate_model(model, torch.device("cpu"), batch_size=1)
    assert abs(got["accuracy"] - expected["accuracy"]) < 1e-9
    assert abs(got["cross_entropy"] - expected["cross_entropy"]) < 1e-6


def test_the_test_split_is_separate():
    task, loads = make("test")
    assert task.test_set().targets.tolist() == [1] and "validation" not in loads
