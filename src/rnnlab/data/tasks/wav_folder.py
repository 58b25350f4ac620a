"""Classify your own recordings: a folder of WAV files, labelled by sub-folder or by file name.

    recordings/yes/a.wav, recordings/yes/b.wav, recordings/no/c.wav     label = the top sub-folder
    recordings/yes_01.wav, recordings/no-3.wav, recordings/no.wav        label = the name less a trailing number

    rnnlab train --task wav-folder --set path=recordings/ --model lstm
    rnnlab classify runs/wav-folder-lstm-s0 new_recording.wav

Every file is read as mono 16 kHz, trimmed to the loud part, and turned into 13 MFCCs per 10 ms
(rnnlab.data.audio.wav_features), standardised with the training split's statistics. Hidden files
and folders (names starting with '.') are skipped; anything else that is not a .wav file is an error.

Split: fixed and stratified by label, from one shuffle of the sorted file list with `SPLIT_SEED`:
round(fraction · n) recordings of each label (at least one) to validation and to test, the rest to
train; so every label needs at least 3 recordings. Recordings of one speaker can land in several
splits: hold whole speakers out yourself (a separate folder per split is not supported yet).

Building the task lists the folder and reads every WAV header (fast, and it reports a bad file before
training starts); the audio itself is read on first use, once per process. A run remembers the folder's
listing (each file's name and size: `fingerprint`) and its labels, and keeps the feature statistics in its
folder (RUN/features.json, speech.py): `classify` works after the recordings moved or changed, or on another
machine; what needs the recordings themselves (`evaluate`, resuming) refuses a folder that has changed,
since its labels and statistics might no longer be the model's.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from rnnlab.data.audio import MFCCConfig, check_wav, wav_features
from rnnlab.data.tasks.labelled import LabelledSequences, Split
from rnnlab.data.tasks.speech import AudioTask, check_common

SPLIT_SEED = 16_000  # fixed: the same folder always splits the same way
NAMING = "name files LABEL_NN.wav or put them in LABEL/ sub-folders"
TRAILING_NUMBER = re.compile(r"[\s_\-.]*\d+$")


@dataclass(frozen=True)
class WavFolderConfig:
    """Name the label of a recording in `path` (see the module docstring for the layout).

        inputs : 13 standardised MFCCs per 10 ms frame    (B, T, 13), padded; lengths (B,)
        target : the label's index in sorted label order   (B,)
    """

    path: str = ""  # the folder, e.g. --set path=recordings/; made absolute, so the run rebuilds from any folder
    split: Literal["validation", "test"] = "validation"
    validation_fraction: float = 0.15
    test_fraction: float = 0.15
    max_train: int | None = None
    max_test: int | None = None
    solved_accuracy: float | None = None  # None: above the strongest baseline's validation accuracy
    # The folder's listing (names and sizes) when the config was made; a rebuilt run (classify, evaluate)
    # refuses a folder that has changed since, whose labels or statistics would no longer match the model.
    fingerprint: str = ""
    # The labels, in class order, when the config was made: with the feature statistics the run keeps
    # (RUN/features.json), what classifying a recording needs once the folder has moved or changed.
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", str(self.path))  # `--set path=2024` parses as an int
        object.__setattr__(self, "labels", tuple(str(label) for label in self.labels))  # JSON gives a list
        if self.path:
            object.__setattr__(self, "path", str(Path(self.path).expanduser().resolve()))
            folder = Path(self.path)
            if not self.fingerprint:
                object.__setattr__(self, "fingerprint", folder_fingerprint(folder))
            if not self.labels and folder.is_dir() and folder_fingerprint(folder) == self.fingerprint:
                object.__setattr__(self, "labels", tuple(sorted({label for _, label in scan(folder)})))
        for name in ("validation_fraction", "test_fraction"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must lie in (0, 1), got {getattr(self, name)}")
        if self.validation_fraction + self.test_fraction >= 1:
            raise ValueError("validation_fraction + test_fraction must leave recordings to train on")
        check_common(self)


def visible_files(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted, skipping hidden files and folders (names starting with '.')."""
    return [file for file in sorted(folder.rglob("*"))
            if not any(part.startswith(".") for part in file.relative_to(folder).parts) and not file.is_dir()]


def folder_fingerprint(folder: Path) -> str:
    """SHA-256 of the folder's listing: each visible file's relative path and size ("" for no folder)."""
    if not folder.is_dir():
        return ""
    listing = "".join(f"{file.relative_to(folder)}\t{file.stat().st_size}\n" for file in visible_files(folder))
    return hashlib.sha256(listing.encode()).hexdigest()


def label_of(file: Path, folder: Path) -> str:
    """The top sub-folder's name, else the file name less its extension and a trailing number."""
    parts = file.relative_to(folder).parts
    label = parts[0] if len(parts) > 1 else TRAILING_NUMBER.sub("", file.stem)
    if not label:
        raise ValueError(f"{file}: cannot tell its label from the name; {NAMING}")
    return label


def scan(folder: Path) -> list[tuple[Path, str]]:
    """(file, label) for every recording under `folder`, sorted by path; one-line errors for a bad folder."""
    if not folder.exists():
        raise ValueError(f"{folder} does not exist")
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; --set path= takes a folder of WAV files")
    recordings = []
    for file in visible_files(folder):
        if file.suffix.lower() != ".wav":
            raise ValueError(f"{file} is not a .wav file; the folder must hold only WAV recordings ({NAMING})")
        check_wav(file)
        recordings.append((file, label_of(file, folder)))
    if not recordings:
        raise ValueError(f"{folder} holds no .wav files; {NAMING}")
    counts: dict[str, int] = {}
    for _, label in recordings:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise ValueError(f"{folder}: every recording has the label {next(iter(counts))!r}; need at least two labels")
    few = {label: n for label, n in counts.items() if n < 3}
    if few:
        label, n = min(few.items())
        raise ValueError(f"{folder}: label {label!r} has {n} recording(s); every label needs at least 3 "
                         "(one each for training, validation and test)")
    return recordings


def assign_splits(labels: list[str], validation_fraction: float, test_fraction: float) -> list[Split]:
    """The split of each recording: per label, one shuffle, then test rows, validation rows, the rest train."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(SPLIT_SEED)).tolist()
    splits: list[Split] = ["train"] * len(labels)
    for label in sorted(set(labels)):
        rows = [r for r in order if labels[r] == label]
        n_test = max(1, round(test_fraction * len(rows)))
        n_validation = max(1, round(validation_fraction * len(rows)))
        for rank, row in enumerate(rows):
            splits[row] = "test" if rank < n_test else "validation" if rank < n_test + n_validation else "train"
    return splits


@functools.lru_cache(maxsize=2)  # the validation task and the end-of-run test task share one read
def read_folder(recordings: tuple[tuple[Path, str, int], ...], mfcc: MFCCConfig) -> list[torch.Tensor]:
    """MFCCs (T_i, D) of every file; `recordings` = (path, label, modification time) keys the cache."""
    return [wav_features(path, mfcc) for path, _, _ in recordings]


class UnconfiguredTask(AudioTask):
    """The task before `--set path=` is given, as `rnnlab tasks` lists it: any use of its data says what is missing."""

    @property
    def baseline(self) -> dict[str, float]:
        return {}  # no folder, no classes to count

    def baselines(self, split: Split) -> dict[str, dict[str, float]]:
        return {}


def _needs_a_folder(split: Split) -> LabelledSequences:
    raise ValueError("task wav-folder needs the folder of recordings: --set path=FOLDER")


def detached(config: WavFolderConfig, why: str) -> AudioTask:
    """The task of a run whose folder of recordings moved or changed: it knows its labels (from the config) and,
    once `restore_artifacts` reads the run folder, its feature statistics, so it classifies a recording; any
    use of the data (training, evaluating) is the error `why`."""
    def unavailable(split: Split) -> LabelledSequences:
        raise ValueError(why)

    return AudioTask("wav-folder", config, config.labels, unavailable, 1.0, MFCCConfig())


def build_wav_folder(config: WavFolderConfig) -> AudioTask:
    if not config.path:
        return UnconfiguredTask("wav-folder", config, ("?", "?"), _needs_a_folder, 1.0, MFCCConfig())
    folder = Path(config.path)
    gone = None
    if not config.fingerprint:  # a new run's folder: scan says what is wrong with it
        pass
    elif not folder.is_dir():
        gone = f"{folder} is not a folder of recordings (it was moved or removed?)"
    elif folder_fingerprint(folder) != config.fingerprint:
        gone = (f"{folder} has changed since this run was made (files added, removed or resized): its labels and "
                "statistics may no longer match the model; train again, or restore the folder")
    if gone is not None:
        if not config.labels:
            raise ValueError(gone)
        return detached(config, gone)
    recordings = scan(folder)
    labels = [label for _, label in recordings]
    classes = tuple(sorted(set(labels)))
    splits = assign_splits(labels, config.validation_fraction, config.test_fraction)
    mfcc = MFCCConfig()
    key = tuple((path, label, path.stat().st_mtime_ns) for path, label in recordings)

    def load(split: Split) -> LabelledSequences:
        features = read_folder(key, mfcc)
        rows = [r for r, s in enumerate(splits) if s == split]
        return LabelledSequences([features[r] for r in rows], torch.tensor([classes.index(labels[r]) for r in rows]))

    # No reference is known for a user's recordings: solved = above the strongest baseline (majority class, bag
    # of frames) on the validation split, unless `solved_accuracy` says otherwise.
    return AudioTask("wav-folder", config, classes, load, None, mfcc)
