"""Choosing the next token from a model's logits: greedy, temperature, top-k and nucleus (top-p).

    rule = SamplingConfig(temperature=0.8, top_k=40, top_p=0.95)
    ids  = sample(logits, rule, torch.Generator().manual_seed(0))     # logits (B, V) -> ids (B,)

With logits z over V tokens:

    greedy        temperature 0: argmax z
    temperature   p = softmax(z / τ): τ < 1 sharpens, τ > 1 flattens (Ackley et al. 1985)
    top-k         keep the k largest z, renormalise (Fan et al. 2018)
    top-p         keep the smallest set of most likely tokens whose probability reaches p, renormalise
                  (Holtzman et al. 2020); the most likely token is always kept

The filters apply in that order: temperature, then top-k, then top-p on what top-k kept. Draws use
the given `torch.Generator` on the CPU, so a seed gives the same text on any device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class SamplingConfig:
    temperature: float = 1.0  # 0 means greedy
    top_k: int | None = None  # None: no limit
    top_p: float | None = None  # None: no nucleus cut; 1.0 keeps everything

    def __post_init__(self) -> None:
        if not (self.temperature >= 0 and math.isfinite(self.temperature)):
            raise ValueError(f"temperature must be 0 (greedy) or positive, got {self.temperature}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"top-k must be at least 1, got {self.top_k}")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError(f"top-p must be in (0, 1], got {self.top_p}")


def filter_logits(logits: Tensor, top_k: int | None = None, top_p: float | None = None) -> Tensor:
    """logits (B, V) with every token outside the top-k and outside the nucleus set to -inf."""
    if top_k is not None and top_k < logits.shape[-1]:
        kth = logits.topk(top_k, dim=-1).values[..., -1:]  # (B, 1): the k-th largest
        logits = logits.masked_fill(logits < kth, -math.inf)
    if top_p is not None and top_p < 1:
        sorted_logits, order = logits.sort(dim=-1, descending=True)  # (B, V)
        probs = sorted_logits.softmax(dim=-1)
        before = probs.cumsum(dim=-1) - probs  # (B, V): probability of the tokens ranked above
        drop_sorted = before >= top_p  # the set already reached p without this token
        drop = drop_sorted.scatter(-1, order, drop_sorted)  # back to vocabulary order
        logits = logits.masked_fill(drop, -math.inf)
    return logits


def sample(logits: Tensor, config: SamplingConfig, generator: torch.Generator | None = None) -> Tensor:
    """One token id per row: logits (B, V) -> (B,) int64, on the CPU."""
    logits = logits.detach().float().cpu()
    if config.temperature == 0:
        return logits.argmax(dim=-1)
    kept = filter_logits(logits / config.temperature, config.top_k, config.top_p)
    return torch.multinomial(kept.softmax(dim=-1), 1, generator=generator).squeeze(-1)
