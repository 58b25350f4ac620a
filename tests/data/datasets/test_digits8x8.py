"""UCI 8x8 digits: the CSV parser, the stratified hold-out by hand, and the real scikit-learn wheel (slow)."""

import pytest
import torch

from rnnlab.data.datasets.digits8x8 import load_digits8x8, parse_csv, stratified_holdout


def row(label: int, fill: int = 0) -> str:
    return ",".join([str(fill)] * 64 + [str(label)])


def test_parse_csv_reads_64_pixels_then_the_label():
    """Reference: sklearn's digits.rst: 8x8 row-major integer pixels in 0..16, then the class."""
    pixels = ",".join(str(i % 17) for i in range(64))
    images, labels = parse_csv(f"{pixels},7\n{row(3, 16)}\n".encode())
    assert images.dtype == torch.uint8 and images.shape == (2, 8, 8)
    assert images[0, 1, 0] == 8 and images[0, 7, 7] == 63 % 17 and labels.tolist() == [7, 3]


@pytest.mark.parametrize(("text", "message"), [
    (row(1) + "\n1,2,3\n", r"digits\.csv row 2: expected 64 pixels and a label, got 3 fields"),
    (row(1).replace("0", "x", 1) + "\n", r"digits\.csv row 1: a field is not a number"),
    (row(1, 17) + "\n", r"pixels must lie in 0\.\.16"),
    (row(10) + "\n", r"labels must lie in 0\.\.9"),
    ("\n", r"digits\.csv is empty"),
])
def test_parse_csv_errors_name_the_row(text, message):
    with pytest.raises(ValueError, match=message):
        parse_csv(text.encode(), "digits.csv")


def test_stratified_holdout_takes_the_rounded_share_of_every_class():
    """Reference, by hand: classes of 10, 5 and 3 rows with fraction 0.2 hold out 2, 1 and 1 (round(0.6))."""
    labels = torch.tensor([0] * 10 + [1] * 5 + [2] * 3)
    kept, held = stratified_holdout(labels, 0.2, seed=0)
    assert torch.bincount(labels[held], minlength=3).tolist() == [2, 1, 1]
    assert sorted(torch.cat([kept, held]).tolist()) == list(range(18))
    again_kept, again_held = stratified_holdout(labels, 0.2, seed=0)
    assert torch.equal(kept, again_kept) and torch.equal(held, again_held)
    with pytest.raises(ValueError, match="fraction must lie in"):
        stratified_holdout(labels, 1.0, seed=0)


@pytest.mark.slow
def test_the_real_wheel():
    """Reference: sklearn's digits.rst: 1,797 images; the module docstring's 1,295 / 143 / 359 split."""
    splits = {s: load_digits8x8(s) for s in ("train", "validation", "test")}
    assert [len(splits[s][1]) for s in splits] == [1295, 143, 359]
    assert sum(len(labels) for _, labels in splits.values()) == 1797
    assert int(splits["train"][0].max()) == 16 and torch.bincount(splits["test"][1]).min() >= 35
