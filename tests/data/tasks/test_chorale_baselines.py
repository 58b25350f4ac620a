"""Baselines of the chorale tasks (data/tasks/chorale_baselines.py)."""

import math

import pytest
import torch

from rnnlab.data.tasks.chorale_baselines import melody_baselines, roll_baselines


def test_roll_baselines_by_hand():
    """Reference: one pitch (P = 1), training frames after the silent start: 1, 1, 0 (previous 0, 1, 1).
    Frequency (2 + ½) / (3 + 1) = 5/8; stay (1 + ½) / (2 + 1) = ½; start (1 + ½) / (1 + 1) = ¾."""
    train = [torch.tensor([[0.0], [1.0], [1.0], [0.0]])]
    held_out = [torch.tensor([[0.0], [1.0], [1.0]])]  # predicts 1 after 0, then 1 after 1
    found = roll_baselines(train, held_out)
    assert found["fair coins"]["nll_per_frame"] == pytest.approx(math.log(2))
    assert found["pitch frequency"]["nll_per_frame"] == pytest.approx(-math.log(5 / 8))
    assert found["repeat previous"]["nll_per_frame"] == pytest.approx(-(math.log(3 / 4) + math.log(1 / 2)) / 2)


def test_melody_baselines_by_hand():
    """Reference: V = 3, training document 0 1 1 0: unigram counts (add one) 2, 3, 1 of 6; bigram rows add one."""
    found = melody_baselines([torch.tensor([0, 1, 1, 0])], [torch.tensor([0, 1])], 3)
    assert found["unigram"]["nll_per_token"] == pytest.approx(-math.log(3 / 6))
    assert found["bigram"]["nll_per_token"] == pytest.approx(-math.log(2 / 4))  # row 0: 1+1, 1, 1 → p(1|0) = 2/4
