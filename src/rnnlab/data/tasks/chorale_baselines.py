"""Baselines for the chorale tasks: predictors without a recurrent state, fitted on the training chorales.

Piano roll (chorales-roll), NLL per frame in nats over every predicted frame (P = 46 pitch coins):

    fair coins         p(x_p = 1) = ½                       P ln 2 = 31.88, whatever the data
    pitch frequency    p(x_p = 1) = share of training frames with pitch p on
    repeat previous    p(x_p,t = 1 | x_p,t−1) fitted on training frame pairs: each pitch's chance of staying on
                       and of switching on; the strongest of these (a note mostly lasts several 16ths)

Melody (chorales-melody), cross-entropy per token in nats: a unigram (token frequencies) and a bigram
(the next token given the previous one), both add-one smoothed over the whole vocabulary.

Frequencies are smoothed by adding ½ to each count (Krichevsky-Trofimov), so that no probability is 0 or 1.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def _bernoulli_nll(p_on: Tensor, frames: Tensor) -> Tensor:
    """−Σ_p log p(x_p) for frames (T, P) under probabilities p_on (T, P) or (P,) -> (T,)."""
    return -(frames * p_on.log() + (1 - frames) * (1 - p_on).log()).sum(-1)


def roll_baselines(train: list[Tensor], held_out: list[Tensor]) -> dict[str, dict[str, float]]:
    """Documents (1 + T_i, P) of 0/1 frames -> {baseline: {"nll_per_frame": nats}} over the held-out frames
    each document predicts (frames 1..T_i, each from the frames before it)."""
    frames = torch.cat([d[1:] for d in train]).double()  # (N, P): every predicted training frame
    previous = torch.cat([d[:-1] for d in train]).double()  # (N, P)
    frequency = (frames.sum(0) + 0.5) / (len(frames) + 1)  # (P,)
    stay = ((frames * previous).sum(0) + 0.5) / (previous.sum(0) + 1)  # (P,) p(on | on before)
    start = ((frames * (1 - previous)).sum(0) + 0.5) / ((1 - previous).sum(0) + 1)  # (P,) p(on | off before)
    target = torch.cat([d[1:] for d in held_out]).double()  # (M, P)
    before = torch.cat([d[:-1] for d in held_out]).double()
    P, M = target.shape[1], len(target)
    return {
        "fair coins": {"nll_per_frame": P * math.log(2)},
        "pitch frequency": {"nll_per_frame": float(_bernoulli_nll(frequency, target).sum()) / M},
        "repeat previous": {"nll_per_frame": float(_bernoulli_nll(before * stay + (1 - before) * start,
                                                                  target).sum()) / M},
    }


def melody_baselines(train: list[Tensor], held_out: list[Tensor], vocab: int) -> dict[str, dict[str, float]]:
    """Token documents (N_i,) -> {baseline: {"nll_per_token": nats}} over the held-out tokens each predicts."""
    unigram = torch.ones(vocab, dtype=torch.float64)
    bigram = torch.ones(vocab, vocab, dtype=torch.float64)  # [previous, next], add-one
    for document in train:
        unigram += torch.bincount(document[1:], minlength=vocab)
        bigram.index_put_((document[:-1], document[1:]), torch.ones(len(document) - 1, dtype=torch.float64),
                          accumulate=True)
    unigram, bigram = unigram / unigram.sum(), bigram / bigram.sum(1, keepdim=True)
    previous = torch.cat([d[:-1] for d in held_out])
    following = torch.cat([d[1:] for d in held_out])
    return {"unigram": {"nll_per_token": -float(unigram[following].log().mean())},
            "bigram": {"nll_per_token": -float(bigram[previous, following].log().mean())}}
