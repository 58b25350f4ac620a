"""The user's data as sequences and splits (rnnlab.api.data): what each kind of input becomes.

Reference: the module docstring's rules, with the expected tensors written out by hand."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.api.data import as_arrays, as_sequences


def test_arrays_lists_and_tensors_become_padded_sequences_with_lengths():
    features, lengths = as_sequences(np.ones((4, 5, 3), dtype=np.float64))
    assert features.shape == (4, 5, 3) and features.dtype == torch.float32 and lengths.tolist() == [5] * 4
    tokens, _ = as_sequences(torch.tensor([[1, 2, 3], [4, 5, 6]]))
    assert tokens.dtype == torch.int64 and tokens.shape == (2, 3)
    univariate, _ = as_sequences(np.zeros((2, 7)))
    assert univariate.shape == (2, 7, 1)
    ragged, found = as_sequences([np.ones((2, 3)), np.ones((4, 3))])
    assert ragged.shape == (2, 4, 3) and found.tolist() == [2, 4] and ragged[0, 2:].abs().sum() == 0
    _, found = as_sequences(np.ones((2, 4, 1)), lengths=[1, 4])
    assert found.tolist() == [1, 4]
    with pytest.raises(ValueError, match=r"lengths must be one per sequence, in 1 \.\. 4"):
        as_sequences(np.ones((2, 4, 1)), lengths=[0, 4])


def test_string_labels_become_sorted_classes_and_fractions_are_held_out():
    x = np.random.default_rng(0).normal(size=(20, 6, 2))
    y = ["b", "a"] * 10
    data = as_arrays(x, y, validation=0.2, test=0.1, seed=3)
    assert data.kind == "classes" and data.classes == ("a", "b")
    assert data.io.output_size == 2 and not data.io.per_step and data.io.input_size == 2
    sizes = {name: len(split.lengths) for name, split in data.splits.items()}
    assert sizes == {"train": 14, "validation": 4, "test": 2}
    rows = torch.cat([data.splits[s].inputs for s in ("train", "validation", "test")])
    assert sorted(map(tuple, rows[:, 0].tolist())) == sorted(map(tuple, torch.as_tensor(x[:, 0]).float().tolist()))


def test_floats_are_values_and_integer_steps_are_per_step_classes():
    x = np.zeros((10, 4, 1))
    values = as_arrays(x, np.arange(10, dtype=float), validation=(x[:2], [0.5, 1.5]), test=0.2)
    assert values.kind == "values" and values.splits["train"].targets.shape == (8, 1)
    assert values.splits["validation"].targets.tolist() == [[0.5], [1.5]]
    tags = as_arrays(np.zeros((10, 4), dtype=int), np.tile([0, 2, 1, 0], (10, 1)))
    assert tags.io.per_step and tags.io.tokens and tags.classes == ("0", "1", "2")


def test_a_long_dataframe_is_one_sequence_per_group_in_order():
    frame = pd.DataFrame({"id": [7, 7, 7, 3, 3], "t": [2, 0, 1, 1, 0], "a": [2.0, 0.0, 1.0, 11.0, 10.0],
                          "label": ["x", "x", "x", "y", "y"]})
    data = as_arrays(frame, target="label", group="id", order="t", validation=(frame, None), test=(frame, None))
    train = data.splits["train"]
    assert data.classes == ("x", "y") and not data.io.per_step
    assert [train.inputs[k, :int(train.lengths[k]), 0].tolist() for k in range(2)] == [[0.0, 1.0, 2.0], [10.0, 11.0]]
    assert train.targets.tolist() == [0, 1]
    with pytest.raises(ValueError, match="name its target column"):
        as_arrays(frame, [1, 2])
