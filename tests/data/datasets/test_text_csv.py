"""A user's labelled CSV: one-line errors naming file, row and column; deduplication; the stratified split."""

import pytest
import torch

from rnnlab.data.datasets.text_csv import (
    class_names,
    deduplicate,
    make_corpus,
    normalise,
    read_csv_rows,
    read_text_csv,
    stratified_split,
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def table(n_pos=10, n_neg=10):
    lines = ["review,sentiment"]
    lines += [f"good film number {i},pos" for i in range(n_pos)] + [f"bad film number {i},neg" for i in range(n_neg)]
    return "\n".join(lines) + "\n"


def test_duplicates_keep_the_first_copy_and_conflicts_drop_every_copy():
    """Hand-worked: 'Good  film' repeats 'good film' (same label: dropped), 'x'/'X' disagree (both dropped)."""
    kept, duplicates, conflicting = deduplicate(["good film", "bad", "Good  film", "x", "X"], [1, 0, 1, 1, 0])
    assert (kept, duplicates, conflicting) == ([0, 1], 1, 2)
    assert normalise("  A\tB \n c ") == "a b c"


def test_the_split_is_stratified_disjoint_and_fixed():
    """Reference: round(n_c · 0.1) of each class to test and to validation: 20 + 10 rows -> 2 + 1 each,
    train 16 + 8; the same indices on every call (the seed is fixed)."""
    labels = torch.tensor([0] * 20 + [1] * 10)
    rows = stratified_split(labels, 2, 0.1, 0.1)
    counts = {name: torch.bincount(labels[r], minlength=2).tolist() for name, r in rows.items()}
    assert counts == {"train": [16, 8], "validation": [2, 1], "test": [2, 1]}
    assert sorted(torch.cat(list(rows.values())).tolist()) == list(range(30))
    again = stratified_split(labels, 2, 0.1, 0.1)
    assert all(torch.equal(rows[name], again[name]) for name in rows)


def test_no_text_is_in_two_splits():
    texts = [f"text {i % 50}" for i in range(120)]  # every text 2-3 times, always with the same label
    corpus = make_corpus(texts, [i % 50 % 2 for i in range(120)], ("a", "b"), "toy")
    splits = [{normalise(t) for t in corpus.split(name).texts} for name in ("train", "validation", "test")]
    assert sum(map(len, splits)) == 50 and corpus.duplicates == 70 and corpus.conflicting == 0
    assert not (splits[0] & splits[1] or splits[0] & splits[2] or splits[1] & splits[2])


def test_labels_are_classes_in_sorted_order(tmp_path):
    """Reference: sorted labels, numerically when all are integers ('2' before '10')."""
    assert class_names(["pos", "neg", "pos"]) == ("neg", "pos")
    assert class_names(["10", "2", "1"]) == ("1", "2", "10")
    corpus = read_text_csv(write(tmp_path / "r.csv", table()), "review", "sentiment")
    assert corpus.classes == ("neg", "pos")
    train = corpus.train
    assert all(("good" in text) == (label == 1) for text, label in zip(train.texts, train.labels.tolist(), strict=True))
    assert len(corpus.train.texts) == 16 and len(corpus.test.texts) == 2


@pytest.mark.parametrize(("content", "message"), [
    ("", r"r\.csv is empty"),
    ("\n \n", r"r\.csv is empty"),
    ("review,sentiment\n", r"r\.csv has a header but no rows"),
    ("text,label\nhi,pos\n", r"r\.csv has no column 'review'; its columns are: text, label"),
    ("review,sentiment\nfine,pos\n\n ,neg\n", r"r\.csv, row 4, column 'review': the cell is empty"),
    ("review,sentiment\nfine,pos\nshort\n", r"r\.csv, row 3, column 'sentiment': the cell is empty"),
    (b"review,sentiment\ncaf\xe9,pos\n", r"r\.csv is not UTF-8 text \(byte 0xe9 at offset 20\)"),
])
def test_a_bad_file_is_refused_in_one_line_naming_file_row_and_column(tmp_path, content, message):
    path = write(tmp_path / "r.csv", content)
    with pytest.raises(ValueError, match=message) as raised:
        read_csv_rows(path, ("review", "sentiment"))
    assert "\n" not in str(raised.value)


def test_a_single_class_and_too_few_rows_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"r\.csv, column 'sentiment': every row has the label 'pos'"):
        read_text_csv(write(tmp_path / "r.csv", table(n_neg=0)), "review", "sentiment")
    too_few = r"few\.csv: 6 distinct texts are too few .* \(validation and test got 0 rows\)"
    with pytest.raises(ValueError, match=too_few):
        read_text_csv(write(tmp_path / "few.csv", table(3, 3)), "review", "sentiment")


def test_a_byte_order_mark_and_tabs(tmp_path):
    """Spreadsheets write a UTF-8 byte-order mark; a .tsv is split on tabs."""
    header, rows = read_csv_rows(write(tmp_path / "r.csv", "\ufeffreview,sentiment\nok,pos\n"), ("review",))
    assert header == ["review", "sentiment"] and rows == [{"review": "ok", "sentiment": "pos"}]
    _, rows = read_csv_rows(write(tmp_path / "r.tsv", "review\tsentiment\na, b\tpos\n"), ("review",))
    assert rows == [{"review": "a, b", "sentiment": "pos"}]
