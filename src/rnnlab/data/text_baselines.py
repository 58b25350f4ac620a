"""Baselines a sequence model must beat on text classification: the majority class, and a bag of words.

    majority      always the training split's most frequent class
    bag of words  logistic regression on tf-idf weighted unigram + bigram counts: it sees every word at
                  once but not their order beyond pairs, and needs no memory. On movie-review sentences
                  of this kind, Wang & Manning (2012, table 3, RT-s) report 76-79 % for such linear models.

The bag of words, for a text with n-gram counts n_f (f over the training split's n-grams seen in at
least `min_count` training texts):

    x_f  = (1 + ln n_f) · idf_f,  idf_f = ln((1 + N) / (1 + df_f)) + 1     sublinear tf, smoothed idf
    x    = x / ‖x‖₂
    p(y | x) = softmax(W x + b)                                            W (F, C), b (C,)
    minimise  Σ_i −ln p(y_i | x_i) + ‖W‖² / (2C)                           the intercept b is not penalised

(the objective of scikit-learn's LogisticRegression, so C means the same), solved with L-BFGS for each
C of a grid; the C with the best validation accuracy is scored once on the test split.

    results = text_baselines(corpus)          # [majority, bag of words], scored on validation and test
"""

from __future__ import annotations

import functools
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.datasets.text_csv import LabelledTexts, TextCorpus
from rnnlab.data.vocab import tokenize


@dataclass(frozen=True)
class BagOfWordsConfig:
    ngrams: int = 2  # unigrams and bigrams
    min_count: int = 2  # an n-gram in fewer training texts is not a feature (it could only memorise)
    grid: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # C, the inverse L2 strength
    max_iter: int = 200  # L-BFGS iterations per C (warm-started from the previous C)


@dataclass(frozen=True)
class BaselineResult:
    name: str  # "majority class" or "bag of words"
    validation_accuracy: float
    test_accuracy: float
    setting: str  # what was chosen on validation, e.g. "C=3, 24,811 features"
    seconds: float


def ngrams(text: str, n: int) -> list[str]:
    """Word 1..n-grams of a text: 'a fine film' -> a, fine, film, a fine, fine film (for n = 2)."""
    words = tokenize(text, "word")
    return [" ".join(words[i:i + k]) for k in range(1, n + 1) for i in range(len(words) - k + 1)]


class BagOfWords:
    """The tf-idf feature map of the module docstring, fitted on training texts."""

    def __init__(self, texts: Sequence[str], n: int = 2, min_count: int = 2) -> None:
        document_counts: Counter[str] = Counter()
        for text in texts:
            document_counts.update(set(ngrams(text, n)))
        kept = sorted(g for g, df in document_counts.items() if df >= min_count)
        if not kept:
            raise ValueError(f"no n-gram occurs in {min_count} training texts: too little text for a bag of words")
        self.n, self.index = n, {g: i for i, g in enumerate(kept)}
        df = torch.tensor([document_counts[g] for g in kept], dtype=torch.float64)  # (F,)
        self.idf = (torch.log((1 + len(texts)) / (1 + df)) + 1).float()  # (F,)

    @property
    def size(self) -> int:
        return len(self.index)

    def transform(self, texts: Sequence[str]) -> Tensor:
        """Texts -> L2-normalised tf-idf rows, a sparse (N, F) matrix (n-grams unseen in training dropped)."""
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            counts = Counter(self.index[g] for g in ngrams(text, self.n) if g in self.index)
            weights = {f: (1 + math.log(c)) * float(self.idf[f]) for f, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for f, w in weights.items():
                rows.append(row)
                columns.append(f)
                values.append(w / norm)
        indices = torch.tensor([rows, columns], dtype=torch.int64).reshape(2, -1)  # (2, nnz)
        return torch.sparse_coo_tensor(indices, torch.tensor(values, dtype=torch.float32), (len(texts), self.size),
                                       check_invariants=True).coalesce()


def fit_logistic_regression(x: Tensor, y: Tensor, classes: int, c: float, max_iter: int = 200,
                            start: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """W (F, C), b (C,) minimising Σ CE + ‖W‖²/(2c) over x (N, F), sparse or dense, labels y (N,), by L-BFGS."""
    features = x.shape[1]
    weight = (start[0].clone() if start else torch.zeros(features, classes)).requires_grad_()
    bias = (start[1].clone() if start else torch.zeros(classes)).requires_grad_()
    optimizer = torch.optim.LBFGS([weight, bias], lr=1, max_iter=max_iter, history_size=20,
                                  tolerance_grad=1e-6, tolerance_change=1e-10, line_search_fn="strong_wolfe")
    n = len(y)

    def objective() -> Tensor:  # divided by N (same minimiser), so tolerances do not scale with the data
        optimizer.zero_grad()
        logits = linear(x, weight, bias)  # (N, C)
        loss = F.cross_entropy(logits, y) + weight.pow(2).sum() / (2 * c * n)
        loss.backward()
        return loss

    optimizer.step(objective)
    return weight.detach(), bias.detach()


def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """x W + b for a sparse or dense x (N, F) -> (N, C)."""
    return (torch.sparse.mm(x, weight) if x.is_sparse else x @ weight) + bias


def accuracy(x: Tensor, y: Tensor, weight: Tensor, bias: Tensor) -> float:
    return float((linear(x, weight, bias).argmax(dim=-1) == y).float().mean())


def majority_baseline(train: LabelledTexts, validation: LabelledTexts, test: LabelledTexts,
                      classes: int) -> BaselineResult:
    started = time.perf_counter()
    majority = int(torch.bincount(train.labels, minlength=classes).argmax())
    return BaselineResult("majority class", float((validation.labels == majority).float().mean()),
                          float((test.labels == majority).float().mean()), f"always class {majority}",
                          time.perf_counter() - started)


def bag_of_words_baseline(train: LabelledTexts, validation: LabelledTexts, test: LabelledTexts, classes: int,
                          config: BagOfWordsConfig | None = None) -> BaselineResult:
    """Fit on train for every C of the grid, choose C on validation, score that model on test."""
    config = config or BagOfWordsConfig()
    started = time.perf_counter()
    features = BagOfWords(train.texts, config.ngrams, config.min_count)
    x_train, x_validation = features.transform(train.texts), features.transform(validation.texts)
    best: tuple[float, float, tuple[Tensor, Tensor]] | None = None
    fitted: tuple[Tensor, Tensor] | None = None
    for c in sorted(config.grid):
        fitted = fit_logistic_regression(x_train, train.labels, classes, c, config.max_iter, start=fitted)
        score = accuracy(x_validation, validation.labels, *fitted)
        if best is None or score > best[0]:
            best = (score, c, fitted)
    assert best is not None, "the grid of C values is empty"
    score, c, (weight, bias) = best
    test_accuracy = accuracy(features.transform(test.texts), test.labels, weight, bias)
    return BaselineResult("bag of words", score, test_accuracy, f"C={c:g}, {features.size:,} uni+bigram features",
                          time.perf_counter() - started)


@functools.lru_cache(maxsize=4)  # a run's validation task and its end-of-run test task share one fit
def text_baselines(corpus: TextCorpus, max_train: int | None = None, max_eval: int | None = None,
                   config: BagOfWordsConfig | None = None) -> tuple[BaselineResult, ...]:
    """Both baselines on a corpus (the first `max_train` training and `max_eval` evaluation texts)."""
    train = corpus.train.head(max_train)
    validation, test = corpus.validation.head(max_eval), corpus.test.head(max_eval)
    classes = len(corpus.classes)
    return (majority_baseline(train, validation, test, classes),
            bag_of_words_baseline(train, validation, test, classes, config))
