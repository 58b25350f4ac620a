"""Labelled text from a CSV file (the user's own data), and the split every text classification set shares.

    corpus = read_text_csv(Path("reviews.csv"), text_column="review", label_column="sentiment")
    corpus.classes             # ('neg', 'pos'): the distinct labels, sorted (numerically if all are integers)
    corpus.train.texts         # tuple of str; corpus.train.labels (N,) int64, indices into classes

A file that cannot be used is refused with one line naming the file, and the row and column when
there is one (rows counted as a spreadsheet shows them: the header is row 1, the first text row 2):

    reviews.csv is empty
    reviews.csv has no column 'review'; its columns are: text, sentiment
    reviews.csv, row 7, column 'review': the cell is empty
    reviews.csv, column 'sentiment': every row has the label 'pos'; a classifier needs two classes or more
    reviews.csv: 6 rows are too few for a 10% validation and 10% test split (test got 0 rows); ...

Duplicates: texts are compared after case-folding and collapsing whitespace. A text seen again with
the same label is dropped (the first copy stays); a text seen with two different labels is dropped
entirely (nothing says which label is right). So no text is in two splits.

Split, stratified and fixed: one shuffle of all rows from `SPLIT_SEED` (not the run seed: every run
sees the same split); in that order, of each class c with n_c texts, the first round(n_c · test_fraction)
go to test, the next round(n_c · validation_fraction) to validation, the rest to train. Every split
keeps the shuffled order, so any prefix (`max_train`) mixes the classes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from rnnlab.data.vocab import Level, Vocabulary
from rnnlab.files import read_utf8

SPLIT_SEED = 2002  # fixed forever: changing it changes every test split (Pang & Lee's polarity data, 2002-2005)
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True, eq=False)  # identity equality: it holds tensors, and caches key on it
class LabelledTexts:
    """One split: texts and a class index per text."""

    texts: tuple[str, ...]
    labels: Tensor  # (N,) int64 in [0, C)

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")

    def head(self, n: int | None) -> LabelledTexts:
        """The first `n` (all when None)."""
        return self if n is None else LabelledTexts(self.texts[:n], self.labels[:n])


@dataclass(frozen=True, eq=False)  # identity equality: it holds tensors, and caches key on it
class TextCorpus:
    """A labelled text set split three ways, with what deduplication dropped."""

    classes: tuple[str, ...]  # class index -> label
    train: LabelledTexts
    validation: LabelledTexts
    test: LabelledTexts
    duplicates: int = 0  # repeated texts dropped (same label as the first copy)
    conflicting: int = 0  # texts dropped because their copies disagree on the label (every copy)

    def split(self, name: str) -> LabelledTexts:
        if name not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {name!r}")
        split: LabelledTexts = getattr(self, name)
        return split


def normalise(text: str) -> str:
    """The form texts are compared in: case-folded, runs of whitespace made one space."""
    return " ".join(text.casefold().split())


def deduplicate(texts: list[str], labels: list[int]) -> tuple[list[int], int, int]:
    """Indices of the rows to keep (first copies, in order), and counts of duplicates and conflicting rows."""
    seen: dict[str, set[int]] = {}
    for text, label in zip(texts, labels, strict=True):
        seen.setdefault(normalise(text), set()).add(label)
    kept, first = [], set()
    conflicting = 0
    for row, text in enumerate(texts):
        key = normalise(text)
        if len(seen[key]) > 1:
            conflicting += 1
        elif key not in first:
            first.add(key)
            kept.append(row)
    return kept, len(texts) - len(kept) - conflicting, conflicting


def stratified_split(labels: Tensor, classes: int, validation_fraction: float, test_fraction: float,
                     seed: int = SPLIT_SEED) -> dict[str, Tensor]:
    """Row indices per split (see the module docstring), each in the order of one shuffle from `seed`."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))  # (N,)
    shuffled = labels[order]  # (N,)
    seen = torch.nn.functional.one_hot(shuffled, classes).cumsum(dim=0)  # (N, C): rows of each class so far
    rank = seen[torch.arange(len(shuffled)), shuffled] - 1  # (N,): 0 for a class's first row
    counts = torch.bincount(labels, minlength=classes).double()  # (C,)
    n_test = torch.round(counts * test_fraction).long()[shuffled]  # (N,): this row's class's test size
    n_validation = torch.round(counts * validation_fraction).long()[shuffled]  # (N,)
    is_test = rank < n_test
    is_validation = ~is_test & (rank < n_test + n_validation)
    return {"train": order[~is_test & ~is_validation], "validation": order[is_validation], "test": order[is_test]}


def make_corpus(texts: list[str], labels: list[int], classes: tuple[str, ...], source: str,
                validation_fraction: float = 0.1, test_fraction: float = 0.1) -> TextCorpus:
    """Deduplicate, then split (stratified) into a corpus; `source` names the data in error messages."""
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1):
        raise ValueError(f"validation_fraction and test_fraction must lie in (0, 1) and sum to less than 1, "
                         f"got {validation_fraction} and {test_fraction}")
    kept, duplicates, conflicting = deduplicate(texts, labels)
    kept_texts = tuple(texts[row] for row in kept)
    kept_labels = torch.tensor([labels[row] for row in kept], dtype=torch.int64)  # (N,)
    rows = stratified_split(kept_labels, len(classes), validation_fraction, test_fraction)
    empty = [name for name in SPLITS if len(rows[name]) == 0]
    missing = sorted(set(range(len(classes))) - set(kept_labels[rows["train"]].tolist()))
    if empty or missing:
        got = f"{' and '.join(empty)} got 0 rows" if empty else f"train has no {classes[missing[0]]!r} row"
        raise ValueError(f"{source}: {len(kept)} distinct texts are too few for a {validation_fraction:.0%} "
                         f"validation and {test_fraction:.0%} test split ({got}); add rows or raise "
                         "validation_fraction / test_fraction")
    splits = {name: LabelledTexts(tuple(kept_texts[int(r)] for r in rows[name]), kept_labels[rows[name]])
              for name in SPLITS}
    return TextCorpus(classes, splits["train"], splits["validation"], splits["test"], duplicates, conflicting)


def read_csv_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV (TSV for a .tsv name) that has every `required` column.

    Cells of a short row read as ""; a cell in a `required` column must not be empty."""
    # a byte-order mark, as spreadsheets write, is dropped: it is not part of the header
    text = read_utf8(path, ", not a CSV file", "save it as a UTF-8 CSV")
    if not text.strip():
        raise ValueError(f"{path} is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        table = list(reader)
    except csv.Error as error:
        raise ValueError(f"{path}, line {reader.line_num}: not valid CSV ({error})") from None
    numbered = [(number, cells) for number, cells in enumerate(table, start=1)
                if any(cell.strip() for cell in cells)]  # a blank line is no row, but keeps its number
    header = [name.strip() for name in numbered[0][1]]
    for column in required:
        if column not in header:
            raise ValueError(f"{path} has no column {column!r}; its columns are: {', '.join(header)}")
    if len(numbered) == 1:
        raise ValueError(f"{path} has a header but no rows")
    rows = []
    for number, cells in numbered[1:]:
        row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        for column in required:
            if not row[column].strip():
                raise ValueError(f"{path}, row {number}, column {column!r}: the cell is empty")
        rows.append(row)
    return header, rows


def class_names(labels: list[str]) -> tuple[str, ...]:
    """The distinct labels in sorted order: numerically when every label is an integer ('2' before '10')."""
    distinct = set(labels)
    try:
        return tuple(sorted(distinct, key=int))
    except ValueError:
        return tuple(sorted(distinct))


def file_fingerprint(path: Path) -> str:
    """The SHA-256 of a file's bytes: a run records it, so a changed file is noticed, not silently used."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder, not a CSV file") from None


def read_text_csv(path: Path, text_column: str = "text", label_column: str = "label",
                  validation_fraction: float = 0.1, test_fraction: float = 0.1) -> TextCorpus:
    """A labelled CSV as a deduplicated, split corpus (see the module docstring for what is refused)."""
    return _read_text_csv(path, file_fingerprint(path), text_column, label_column, validation_fraction,
                          test_fraction)


@functools.lru_cache(maxsize=4)  # a sweep builds the task once per run: parse each file once per process
def _read_text_csv(path: Path, fingerprint: str, text_column: str, label_column: str,
                   validation_fraction: float, test_fraction: float) -> TextCorpus:
    del fingerprint  # part of the cache key only: an edited file is read again
    _, rows = read_csv_rows(path, (text_column, label_column))
    labels = [row[label_column].strip() for row in rows]
    classes = class_names(labels)
    if len(classes) < 2:
        raise ValueError(f"{path}, column {label_column!r}: every row has the label {classes[0]!r}; "
                         "a classifier needs two classes or more")
    index = {name: i for i, name in enumerate(classes)}
    texts = [row[text_column].strip() for row in rows]
    return make_corpus(texts, [index[label] for label in labels], classes, str(path), validation_fraction,
                       test_fraction)


def build_vocabulary(corpus: TextCorpus, level: Level, max_vocab: int, min_count: int, max_train: int | None,
                     unlabelled: Callable[[], tuple[str, ...]] | None = None, unlabelled_key: str = "") -> Vocabulary:
    """The vocabulary of the training texts a run uses (its first `max_train`), and of `unlabelled()` texts when
    given (named by `unlabelled_key`, e.g. the file's SHA-256), memoised per corpus."""
    return _vocabularies(corpus)(level, max_vocab, min_count, max_train, unlabelled_key, unlabelled)


@functools.lru_cache(maxsize=8)  # corpora are cached singletons (per file or cache folder), keyed by identity
def _vocabularies(corpus: TextCorpus) -> Callable[..., Vocabulary]:
    built: dict[tuple[Level, int, int, int | None, str], Vocabulary] = {}

    def build(level: Level, max_vocab: int, min_count: int, max_train: int | None, key: str,
              unlabelled: Callable[[], tuple[str, ...]] | None) -> Vocabulary:
        if (level, max_vocab, min_count, max_train, key) not in built:
            texts = corpus.train.head(max_train).texts + (unlabelled() if unlabelled is not None else ())
            built[level, max_vocab, min_count, max_train, key] = Vocabulary.build(texts, level, max_vocab, min_count)
        return built[level, max_vocab, min_count, max_train, key]
    return build
