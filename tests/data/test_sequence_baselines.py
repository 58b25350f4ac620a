"""The bag-of-frames baseline (data/sequence_baselines.py)."""

import torch

from rnnlab.data.sequence_baselines import BagOfFrames, frame_statistics


def test_frame_statistics_are_the_mean_and_population_std_over_time():
    """Reference: by hand, frames (1, 2), (3, 6): means 2, 4; population stds 1, 2."""
    phi = frame_statistics([torch.tensor([[1.0, 2.0], [3.0, 6.0]])])
    torch.testing.assert_close(phi, torch.tensor([[2.0, 4.0, 1.0, 2.0]]))


def test_order_is_invisible_to_it():
    """Reference: the definition: φ of a sequence and of its frames shuffled are equal."""
    x = torch.randn(17, 3, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(frame_statistics([x]), frame_statistics([x[torch.randperm(17)]]))


def test_it_learns_classes_that_differ_in_level_and_ignores_those_that_differ_in_order():
    """Reference: class 1 is class 0 shifted by +2 (separable by the mean): accuracy 1; two classes holding the
    same frames in opposite orders: chance (0.5) at best, since φ is identical."""
    g = torch.Generator().manual_seed(1)
    base = [torch.randn(8, 2, generator=g) for _ in range(40)]
    labels = torch.tensor([i % 2 for i in range(40)])
    shifted = [x + 2 * float(y) for x, y in zip(base, labels)]
    model = BagOfFrames.fit(shifted[:30], labels[:30], shifted[30:], labels[30:], 2)
    assert model.accuracy(shifted[30:], labels[30:]) == 1.0
    ordered = [torch.sort(x, dim=0).values if y else torch.sort(x, dim=0, descending=True).values
               for x, y in zip(base, labels)]
    blind = BagOfFrames.fit(ordered[:30], labels[:30], ordered[30:], labels[30:], 2)
    pairs = [ordered[i] for i in range(30, 40)]
    assert torch.equal(frame_statistics(pairs[:1]), frame_statistics([ordered[30].flip(0)]))
    assert blind.validation_accuracy <= 0.8
