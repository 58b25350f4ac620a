"""Text classification: Rotten Tomatoes sentiment (`sentiment`) and a user's own labelled CSV (`text-csv`).

A text becomes token ids through a vocabulary built on the training split only, then a model reads
the ids and names a class once, after the last token:

    "A gorgeous, witty, seductive movie."  -> a gorgeous , witty , seductive movie .   (word level)
                                           -> [7, 760, 6, 634, 6, 4365, 24, 4]         (Rotten Tomatoes ids)
    model: embedding -> recurrent encoder (or Transformer) -> linear head -> (B, C) logits

Rotten Tomatoes at the defaults (word level, tokens seen twice in training): 9,982 ids, specials
included; 6.7 % of the test split's tokens are <unk>. At char level: 108 ids.

The vocabulary is a pure function of the run's config (the data, the level, `max_vocab`, `min_count`,
`max_train`). A run keeps it, and its class names, in its folder (RUN/vocab.json, RUN/classes.json), so
`rnnlab classify` needs no data: a run classifies after its CSV was moved, changed or left on another
machine. What does need the data (`rnnlab evaluate`, resuming) reads Rotten Tomatoes from the cache and a
CSV from its path, whose SHA-256 the config records (a changed file is refused).

Nothing loads when a task is built; the data and the vocabulary load on first use (`io`, a batch, the
baseline), once per corpus and setting. Only a user's CSV is read earlier, once, when a new run's config
is made: a bad file is refused in one line before a run folder exists (the parse is cached).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor

from rnnlab.data.datasets import rotten_tomatoes
from rnnlab.data.datasets.text_csv import TextCorpus, build_vocabulary, file_fingerprint, read_text_csv
from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.labelled import LabelledSequences, LabelledSequenceTask, Split
from rnnlab.data.tasks.text_configs import (
    SentimentConfig,
    TextClassificationConfig,
    TextCSVConfig,
)
from rnnlab.data.tasks.text_pretrain import pool_sampler, pretrain_language_model, target_classes
from rnnlab.data.text_baselines import text_baselines
from rnnlab.data.vocab import Vocabulary
from rnnlab.files import read_utf8, write_atomic
from rnnlab.models.sequence import IOSpec, SequenceModel

VOCABULARY, CLASSES = "vocab.json", "classes.json"  # in a run folder: what classifying needs


class TextClassificationTask:
    """A `LabelledSequenceTask` over token ids, whose vocabulary (and so `io`) is known only once loaded.

    Also what `rnnlab classify` needs: `classes` and `encode_input(text) -> (T,) token ids`.
    """


    def __init__(self, name: str, config: TextClassificationConfig, corpus: Callable[[], TextCorpus],
                 solved_accuracy: float | None) -> None:
        self.name, self.config, self._corpus, self.solved_accuracy = name, config, corpus, solved_accuracy
        self._saved_classes: tuple[str, ...] | None = None  # from a run folder (restore_artifacts)

    @functools.cached_property
    def corpus(self) -> TextCorpus:
        return self._corpus()

    @property
    def classes(self) -> tuple[str, ...]:
        return self._saved_classes if self._saved_classes is not None else self.corpus.classes

    def class_names(self) -> tuple[str, ...]:
        return self.classes

    def prepare(self) -> None:
        """Read and check the data and build the vocabulary now, before a run folder is written."""
        _ = self.io, self.labelled.train_split, self.labelled.eval_split

    def save_artifacts(self, folder: Path) -> None:
        """Keep the vocabulary and the class names in the run folder: classifying later needs no data."""
        self.vocabulary.save(folder / VOCABULARY)
        write_atomic(folder / CLASSES, json.dumps(list(self.classes)) + "\n")

    def restore_artifacts(self, folder: Path) -> None:
        """Use the vocabulary and class names a run folder keeps, where it keeps them (runs from before it did
        rebuild them from the data)."""
        if not (folder / VOCABULARY).exists() or not (folder / CLASSES).exists():
            return
        try:
            classes = json.loads((folder / CLASSES).read_text(encoding="utf-8"))
            if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) for c in classes):
                raise ValueError("not a list of two class names or more")
        except (OSError, ValueError) as error:
            raise ValueError(f"{folder / CLASSES} is unreadable ({error}); restore it from a copy of the run, or "
                             "delete it to rebuild the classes from the training data") from None
        try:
            vocabulary = Vocabulary.load(folder / VOCABULARY)
        except ValueError as error:
            raise ValueError(f"{error}; restore it from a copy of the run, or delete it to rebuild the "
                             "vocabulary from the training data") from None
        self._saved_classes = tuple(classes)
        self.__dict__["vocabulary"] = vocabulary  # the cached property's value

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        c = self.config
        return build_vocabulary(self.corpus, c.level, c.max_vocab, c.min_count, c.max_train, c.unlabelled,
                                c.pretrain_fingerprint)

    @functools.cached_property
    def io(self) -> IOSpec:
        """Word (or character) ids in, one class per text out; V needs the data: computed on first use."""
        return IOSpec(len(self.vocabulary), len(self.classes), tokens=True, per_step=False)

    @functools.cached_property
    def baseline(self) -> dict[str, float]:
        """Always the training split's most frequent class, scored on the evaluation split ({} with no file)."""
        unconfigured = isinstance(self.config, TextCSVConfig) and not self.config.path
        return {} if unconfigured else self.labelled.baseline

    @functools.cached_property
    def labelled(self) -> LabelledSequenceTask:
        c = self.config
        return LabelledSequenceTask(self.name, self.io, self.classes, self._encode_split, c.split,
                                    self.solved_accuracy, c.max_train, c.max_eval)

    def encode(self, text: str) -> Tensor:
        """A text -> token ids (T,) int64; a text with no token at all reads as one <unk>."""
        ids = self.vocabulary.encode(text) or [self.vocabulary.unk]
        return torch.tensor(ids, dtype=torch.int64)

    def encode_input(self, raw: str | Path) -> Tensor:
        """What `rnnlab classify` feeds the model: a text, or a text file's contents (UTF-8)."""
        text = read_text_input(raw) if isinstance(raw, Path) else raw
        if not text.strip():
            raise ValueError(f"{raw} holds no text to classify" if isinstance(raw, Path) else
                             "INPUT is empty: there is no text to classify")
        return self.encode(text)

    def _encode_split(self, split: Split) -> LabelledSequences:
        texts = self.corpus.split(split)
        return LabelledSequences([self.encode(text) for text in texts.texts], texts.labels)

    def baselines(self, split: Literal["validation", "test"]) -> dict[str, dict[str, float]]:
        """The majority class and the bag of words (rnnlab.data.text_baselines; C chosen on validation),
        scored on `split`; {} for a text-csv task given no file."""
        if isinstance(self.config, TextCSVConfig) and not self.config.path:
            return {}
        c = self.config
        return {result.name: {"accuracy": result.validation_accuracy if split == "validation" else result.test_accuracy}
                for result in text_baselines(self.corpus, c.max_train, c.max_eval)}

    @functools.cached_property
    def strongest_baseline(self) -> float:
        return max(scores["accuracy"] for scores in self.baselines("validation").values())

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        batch = self.labelled.sample(batch_size, generator)
        p = self.config.word_dropout
        if p == 0.0:  # draws nothing more from `generator`: runs without word dropout sample as before
            return batch
        ids = batch.sequence  # (B, T)
        dropped = torch.rand(ids.shape, generator=generator) < p  # (B, T)
        if batch.lengths is not None:  # padding stays padding
            dropped &= torch.arange(ids.shape[1]) < batch.lengths[:, None]
        return dataclasses.replace(batch, inputs=ids.masked_fill(dropped, self.vocabulary.unk))

    def pretrain(self, model: torch.nn.Module, lr: float, batch_size: int, clip: float, generator: torch.Generator,
                 on_step: Callable[[int, int, float], None] | None = None) -> list[float]:
        """The embedding and encoder of a fresh `model` as a language model on the training texts (and those of
        `pretrain_path`), for `pretrain_steps` steps (none: []); batches drawn like training ones, labels unread."""
        if self.config.pretrain_steps == 0:
            return []
        if not isinstance(model, SequenceModel):
            raise ValueError("language-model pretraining needs a sequence classifier (a SequenceModel)")
        texts = self.labelled.train_split.sequences + [self.encode(text) for text in self.config.unlabelled()]
        classes = target_classes(texts, self.io.input_size, self.config.pretrain_targets)
        return pretrain_language_model(model, pool_sampler(texts), classes, self.config.pretrain_steps, lr,
                                       batch_size, clip, generator, on_step)

    def test_set(self, seed: int = 0) -> Batch:
        return self.labelled.test_set(seed)

    def evaluate_model(self, model: torch.nn.Module, device: torch.device) -> dict[str, float]:
        return self.labelled.evaluate_model(model, device)

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return self.labelled.loss(outputs, batch)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        return self.labelled.metrics(outputs, batch)

    @property
    def solved_threshold(self) -> float:
        """Solved at or above this held-out accuracy (above it, for the strongest baseline's); a text-csv task
        given no file has none yet (1.0)."""
        if self.solved_accuracy is not None:
            return float(self.solved_accuracy)
        unconfigured = isinstance(self.config, TextCSVConfig) and not self.config.path
        return 1.0 if unconfigured else self.strongest_baseline

    def solved(self, metrics: dict[str, float]) -> bool:
        if self.solved_accuracy is None:  # beat the strongest baseline, not tie it
            return metrics["accuracy"] > self.strongest_baseline
        return metrics["accuracy"] >= self.solved_accuracy


def read_text_input(path: Path) -> str:
    """A text file to classify; one line naming it when it is missing, a folder, binary or not UTF-8."""
    return read_utf8(path, ", not a text file", "classify a UTF-8 text file")


def _suffix(config: TextClassificationConfig) -> str:
    return "".join([f"-{config.level}"] + ([f"-train{config.max_train}"] if config.max_train else [])
                   + ([f"-eval{config.max_eval}"] if config.max_eval else []))


def build_sentiment(config: SentimentConfig) -> TextClassificationTask:
    return TextClassificationTask(f"sentiment{_suffix(config)}", config, rotten_tomatoes.load_corpus,
                                  config.solved_accuracy)


def build_text_csv(config: TextCSVConfig) -> TextClassificationTask:
    def corpus() -> TextCorpus:
        if not config.path:
            raise ValueError("task text-csv needs a file: --set path=reviews.csv (and text_column, label_column)")
        path = Path(config.path)
        if file_fingerprint(path) != config.fingerprint:
            raise ValueError(f"{path} has changed since this run was made (SHA-256 differs); its vocabulary "
                             "and classes cannot be rebuilt: restore the file or train a new run")
        return read_text_csv(path, config.text_column, config.label_column, config.validation_fraction,
                             config.test_fraction)

    stem = Path(config.path).stem if config.path else "unset"
    return TextClassificationTask(f"text-csv-{stem}{_suffix(config)}", config, corpus, config.solved_accuracy)
