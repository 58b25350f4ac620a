"""Speech classification: spoken digits (MFCCs of synthesised words) and JapaneseVowels (speaker ID).

Both are `LabelledSequenceTask`s over feature sequences (T_i, D), classified once after the last frame:

    spoken-digits    (T_i, 13) MFCCs, T_i = 21-96     -> which word, zero..nine (10 classes)
    japanese-vowels  (T_i, 12) LPC cepstra, T_i = 7-29 -> which speaker (9 classes)

Features are standardised per coefficient, x' = (x - μ_d) / σ_d, with μ and σ over every frame of the
training split only (validation and test never inform them). The audio tasks also classify a WAV
file: `task.encode_input("clip.wav")` reads it, resamples it to 16 kHz, trims the silence around the word
and computes the same MFCCs as their data, which is what `rnnlab classify RUN clip.wav` calls.

"Solved" is beating an order-free model: softmax regression on each sequence's per-coefficient mean
and standard deviation over time (a bag of frames), our measurement on these splits (validation /
test accuracy): spoken digits 0.76 / 0.82, JapaneseVowels 0.98 / 0.97.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import torch
from torch import Tensor

from rnnlab.data.audio import MFCCConfig, wav_features
from rnnlab.data.datasets.japanese_vowels import DIMENSIONS, SPEAKERS, load_japanese_vowels
from rnnlab.data.datasets.spoken_digits import SpokenDigitsConfig, load_spoken_digits
from rnnlab.data.sequence_baselines import BagOfFrames
from rnnlab.data.tasks.labelled import LabelledSequences, LabelledSequenceTask, Split
from rnnlab.files import write_atomic
from rnnlab.models.sequence import IOSpec

FEATURES = "features.json"  # in a run folder: the class names and feature statistics classifying needs


@dataclass(frozen=True)
class Standardiser:
    """x' = (x - mean) / std per feature, fitted on the frames of one split."""

    mean: Tensor  # (D,)
    std: Tensor  # (D,)

    @classmethod
    def fit(cls, sequences: list[Tensor]) -> Standardiser:
        frames = torch.cat(sequences)  # (ΣT, D)
        return cls(frames.mean(dim=0), frames.std(dim=0).clamp(min=1e-6))  # a constant feature stays finite

    def __call__(self, features: Tensor) -> Tensor:
        return (features - self.mean) / self.std  # (T, D)


class RealDataConfig(Protocol):
    """The fields every real-data classification config here has."""

    @property
    def split(self) -> Literal["validation", "test"]: ...  # evaluated while training; `test` once at the end

    @property
    def max_train(self) -> int | None: ...  # smoke tests: the first N training sequences

    @property
    def max_test(self) -> int | None: ...  # smoke tests: the first N evaluation sequences

    @property
    def solved_accuracy(self) -> float | None: ...  # None: the task's own threshold


def check_common(config: RealDataConfig) -> None:
    """One-line errors for the fields every real-data config shares."""
    if config.split not in ("validation", "test"):
        raise ValueError(f"split must be 'validation' or 'test', got {config.split!r}")
    for name, value in (("max_train", config.max_train), ("max_test", config.max_test)):
        if value is not None and value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if config.solved_accuracy is not None and not 0 < config.solved_accuracy <= 1:
        raise ValueError(f"solved_accuracy must lie in (0, 1], got {config.solved_accuracy}")


class FeatureSequenceTask(LabelledSequenceTask):
    """A labelled-sequence task over (T_i, D) features standardised with training-split statistics."""

    def __init__(self, name: str, config: RealDataConfig, classes: tuple[str, ...], input_size: int,
                 load_raw: Callable[[Split], LabelledSequences], solved_accuracy: float | None) -> None:
        self.config, self._load_raw = config, load_raw
        super().__init__(name, IOSpec(input_size, len(classes), per_step=False), classes, self._standardised,
                         split=config.split, max_train=config.max_train, max_eval=config.max_test,
                         solved_accuracy=solved_accuracy if config.solved_accuracy is None else config.solved_accuracy)

    @functools.cached_property
    def standardiser(self) -> Standardiser:
        return Standardiser.fit(self._load_raw("train").sequences)

    def _standardised(self, split: Split) -> LabelledSequences:
        raw = self._load_raw(split)
        return LabelledSequences([self.standardiser(s) for s in raw.sequences], raw.labels)

    @functools.cached_property
    def bag_of_frames(self) -> BagOfFrames:
        """The order-free baseline (data/sequence_baselines.py), fitted on train, C chosen on validation."""
        validation = self.held_out("validation")
        return BagOfFrames.fit(self.train_split.sequences, self.train_split.labels, validation.sequences,
                               validation.labels, len(self.classes))

    def baselines(self, split: Literal["validation", "test"]) -> dict[str, dict[str, float]]:
        """The majority class and the bag of frames, scored on `split`."""
        data = self.held_out(split)
        return super().baselines(split) | {"bag of frames": {"accuracy": self.bag_of_frames.accuracy(
            data.sequences, data.labels)}}


class AudioTask(FeatureSequenceTask):
    """A feature task whose features are MFCCs of audio, so that it can classify a WAV file."""

    def __init__(self, name: str, config: RealDataConfig, classes: tuple[str, ...],
                 load_raw: Callable[[Split], LabelledSequences], solved_accuracy: float | None,
                 mfcc: MFCCConfig) -> None:
        super().__init__(name, config, classes, mfcc.n_mfcc, load_raw, solved_accuracy)
        self.mfcc = mfcc  # the front end the data were made with, so that a WAV is featurised the same way

    def encode_input(self, raw: str | Path) -> Tensor:
        """A WAV file -> its standardised MFCCs (T, D): one model input, as the training data were made."""
        if not Path(raw).is_file():
            raise ValueError(f"{raw}: no such file; {self.name} classifies a .wav recording")
        return self.standardiser(wav_features(raw, self.mfcc))

    def save_artifacts(self, folder: Path) -> None:
        """Keep the feature statistics in the run folder (RUN/features.json): classifying a recording later
        needs neither the training recordings nor them unchanged."""
        data = {"classes": list(self.classes), "mean": self.standardiser.mean.tolist(),
                "std": self.standardiser.std.tolist()}
        write_atomic(folder / FEATURES, json.dumps(data) + "\n")

    def restore_artifacts(self, folder: Path) -> None:
        """Use the statistics a run folder keeps, where it keeps them (older runs recompute them from the data)."""
        path = folder / FEATURES
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            mean, std = torch.tensor(data["mean"]), torch.tensor(data["std"])
            if tuple(data["classes"]) != tuple(self.classes) or mean.shape != (self.io.input_size,) or \
                    std.shape != mean.shape:
                raise ValueError("its classes or sizes are not the run's")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is unreadable ({error}); restore it from a copy of the run, or delete it "
                             "to recompute it from the training recordings") from None
        self.__dict__["standardiser"] = Standardiser(mean.float(), std.float())  # the cached property's value


@dataclass(frozen=True)
class SpokenDigitsTaskConfig:
    """Name the spoken digit from its MFCC frames; voices of the evaluation split are never trained on.

        inputs : 13 standardised MFCCs per 10 ms frame    (B, T, 13), T = 21-96, padded; lengths (B,)
        target : the word, zero..nine                      (B,)

    Balanced classes: guessing scores 0.10.
    """

    split: Literal["validation", "test"] = "validation"  # evaluated while training; `test` once at the end
    max_train: int | None = None  # smoke tests: the first N training clips (the split mixes words)
    max_test: int | None = None  # smoke tests: evaluate on the first N clips; not comparable figures
    solved_accuracy: float | None = None  # None: SPOKEN_DIGITS_SOLVED

    def __post_init__(self) -> None:
        check_common(self)


SPOKEN_DIGITS_SOLVED = 0.85  # above the bag-of-frames softmax regression (0.76 validation, 0.82 test)
DATASET = SpokenDigitsConfig()  # the one data set behind the task; tests build smaller ones directly


def build_spoken_digits(config: SpokenDigitsTaskConfig, dataset: SpokenDigitsConfig | None = None) -> AudioTask:
    data = dataset or DATASET
    return AudioTask("spoken-digits", config, data.words, functools.partial(load_spoken_digits, config=data),
                     SPOKEN_DIGITS_SOLVED, data.mfcc)


@dataclass(frozen=True)
class JapaneseVowelsConfig:
    """Name the speaker (1 of 9) from 7-29 frames of 12 LPC cepstra of their /ae/.

        inputs : 12 standardised LPC cepstra per frame     (B, T, 12), T = 7-29, padded; lengths (B,)
        target : the speaker, 0..8 (speakers 1..9)         (B,)

    The official test split is unbalanced (24-88 utterances per speaker): its majority baseline is 0.24.
    """

    split: Literal["validation", "test"] = "validation"
    max_train: int | None = None
    max_test: int | None = None
    solved_accuracy: float | None = None  # None: JAPANESE_VOWELS_SOLVED

    def __post_init__(self) -> None:
        check_common(self)


# Bag-of-frames softmax regression: 0.978 validation, 0.970 test; Kudo et al. 1999 report 0.941 on the test split.
JAPANESE_VOWELS_SOLVED = 0.97


def build_japanese_vowels(config: JapaneseVowelsConfig) -> FeatureSequenceTask:
    return FeatureSequenceTask("japanese-vowels", config, SPEAKERS, DIMENSIONS, load_japanese_vowels,
                               JAPANESE_VOWELS_SOLVED)
