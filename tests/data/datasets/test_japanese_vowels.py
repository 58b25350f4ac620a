"""JapaneseVowels: the `.ts` parser on hand-written files, the split on a fake sktime wheel (no network), and
the real wheel's counts (slow)."""

import zipfile

import pytest
import torch

from rnnlab.data.cache import CACHE_ENV
from rnnlab.data.datasets import japanese_vowels
from rnnlab.data.datasets.japanese_vowels import FOLDER, load_japanese_vowels, parse_ts

SMALL = """# a comment, then the header
@problemName Toy
@timeStamps false
@univariate false
@dimensions 2
@equalLength false
@classLabel true a b
@data
1.0,2.0,3.0:4.0,5.0,6.0:a

0.5,-1e-1:7,8:b
"""


def test_parse_ts_reads_cases_as_time_by_dimension():
    """Reference: the format in parse_ts's docstring: ':' separates dimensions, ',' time steps, the label last."""
    data = parse_ts(SMALL)
    assert data.classes == ("a", "b") and data.labels == ["a", "b"]
    torch.testing.assert_close(data.series[0], torch.tensor([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]))
    torch.testing.assert_close(data.series[1], torch.tensor([[0.5, 7.0], [-0.1, 8.0]]))


@pytest.mark.parametrize(("line", "message"), [
    ("1,2:a", r"toy\.ts line 12: expected 2 dimensions and a label, got 1"),
    ("1,?:3,4:a", r"toy\.ts line 12: a value is not a number \(missing values '\?' are not supported\)"),
    ("1,2:3:a", r"toy\.ts line 12: the dimensions have different lengths \[2, 1\]"),
    ("1:2:c", r"toy\.ts: labels \['c'\] are not among the @classLabel values \['a', 'b'\]"),
])
def test_parse_ts_names_the_file_and_line(line, message):
    with pytest.raises(ValueError, match=message):
        parse_ts(SMALL + line + "\n", "toy.ts")


def test_parse_ts_needs_class_labels_and_cases():
    with pytest.raises(ValueError, match="no '@classLabel true"):
        parse_ts(SMALL.replace("@classLabel true a b", "@classLabel false"), "toy.ts")
    with pytest.raises(ValueError, match="no cases after @data"):
        parse_ts(SMALL.split("@data")[0] + "@data\n", "toy.ts")
    with pytest.raises(ValueError, match="line 2: expected a @header line"):
        parse_ts("@problemName x\n1,2:a\n", "toy.ts")


def fake_ts(per_speaker: int, length: int) -> str:
    """9 speakers x `per_speaker` cases of `length` frames x 12 dimensions; values encode (case, dimension)."""
    lines = ["@dimensions 12", "@classLabel true 1 2 3 4 5 6 7 8 9", "@data"]
    for case in range(9 * per_speaker):
        dims = [",".join(str(case + d / 100) for _ in range(length + case % 3)) for d in range(12)]
        lines.append(":".join(dims) + f":{case % 9 + 1}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def fake_wheel(monkeypatch, tmp_path):
    """A wheel holding small TRAIN (6 per speaker) and TEST (2 per speaker) files, where fetch_wheel looks."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    folder = tmp_path / "sktime" / "1.2.0"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "sktime-1.2.0-py3-none-any.whl", "w") as archive:
        archive.writestr(f"{FOLDER}JapaneseVowels_TRAIN.ts", fake_ts(6, 7))
        archive.writestr(f"{FOLDER}JapaneseVowels_TEST.ts", fake_ts(2, 9))
    japanese_vowels.load_official.cache_clear()
    yield
    japanese_vowels.load_official.cache_clear()


def test_validation_is_carved_from_training_stratified_and_test_is_official(fake_wheel):
    """Reference: 1/6 of each speaker's training cases (here 1 of 6) to validation, disjoint from train;
    the test file unchanged."""
    train, validation, test = (load_japanese_vowels(s) for s in ("train", "validation", "test"))
    assert torch.bincount(train.labels).tolist() == [5] * 9
    assert torch.bincount(validation.labels).tolist() == [1] * 9
    ids = lambda data: {float(s[0, 0]) for s in data.sequences}  # noqa: E731  the case number
    assert not ids(train) & ids(validation) and len(ids(train) | ids(validation)) == 54
    assert len(test.labels) == 18 and test.sequences[0].shape == (9, 12)
    torch.testing.assert_close(test.sequences[0][0], torch.arange(12) / 100)
    again = load_japanese_vowels("validation")
    assert all(torch.equal(a, b) for a, b in zip(again.sequences, validation.sequences, strict=True))


@pytest.mark.slow
def test_the_real_wheel():
    """Reference: the UCI description: 270 training (30 per speaker) and 370 test utterances, 7-29 frames of 12."""
    train, validation, test = (load_japanese_vowels(s) for s in ("train", "validation", "test"))
    assert len(train.labels) + len(validation.labels) == 270 and len(validation.labels) == 45
    assert len(test.labels) == 370
    assert torch.bincount(test.labels).tolist() == [31, 35, 88, 44, 29, 24, 40, 50, 29]
    lengths = [len(s) for s in train.sequences + validation.sequences + test.sequences]
    assert min(lengths) == 7 and max(lengths) == 29
    assert all(s.shape[1] == 12 for s in test.sequences)
