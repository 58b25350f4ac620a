"""Language-model pretraining of a text classifier's embedding and encoder on text it may train on.

Before the classifier learns any label, its embedding and recurrent encoder (or Transformer) learn to predict
words: the forward states predict the next token, and in a bidirectional encoder the backward states predict
the previous one (Dai & Le 2015, "LM-LSTM"; Peters et al. 2018, both directions). Only training text is read
(see below), never a label and never a held-out text, so held-out scores stay honest.

    texts      : the film is a mess .
    forward    : h→_t  predicts x_{t+1}      the -> film -> is -> a -> mess -> .
    backward   : h←_t  predicts x_{t-1}      film <- is <- a <- mess <- . (read from the end)
    loss       : mean cross-entropy per direction, summed over the directions

The texts are the training split's, and with `pretrain_path` also a user's file of unlabelled texts, one per
line (`read_unlabelled`): reviews without labels, say, many more than the labelled ones. They count towards the
vocabulary too, so that words seen only there get an embedding the language model shapes.

The prediction head (a linear map from one direction's H states to `targets` classes: the most frequent
training tokens, every other token as one shared class) is thrown away afterwards; the classifier's own head
starts from its initialisation and every weight is then trained on the labels as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.data.batching import bucketed_rows, pad_sequences
from rnnlab.data.datasets.text_csv import file_fingerprint
from rnnlab.data.tasks.base import Batch
from rnnlab.files import read_utf8
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.sequence import SequenceModel


def unlabelled_file(path: str) -> tuple[str, str]:
    """A new run's `pretrain_path`, checked now (before a run folder exists): (absolute path, SHA-256)."""
    absolute = Path(path).expanduser().resolve()
    fingerprint = file_fingerprint(absolute)
    _lines(str(absolute), fingerprint)  # read (and cached) now; hashed once
    return str(absolute), fingerprint


def read_unlabelled(path: str, fingerprint: str) -> tuple[str, ...]:
    """The non-empty lines of a UTF-8 file of unlabelled texts; one-line errors for a missing, binary, empty or
    changed file (its SHA-256 differs from the one the run recorded)."""
    if file_fingerprint(Path(path)) != fingerprint:
        raise ValueError(f"{path} (pretrain_path) has changed since this run was made (SHA-256 differs); restore it "
                         "or train a new run")
    return _lines(path, fingerprint)


@functools.lru_cache(maxsize=4)  # keyed by content (the SHA-256), so an edited file is read again
def _lines(path: str, fingerprint: str) -> tuple[str, ...]:
    del fingerprint  # the cache key only
    text = read_utf8(Path(path), ", not a text file of unlabelled texts", "give a UTF-8 text file, one text a line")
    texts = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not texts:
        raise ValueError(f"{path} (pretrain_path) holds no text: give one unlabelled text per line")
    return texts


def pool_sampler(sequences: list[Tensor]) -> Callable[[int, torch.Generator], Batch]:
    """Batches of token-id sequences drawn like training batches (length buckets, padded, with lengths); the
    targets are dummies: the language model reads none."""
    lengths = torch.tensor([len(ids) for ids in sequences])

    def sample(batch_size: int, generator: torch.Generator) -> Batch:
        inputs, lengths_ = pad_sequences([sequences[int(r)] for r in bucketed_rows(lengths, batch_size, generator)])
        return Batch(inputs, torch.zeros(batch_size, dtype=torch.int64), lengths_)

    return sample


def target_classes(sequences: Sequence[Tensor], vocab_size: int, targets: int) -> Tensor:
    """token id -> LM target class (V,): the `targets - 1` most frequent training ids keep a class each (ties
    broken by id), every other id shares the last class."""
    counts = torch.zeros(vocab_size, dtype=torch.int64)
    for ids in sequences:
        counts += torch.bincount(ids, minlength=vocab_size)
    kept = min(targets, vocab_size) - 1
    order = torch.argsort(-counts, stable=True)  # most frequent first
    classes = torch.full((vocab_size,), kept, dtype=torch.int64)
    classes[order[:kept]] = torch.arange(kept)
    return classes


def directional_loss(outputs: Tensor, ids: Tensor, lengths: Tensor, head: nn.Module, classes: Tensor,
                     hidden: int, bidirectional: bool, drop: nn.Module) -> Tensor:
    """outputs (B, T, dirs·H) of the encoder on ids (B, T) with `lengths` (B,) -> the summed cross-entropy of
    the forward states on the next token and (bidirectional) the backward states on the previous one."""
    T = ids.shape[1]
    real = torch.arange(T, device=ids.device)[None, :] < lengths.to(ids.device)[:, None]  # (B, T)
    pairs = real[:, 1:]  # (B, T-1): positions t whose next step t+1 is real
    forward = head(drop(outputs[:, :-1, :hidden][pairs]))  # (N, K) from h→_t
    loss = F.cross_entropy(forward, classes[ids[:, 1:][pairs]])  # predicts x_{t+1}
    if bidirectional:
        backward = head(drop(outputs[:, 1:, hidden:2 * hidden][pairs]))  # (N, K) from h←_{t+1}
        loss = loss + F.cross_entropy(backward, classes[ids[:, :-1][pairs]])  # predicts x_t
    return loss


def pretrain_language_model(model: SequenceModel, sample: Callable[[int, torch.Generator], Batch],
                            classes: Tensor, steps: int, lr: float, batch_size: int, clip: float,
                            generator: torch.Generator,
                            on_step: Callable[[int, int, float], None] | None = None) -> list[float]:
    """Train `model`'s encoder and core as a language model for `steps` Adam steps on batches from `sample`
    (training texts); returns the loss of every step, and tells `on_step(step, steps, loss)`. The model's own
    head is left untouched."""
    core = model.core
    bidirectional = isinstance(core, RecurrentLayer) and core.config.bidirectional  # a Transformer reads forward
    hidden = core.output_size // 2 if bidirectional else core.output_size
    device = next(model.parameters()).device
    head = nn.Linear(hidden, int(classes.max()) + 1).to(device)
    classes = classes.to(device)
    params = [*model.encoder.parameters(), *core.parameters(), *head.parameters()]
    optimiser = torch.optim.Adam(params, lr=lr)
    was_training = model.training
    model.train()
    losses: list[float] = []
    for step in range(1, steps + 1):
        batch = sample(batch_size, generator).to(device)
        ids, lengths = batch.sequence, batch.lengths  # (B, T), (B,)
        if lengths is None:
            lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64, device=device)
        x = model.drop(model.encoder(ids))  # (B, T, E)
        outputs, _ = core(x, None, lengths)  # (B, T, dirs·H)
        loss = directional_loss(outputs, ids, lengths, head, classes, hidden, bidirectional, model.drop)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        if clip > 0:
            nn.utils.clip_grad_norm_(params, clip)
        optimiser.step()
        losses.append(float(loss.detach()))
        if on_step is not None:
            on_step(step, steps, losses[-1])
    model.train(was_training)
    return losses
