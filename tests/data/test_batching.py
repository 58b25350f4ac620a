"""Padding with lengths, and length-bucketed sampling."""

import pytest
import torch

from rnnlab.data.batching import bucketed_rows, pad_sequences


def test_padding_keeps_every_step_and_reports_lengths():
    padded, lengths = pad_sequences([torch.tensor([1, 2, 3]), torch.tensor([4])])
    assert padded.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1]
    features, _ = pad_sequences([torch.ones(2, 5), torch.ones(4, 5)], pad_value=-1)
    assert features.shape == (2, 4, 5) and features[0, 2:].eq(-1).all()
    with pytest.raises(ValueError, match="at least one step"):
        pad_sequences([torch.tensor([1]), torch.tensor([], dtype=torch.int64)])


def test_buckets_hold_similar_lengths_and_cover_every_row():
    lengths = torch.randperm(1000) + 1  # every length 1..1000 once
    generator = torch.Generator().manual_seed(0)
    seen = torch.zeros(1000)
    spreads = []
    for _ in range(2000):
        rows = bucketed_rows(lengths, 8, generator)
        spreads.append(int(lengths[rows].max() - lengths[rows].min()))
        seen[rows] += 1
    assert max(spreads) < 64  # a window of 8 x 8 = 64 neighbours in length order
    assert seen.min() > 0  # no row is left out
    # Uniform on average: 16,000 draws over 1,000 rows, 16 each; the clamped ends are drawn a little less.
    assert 12 < float(seen[lengths[:] > 40].mean()) < 20
