"""Batched beam search for sequence-to-sequence models, with GNMT length normalisation.

Every source row keeps K hypotheses; at each step each is extended by every token and the K best of
the K·V candidates survive. Ranking uses the length-normalised score of Wu et al. (2016, eq. 14):

    score(Y) = log P(Y | X) / lp(Y),    lp(Y) = ((5 + |Y|) / 6)^α

|Y| counts the generated tokens, EOS included. α = 0 ranks by log-probability alone, which favours
short outputs; GNMT used α between 0.6 and 0.7 (Wu et al. 2016, table 2). A hypothesis that emits EOS
is finished: it stays in its beam, frozen (its only continuation is itself, at no cost), and competes
by its score with the hypotheses still growing. The search stops when every hypothesis is finished or
after `max_length` tokens; a hypothesis cut off there is returned unfinished.

With K = 1 the one hypothesis is extended by its most likely token at every step and frozen at EOS:
exactly greedy decoding (tests/decode/test_beam.py checks it token for token and score for score).

    hypotheses = beam_search(model, source, lengths, bos=2, eos=3, beam_size=5, max_length=50, alpha=0.6)
    best = hypotheses[0][0].tokens          # row 0's best hypothesis, without BOS and EOS
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from rnnlab.models.seq2seq import Seq2SeqModel


@dataclass(frozen=True)
class Hypothesis:
    """One decoded output."""

    tokens: tuple[int, ...]  # generated ids, without BOS and without EOS
    log_prob: float  # Σ log p(y_t | y_<t, x) over the generated tokens, EOS included when reached
    score: float  # log_prob / lp(length): what hypotheses are ranked by
    finished: bool  # EOS was reached within max_length


def length_penalty(length: Tensor | int, alpha: float) -> Tensor | float:
    """lp = ((5 + |Y|) / 6)^α (Wu et al. 2016, eq. 14); 1 for α = 0."""
    return ((5 + length) / 6) ** alpha


def ban(log_probs: Tensor, banned: Sequence[int]) -> Tensor:
    """log_probs (B, V) with the `banned` tokens at -inf."""
    if not banned:
        return log_probs
    return log_probs.index_fill(-1, torch.tensor(list(banned), device=log_probs.device), -math.inf)


def check_decoding(beam_size: int, max_length: int, alpha: float) -> None:
    if beam_size < 1:
        raise ValueError(f"the beam size must be at least 1, got {beam_size}")
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1 token, got {max_length}")
    if not (alpha >= 0 and math.isfinite(alpha)):
        raise ValueError(f"the length-normalisation alpha must be 0 or positive, got {alpha}")


@torch.no_grad()
def beam_search(model: Seq2SeqModel, source: Tensor, lengths: Tensor | None, bos: int, eos: int,
                beam_size: int, max_length: int, alpha: float = 0.0, banned: Sequence[int] = ()
                ) -> list[list[Hypothesis]]:
    """source (B, S) token ids -> for each row, its `beam_size` hypotheses, best first. Tokens in `banned`
    (e.g. <pad>, <unk>) are never generated; the log-probabilities stay the model's, not renormalised."""
    check_decoding(beam_size, max_length, alpha)
    B, K = source.shape[0], beam_size
    device = source.device
    memory, state = model.encode(source, lengths)
    rows = torch.arange(B, device=device).repeat_interleave(K)  # (B·K,): row b's K beams side by side
    memory, state = memory.select(rows), model.select_state(state, rows)
    log_prob = torch.full((B, K), -math.inf, device=device)  # (B, K)
    log_prob[:, 0] = 0.0  # one live hypothesis to start with, so the first step does not pick K copies
    length = torch.zeros(B, K, dtype=torch.long, device=device)  # generated tokens so far
    finished = torch.zeros(B, K, dtype=torch.bool, device=device)
    history = torch.empty(B, K, 0, dtype=torch.long, device=device)  # (B, K, t)
    last = torch.full((B * K, 1), bos, dtype=torch.long, device=device)
    for _ in range(max_length):
        logits, state = model.decode(last, state, memory)  # (B·K, 1, V)
        step = ban(torch.log_softmax(logits[:, -1].float(), dim=-1), banned).view(B, K, -1)  # (B, K, V)
        V = step.shape[-1]
        frozen = torch.full_like(step, -math.inf)
        frozen[..., eos] = 0.0  # a finished hypothesis continues only as itself
        step = torch.where(finished[..., None], frozen, step)
        total = log_prob[..., None] + step  # (B, K, V)
        grown = torch.where(finished, length, length + 1)[..., None]  # (B, K, 1)
        score = total / length_penalty(grown, alpha)  # (B, K, V)
        index = score.view(B, K * V).topk(K, dim=-1).indices  # (B, K)
        parent, token = index // V, index % V  # (B, K)
        log_prob = total.view(B, K * V).gather(1, index)
        length = grown.squeeze(-1).gather(1, parent)
        finished = finished.gather(1, parent) | (token == eos)
        history = torch.cat([history.gather(1, parent[..., None].expand_as(history)), token[..., None]], dim=-1)
        flat_parent = (parent + torch.arange(B, device=device)[:, None] * K).view(-1)  # (B·K,)
        state = model.select_state(state, flat_parent)
        last = token.view(B * K, 1)
        if bool(finished.all()):
            break
    scores = log_prob / length_penalty(length, alpha)  # (B, K)
    results = []
    for b in range(B):
        order = torch.argsort(scores[b], descending=True, stable=True)
        results.append([_hypothesis(history[b, k], int(length[b, k]), bool(finished[b, k]), float(log_prob[b, k]),
                                    float(scores[b, k])) for k in order.tolist()])
    return results


def _hypothesis(tokens: Tensor, length: int, finished: bool, log_prob: float, score: float) -> Hypothesis:
    generated = tokens[:length].tolist()
    return Hypothesis(tuple(generated[:-1] if finished else generated), log_prob, score, finished)
