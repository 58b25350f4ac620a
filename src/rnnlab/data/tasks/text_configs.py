"""The configs of the text classification tasks (data/tasks/sentiment.py): what every one shares
(TextClassificationConfig: tokens, vocabulary, word dropout, language-model pretraining) and each task's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnnlab.data.datasets.text_csv import file_fingerprint, read_text_csv
from rnnlab.data.tasks.text_pretrain import read_unlabelled, unlabelled_file
from rnnlab.data.vocab import Level

# "Solved" on Rotten Tomatoes: at least as accurate as the bag-of-words logistic regression
# (unigrams + bigrams, tf-idf, C chosen on validation; rnnlab.data.text_baselines), which sees every word
# at once and needs no memory. Our measurement: validation 0.784 with C=30 (test 0.782), 32,950 features.
SENTIMENT_SOLVED_ACCURACY = 0.78


@dataclass(frozen=True)
class TextClassificationConfig:
    """Settings every text classification task shares."""

    level: Level = "word"  # word, char or byte tokens (rnnlab.data.vocab)
    max_vocab: int = 10_000  # most frequent training tokens kept, specials included; the rest are <unk>
    min_count: int = 2  # a token seen once in training gets no embedding of its own (it learns nothing)
    split: Literal["validation", "test"] = "validation"  # evaluated while training; the run ends on test
    max_train: int | None = None  # smoke tests: the first N training texts (the order mixes classes)
    max_eval: int | None = None  # smoke tests: the first N evaluation texts; not comparable figures
    # Word dropout (Iyyer et al. 2015; Bowman et al. 2016): each training token reads as <unk> with this
    # probability, so the model cannot lean on a few memorised words; held-out texts are read whole.
    word_dropout: float = 0.0
    # Language-model pretraining (data/tasks/text_pretrain.py): this many steps on the training texts, never
    # their labels, before the classifier trains (0: none); the LM predicts the `pretrain_targets` - 1 most
    # frequent training tokens, every other token as one shared class.
    pretrain_steps: int = 0
    pretrain_targets: int = 2000
    pretrain_path: str = ""  # a UTF-8 file of unlabelled texts, one a line, read by the LM and the vocabulary too
    pretrain_fingerprint: str = ""  # its SHA-256, filled in when the config is made; a rebuilt run checks it

    def __post_init__(self) -> None:
        if not 0.0 <= self.word_dropout < 1.0:
            raise ValueError(f"word_dropout must be in [0, 1), got {self.word_dropout}")
        if self.pretrain_steps < 0 or self.pretrain_targets < 2:
            raise ValueError(f"pretrain_steps must be at least 0 and pretrain_targets at least 2, got "
                             f"{self.pretrain_steps}, {self.pretrain_targets}")
        if self.pretrain_path and not self.pretrain_steps:
            raise ValueError("pretrain_path is read by the language-model pretraining: give pretrain_steps too")
        if self.level not in ("word", "char", "byte"):
            raise ValueError(f"level must be word, char or byte, got {self.level!r}")
        if self.split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {self.split!r}")
        if self.max_vocab < 5 or self.min_count < 1:
            raise ValueError(f"max_vocab must be at least 5 and min_count at least 1, got {self.max_vocab}, "
                             f"{self.min_count}")
        for name in ("max_train", "max_eval"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        if self.pretrain_path and not self.pretrain_fingerprint:  # a new run: a bad file is refused now
            path, fingerprint = unlabelled_file(str(self.pretrain_path))
            object.__setattr__(self, "pretrain_path", path)
            object.__setattr__(self, "pretrain_fingerprint", fingerprint)

    def unlabelled(self) -> tuple[str, ...]:
        """The texts of `pretrain_path` (none without one)."""
        return read_unlabelled(self.pretrain_path, self.pretrain_fingerprint) if self.pretrain_path else ()


@dataclass(frozen=True)
class SentimentConfig(TextClassificationConfig):
    """Rotten Tomatoes snippets: rotten (0) or fresh (1). Majority class (fresh): accuracy 0.578."""

    solved_accuracy: float = SENTIMENT_SOLVED_ACCURACY


@dataclass(frozen=True)
class TextCSVConfig(TextClassificationConfig):
    """A user's labelled CSV: `path`, the `text_column` to read, the `label_column` to predict."""

    path: str = ""  # made absolute, so the run rebuilds from any folder
    text_column: str = "text"
    label_column: str = "label"
    validation_fraction: float = 0.1  # of each class, like the test fraction
    test_fraction: float = 0.1
    # None: no reference is known for a user's data, so "solved" = more accurate on the validation split than
    # the strongest baseline there (the majority class or the bag of words, rnnlab.data.text_baselines)
    solved_accuracy: float | None = None
    fingerprint: str = ""  # SHA-256 of the file, filled in when the config is made; a rebuilt run checks it

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("path", "text_column", "label_column"):  # `--set label_column=1` parses as an int
            object.__setattr__(self, name, str(getattr(self, name)))
        if self.path:
            path = Path(self.path).expanduser().resolve()
            object.__setattr__(self, "path", str(path))
            if not self.fingerprint:  # a new run: refuse a bad file now, before a run folder exists (the
                # parsed file is cached, so training reuses it); a saved run's file is checked when it loads
                read_text_csv(path, self.text_column, self.label_column, self.validation_fraction, self.test_fraction)
                object.__setattr__(self, "fingerprint", file_fingerprint(path))
