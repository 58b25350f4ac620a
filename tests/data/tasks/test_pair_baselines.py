"""Baselines of the text-pair tasks (data/tasks/pair_baselines.py)."""

import math

import pytest
import torch

from rnnlab.data.tasks.pair_baselines import best_weight, cross_entropy, nearest, retrieval_cross_entropy, unigram


def test_unigram_is_add_one_smoothed_frequency():
    """Reference: by hand, V = 4, targets [2, 3] and [2, 3]: counts 1, 1, 3, 3 of 8."""
    p = unigram([torch.tensor([2, 3]), torch.tensor([2, 3])], 4)
    torch.testing.assert_close(p, torch.tensor([1, 1, 3, 3], dtype=torch.float64) / 8)
    scores = cross_entropy(p, [torch.tensor([2, 0])])
    assert scores["cross_entropy"] == pytest.approx(-(math.log(3 / 8) + math.log(1 / 8)) / 2)
    assert scores["perplexity"] == pytest.approx(math.exp(scores["cross_entropy"]))


def test_nearest_is_the_most_similar_training_context():
    """Reference: shared words by hand: 'your name?' shares two words with the second context only, 'are you
    well' two with the first, 'time' one with the third."""
    train = ["how are you", "tell me your name please", "what time is it"]
    assert nearest(train, ["your name?", "are you well", "time"]) == [1, 0, 2]


def test_retrieval_mixture_by_hand_and_lambda_zero_is_the_unigram():
    """Reference: p = λ·n_r/|r| + (1 − λ)·p_u with p_u uniform over 4, r = [1, 1, 3], target [1, 3]."""
    p_u = torch.full((4,), 0.25, dtype=torch.float64)
    retrieved, targets = [torch.tensor([1, 1, 3])], [torch.tensor([1, 3])]
    expected = -(math.log(0.5 * 2 / 3 + 0.5 * 0.25) + math.log(0.5 * 1 / 3 + 0.5 * 0.25)) / 2
    assert retrieval_cross_entropy(p_u, retrieved, targets, 0.5) == pytest.approx(expected)
    assert retrieval_cross_entropy(p_u, retrieved, targets, 0.0) == pytest.approx(math.log(4))
    assert best_weight(p_u, retrieved, targets) == 0.9  # the reply holds exactly the target's words
    assert best_weight(p_u, retrieved, [torch.tensor([0, 2])]) == 0.0  # it holds none of them
