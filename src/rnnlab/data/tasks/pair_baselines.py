"""Baselines for sequence-to-sequence tasks: what a model of text pairs must beat without reading its source.

    unigram      p(y_t) = the training targets' token frequencies (EOS included), add-one smoothed over
                 the V ids: cross-entropy per target token, as the models are scored
    copy source  the source sentence given as its own translation (translation): BLEU and chrF, which
                 names, numbers and cognates earn
    retrieval    the reply of the training context most similar to the held-out one (tf-idf cosine over
                 words; dialogue): BLEU and chrF of that reply, and the cross-entropy of the true reply under

                     p(y_t) = λ · n_r(y_t) / |r| + (1 − λ) · p_unigram(y_t)

                 a unigram of the retrieved reply r mixed with the corpus unigram, λ chosen on the
                 validation split from a grid (so that the test figure chose nothing on test)

Token ids are the task's own (its tokenizers), so cross-entropies compare with the models' per token.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import torch
from torch import Tensor

from rnnlab.data.bpe import normalise
from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.data.text_baselines import BagOfWords

LAMBDAS = tuple(i / 10 for i in range(10))  # 0 (the unigram alone) .. 0.9
ROWS = 256  # held-out contexts compared with every training context at once


def unigram(targets: Sequence[Tensor], vocab: int) -> Tensor:
    """Add-one smoothed token probabilities (V,) of target id sequences, each followed by one EOS (id `eos`
    counted in the sequences already: callers pass ids ending in EOS)."""
    counts = torch.ones(vocab, dtype=torch.float64)
    for ids in targets:
        counts += torch.bincount(ids, minlength=vocab).double()
    return counts / counts.sum()


def cross_entropy(p: Tensor, targets: Sequence[Tensor]) -> dict[str, float]:
    """Mean −ln p(y) per target token under a fixed distribution p (V,)."""
    ids = torch.cat(list(targets))
    nats = -float(p[ids].log().mean())
    return {"cross_entropy": nats, "perplexity": math.exp(min(nats, 50.0))}


def copy_source(sources: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """BLEU and chrF of each source taken as its own translation."""
    return translation_scores([normalise(s) for s in sources], references)


def nearest(train_contexts: Sequence[str], contexts: Sequence[str]) -> list[int]:
    """For each context, the index of the training context with the highest tf-idf cosine (words)."""
    features = BagOfWords(train_contexts, n=1, min_count=1)
    train = features.transform(train_contexts).t().coalesce()  # (F, N)
    found: list[int] = []
    with warnings.catch_warnings():  # sparse x sparse goes through a CSR kernel that warns it is in beta
        warnings.simplefilter("ignore", UserWarning)
        for start in range(0, len(contexts), ROWS):
            rows = features.transform(contexts[start:start + ROWS])
            similarity = torch.sparse.mm(rows, train).to_dense()  # (R, N)
            found.extend(similarity.argmax(dim=1).tolist())
    return found


def retrieval_cross_entropy(p_unigram: Tensor, retrieved: Sequence[Tensor], targets: Sequence[Tensor],
                            weight: float) -> float:
    """Mean −ln p(y) per target token under λ·(retrieved reply's unigram) + (1 − λ)·p_unigram."""
    total, count = 0.0, 0
    V = len(p_unigram)
    for reply, target in zip(retrieved, targets):
        own = torch.bincount(reply, minlength=V).double() / len(reply)  # (V,)
        p = weight * own + (1 - weight) * p_unigram
        total -= float(p[target].log().sum())
        count += len(target)
    return total / count


def best_weight(p_unigram: Tensor, retrieved: Sequence[Tensor], targets: Sequence[Tensor]) -> float:
    """λ from LAMBDAS with the lowest cross-entropy (on the validation split, by the caller's choice)."""
    return min(LAMBDAS, key=lambda w: retrieval_cross_entropy(p_unigram, retrieved, targets, w))
