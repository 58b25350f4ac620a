"""Bach chorales as two sequence-modelling tasks, trained by truncated BPTT with carried state.

chorales-roll    polyphonic piano roll: inputs x_t (B, T, P) multi-hot frames, target x_{t+1}; the model
                 gives P logits z per frame, each pitch an independent Bernoulli (P = 46 pitches):

                     NLL per frame = -Σ_p [x_p log σ(z_p) + (1 - x_p) log(1 - σ(z_p))]   (nats)

                 averaged over every predicted frame of the held-out chorales, each chorale scored
                 whole from a zero state, its state carried over chunks (`evaluate_model`). Every
                 chorale starts with one silent frame, so its first real frame is predicted too. A
                 model that outputs z = 0 scores P·ln 2 = 31.88. Also reported: frame accuracy
                 TP / (TP + FP + FN) at σ(z) > ½ (Bay et al. 2009). Boulanger-Lewandowski et al.
                 2012 and Chung et al. 2014 report NLL on "JSB Chorales", a different split (382
                 chorales: 229 / 76 / 77) at a quarter-note resolution: `--set frames_per_quarter=1`
                 samples our 16th frames on the beat, but the numbers are still not comparable.

chorales-melody  the soprano line as tokens, one per note: token = (pitch or rest, duration), from a
                 fixed vocabulary of 26 pitch values (A3..A5 and rest) x 14 durations (every one the
                 corpus uses, in 16ths), plus END, which opens and closes each chorale:

                     END (67,4) (67,8) (74,4) ... END        cross-entropy per token (nats)

                 A joint token keeps the model a plain next-token predictor; two streams would need
                 two heads. Baseline: ln V = ln 365 = 5.90 (uniform guessing).

Both tasks cut the training chorales into a stream of chunks (rnnlab.data.stream.StreamBatches): batch
k continues batch k-1 row by row, and `resets` zero the state where a chorale starts. The stream's
layout is fixed: the trainer asks for the batch of its step (`sample_at`), so a resumed run continues
the stream. Data load on first use.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.data.batching import pad_sequences
from rnnlab.data.datasets.chorales import (
    HIGHEST,
    LOWEST,
    REST,
    SOPRANO_HIGHEST,
    SOPRANO_LOWEST,
    STEPS_PER_QUARTER,
    Chorale,
    load_chorales,
)
from rnnlab.data.stream import StreamBatches, step_weights
from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.chorale_baselines import melody_baselines, roll_baselines
from rnnlab.models.sequence import IOSpec

Split = Literal["train", "validation", "test"]
PITCHES = HIGHEST - LOWEST + 1  # P, the roll's columns
END = 0  # melody token that opens and closes a chorale
MELODY_PITCHES = (REST, *range(SOPRANO_LOWEST, SOPRANO_HIGHEST + 1))
DURATIONS = (1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 28, 32, 56, 64)  # 16ths: all the soprano parts use
MELODY_VOCAB = 1 + len(MELODY_PITCHES) * len(DURATIONS)
EVAL_ROWS = 16  # held-out chorales scored side by side


def note_token(pitch: int, duration: int) -> int:
    """(MIDI pitch or REST, duration in 16ths) -> token; a duration off the list takes the nearest one."""
    if pitch not in MELODY_PITCHES:
        raise ValueError(f"melody pitch {pitch} lies outside {SOPRANO_LOWEST}..{SOPRANO_HIGHEST} (or rest)")
    nearest = min(range(len(DURATIONS)), key=lambda i: abs(DURATIONS[i] - duration))
    return 1 + MELODY_PITCHES.index(pitch) * len(DURATIONS) + nearest


def token_note(token: int) -> tuple[int, int]:
    """token -> (MIDI pitch or REST, duration in 16ths); END is not a note."""
    if not 1 <= token < MELODY_VOCAB:
        raise ValueError(f"token {token} is not a note (END is {END}, notes are 1..{MELODY_VOCAB - 1})")
    pitch, duration = divmod(token - 1, len(DURATIONS))
    return MELODY_PITCHES[pitch], DURATIONS[duration]


def roll_document(chorale: Chorale, frames_per_quarter: int = STEPS_PER_QUARTER) -> Tensor:
    """(1 + T, P) float: a silent frame, then the roll sampled every 4 / frames_per_quarter 16ths."""
    frames = chorale.roll[::STEPS_PER_QUARTER // frames_per_quarter].float()  # (T, P)
    return torch.cat([frames.new_zeros(1, frames.shape[1]), frames])


def melody_document(chorale: Chorale) -> Tensor:
    """(N + 2,) int64: END, one token per soprano note, END."""
    tokens = [note_token(int(p), int(d)) for p, d in chorale.melody.tolist()]
    return torch.tensor([END, *tokens, END], dtype=torch.int64)


@dataclass(frozen=True)
class ChoraleRollConfig:
    """Predict the next 16th-note frame of a four-part chorale, one Bernoulli per pitch."""

    split: Literal["validation", "test"] = "validation"  # evaluated while training; test once at the end
    chunk_length: int = 64  # TBPTT steps per batch: 4 bars of 4/4 at 16ths
    frames_per_quarter: int = 4  # 4: 16ths as stored; 2: 8ths; 1: quarters (as the JSB pickle)
    max_train: int | None = None  # smoke tests: the first N training chorales
    max_test: int | None = None  # smoke tests: the first N held-out chorales; not comparable figures

    def __post_init__(self) -> None:
        _check(self.split, self.chunk_length, self.max_train, self.max_test)
        if self.frames_per_quarter not in (1, 2, 4):
            raise ValueError(f"frames_per_quarter must be 1, 2 or 4, got {self.frames_per_quarter}")


@dataclass(frozen=True)
class ChoraleMelodyConfig:
    """Predict the next soprano note (pitch and duration as one token)."""

    split: Literal["validation", "test"] = "validation"  # evaluated while training; test once at the end
    chunk_length: int = 32  # TBPTT steps per batch: about 8 bars of a chorale melody
    max_train: int | None = None  # smoke tests: the first N training chorales
    max_test: int | None = None  # smoke tests: the first N held-out chorales; not comparable figures

    def __post_init__(self) -> None:
        _check(self.split, self.chunk_length, self.max_train, self.max_test)


def _check(split: str, chunk_length: int, max_train: int | None, max_test: int | None) -> None:
    if split not in ("validation", "test"):
        raise ValueError(f"split must be 'validation' or 'test', got {split!r}")
    if chunk_length <= 0:
        raise ValueError(f"chunk_length must be positive, got {chunk_length}")
    for name, value in (("max_train", max_train), ("max_test", max_test)):
        if value is not None and value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")


class _ChoraleStreamTask:
    """Shared by both tasks: documents per split, the TBPTT stream, whole-chorale evaluation."""

    carries_state = True
    name: str
    io: IOSpec
    config: ChoraleRollConfig | ChoraleMelodyConfig

    def __init__(self, load: Callable[[Split], list[Chorale]] | None) -> None:
        self._load = load  # None: the real corpus (looked up at call time, so tests can swap it)
        self._streams: dict[int, StreamBatches] = {}
        self._step = 0

    def document(self, chorale: Chorale) -> Tensor:
        raise NotImplementedError

    def chorales(self, split: Split) -> list[Chorale]:
        chorales = (self._load or load_chorales)(split)
        limit = self.config.max_train if split == "train" else self.config.max_test
        return chorales[:limit]

    @functools.cached_property
    def train_documents(self) -> list[Tensor]:
        return [self.document(c) for c in self.chorales("train")]

    @functools.cached_property
    def eval_documents(self) -> list[Tensor]:
        return [self.document(c) for c in self.chorales(self.config.split)]

    def held_out_documents(self, split: Split) -> list[Tensor]:
        return self.eval_documents if split == self.config.split else [self.document(c) for c in self.chorales(split)]

    def sample_at(self, step: int, batch_size: int) -> Batch:
        """The training batch of step 1, 2, ...: chunk step-1 (mod N) of each of `batch_size` columns."""
        if batch_size not in self._streams:
            self._streams[batch_size] = StreamBatches(self.train_documents, self.config.chunk_length, batch_size)
        return self._streams[batch_size].batch(step - 1)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        """The next training batch in stream order (the generator is not needed: the order is fixed)."""
        del generator
        self._step += 1
        return self.sample_at(self._step, batch_size)

    def test_set(self, seed: int = 0) -> Batch:
        """Every held-out chorale whole, padded, with lengths (input steps t, targets t + 1)."""
        del seed  # the split is fixed
        return _whole(self.eval_documents)

    @torch.no_grad()
    def evaluate_model(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Every predicted step of the held-out chorales once: each chorale in a row of its own from a zero
        state, read in chunks of `chunk_length` with the state carried (as in training), EVAL_ROWS
        chorales of similar length at a time."""
        documents = sorted(self.eval_documents, key=len)
        sums: dict[str, float] = {}
        for start in range(0, len(documents), EVAL_ROWS):
            whole = _whole(documents[start:start + EVAL_ROWS]).to(device)
            inputs, lengths = whole.sequence, whole.lengths  # (B, T[, P]), (B,)
            assert lengths is not None
            state = None
            for t in range(0, inputs.shape[1], self.config.chunk_length):
                end = t + self.config.chunk_length
                real = (lengths - t).clamp(0, self.config.chunk_length)  # (B,) 0 once a chorale ended
                chunk = Batch(inputs[:, t:end], whole.targets[:, t:end], real)
                # No lengths: padding comes only after a chorale's end, and the model is causal.
                outputs, state = model(chunk.inputs, state)
                for key, value in self.sums(outputs, chunk).items():
                    sums[key] = sums.get(key, 0.0) + value
        return self.from_sums(sums)

    def sums(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        raise NotImplementedError

    def from_sums(self, sums: dict[str, float]) -> dict[str, float]:
        raise NotImplementedError

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        return self.from_sums(self.sums(outputs, batch))

    def solved(self, metrics: dict[str, float]) -> bool:
        del metrics  # a density model has no "solved": runs end on their step or time budget
        return False


def _whole(documents: list[Tensor]) -> Batch:
    inputs, lengths = pad_sequences([d[:-1] for d in documents])  # (B, T[, P]), (B,)
    targets, _ = pad_sequences([d[1:] for d in documents])
    return Batch(inputs, targets, lengths)


class ChoraleRollTask(_ChoraleStreamTask):
    """Next-frame prediction on piano rolls: loss = the NLL per frame of the module docstring."""

    config: ChoraleRollConfig

    def __init__(self, config: ChoraleRollConfig | None = None,
                 load: Callable[[Split], list[Chorale]] | None = None) -> None:
        super().__init__(load)
        self.config = c = config or ChoraleRollConfig()
        self.name = "-".join(["chorales-roll"] + ([f"q{c.frames_per_quarter}"] if c.frames_per_quarter != 4 else [])
                             + ([f"train{c.max_train}"] if c.max_train else [])
                             + ([f"test{c.max_test}"] if c.max_test else []))
        self.io = IOSpec(input_size=PITCHES, output_size=PITCHES)
        self.baseline = {"nll_per_frame": PITCHES * math.log(2), "accuracy": 0.0}  # logits 0: every coin fair

    def document(self, chorale: Chorale) -> Tensor:
        return roll_document(chorale, self.config.frames_per_quarter)

    def baselines(self, split: Split) -> dict[str, dict[str, float]]:
        """Fair coins, pitch frequency and repeat-previous-frame (chorale_baselines.py) on `split`."""
        return roll_baselines(self.train_documents, self.held_out_documents(split))

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        nll = F.binary_cross_entropy_with_logits(outputs, batch.targets, reduction="none").sum(-1)  # (B, T)
        weights = step_weights(batch)  # (B, T)
        return (nll * weights).sum() / weights.sum()

    def sums(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        weights = step_weights(batch)  # (B, T)
        nll = F.binary_cross_entropy_with_logits(outputs, batch.targets, reduction="none").sum(-1)  # (B, T)
        on, truth = (outputs > 0).float(), batch.targets  # (B, T, P)
        real = weights[..., None]  # (B, T, 1)
        return {"nll": float((nll * weights).sum()), "frames": float(weights.sum()),
                "tp": float((on * truth * real).sum()), "fp": float((on * (1 - truth) * real).sum()),
                "fn": float(((1 - on) * truth * real).sum())}

    def from_sums(self, sums: dict[str, float]) -> dict[str, float]:
        counted = sums["tp"] + sums["fp"] + sums["fn"]
        return {"nll_per_frame": sums["nll"] / sums["frames"], "accuracy": sums["tp"] / counted if counted else 0.0}


class ChoraleMelodyTask(_ChoraleStreamTask):
    """Next-note prediction on soprano tokens: loss = cross-entropy per token (nats)."""

    config: ChoraleMelodyConfig

    def __init__(self, config: ChoraleMelodyConfig | None = None,
                 load: Callable[[Split], list[Chorale]] | None = None) -> None:
        super().__init__(load)
        self.config = c = config or ChoraleMelodyConfig()
        self.name = "-".join(["chorales-melody"] + ([f"train{c.max_train}"] if c.max_train else [])
                             + ([f"test{c.max_test}"] if c.max_test else []))
        self.io = IOSpec(input_size=MELODY_VOCAB, output_size=MELODY_VOCAB, tokens=True)
        self.baseline = {"nll_per_token": math.log(MELODY_VOCAB), "accuracy": 1 / MELODY_VOCAB}  # uniform

    def document(self, chorale: Chorale) -> Tensor:
        return melody_document(chorale)

    def baselines(self, split: Split) -> dict[str, dict[str, float]]:
        """Unigram and bigram token models (chorale_baselines.py) on `split`."""
        return melody_baselines(self.train_documents, self.held_out_documents(split), MELODY_VOCAB)

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        nll = F.cross_entropy(outputs.transpose(1, 2), batch.targets, reduction="none")  # (B, T)
        weights = step_weights(batch)
        return (nll * weights).sum() / weights.sum()

    def sums(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        weights = step_weights(batch)  # (B, T)
        nll = F.cross_entropy(outputs.transpose(1, 2), batch.targets, reduction="none")  # (B, T)
        hits = (outputs.argmax(-1) == batch.targets).float()
        return {"nll": float((nll * weights).sum()), "tokens": float(weights.sum()),
                "hits": float((hits * weights).sum())}

    def from_sums(self, sums: dict[str, float]) -> dict[str, float]:
        return {"nll_per_token": sums["nll"] / sums["tokens"], "accuracy": sums["hits"] / sums["tokens"]}
