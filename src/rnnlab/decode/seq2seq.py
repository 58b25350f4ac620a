"""Decoding sequence-to-sequence models step by step: greedy, sampled, and many sources in batches.

    hypotheses = greedy_decode(model, source, lengths, bos=2, eos=3, max_length=50)          # argmax each step
    hypotheses = sample_decode(model, source, lengths, 2, 3, 50, SamplingConfig(0.8, top_p=0.9), generator)
    best = decode_sources(model, [[5, 9, 3], [7, 3]], bos=2, eos=3, max_length=50, beam_size=5, alpha=0.6)

All of them encode the source once and then feed the decoder one token at a time, carrying its state
(models/seq2seq.py); rows that have emitted EOS keep being fed EOS until every row has, and their
outputs are ignored. Beam search is in decode/beam.py; with a beam of 1 it returns what
`greedy_decode` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from rnnlab.decode.beam import Hypothesis, ban, beam_search, check_decoding, length_penalty
from rnnlab.decode.sampling import SamplingConfig, sample
from rnnlab.models.seq2seq import Seq2SeqModel

Choose = Callable[[Tensor], Tensor]  # log-probabilities (B, V) -> the next token per row (B,)


@torch.no_grad()
def decode_stepwise(model: Seq2SeqModel, source: Tensor, lengths: Tensor | None, bos: int, eos: int,
                    max_length: int, choose: Choose, alpha: float = 0.0, banned: Sequence[int] = ()
                    ) -> list[Hypothesis]:
    """One hypothesis per row of source (B, S), the next token picked by `choose` at every step from the
    log-probabilities, `banned` tokens at -inf (see beam.ban)."""
    check_decoding(1, max_length, alpha)
    B, device = source.shape[0], source.device
    memory, state = model.encode(source, lengths)
    last = torch.full((B, 1), bos, dtype=torch.long, device=device)
    log_prob = torch.zeros(B, device=device)  # (B,)
    length = torch.zeros(B, dtype=torch.long, device=device)
    finished = torch.zeros(B, dtype=torch.bool, device=device)
    tokens = []
    for _ in range(max_length):
        logits, state = model.decode(last, state, memory)  # (B, 1, V)
        step = ban(torch.log_softmax(logits[:, -1].float(), dim=-1), banned)  # (B, V)
        token = torch.where(finished, eos, choose(step).to(device))  # (B,)
        log_prob = torch.where(finished, log_prob, log_prob + step.gather(1, token[:, None]).squeeze(1))
        length = torch.where(finished, length, length + 1)
        finished = finished | (token == eos)
        tokens.append(token)
        last = token[:, None]
        if bool(finished.all()):
            break
    generated = torch.stack(tokens, dim=1).tolist()  # (B, t)
    scores = log_prob / length_penalty(length, alpha)
    results = []
    for b in range(B):
        ids = generated[b][:int(length[b])]
        done = bool(finished[b])
        results.append(Hypothesis(tuple(ids[:-1] if done else ids), float(log_prob[b]), float(scores[b]), done))
    return results


def greedy_decode(model: Seq2SeqModel, source: Tensor, lengths: Tensor | None, bos: int, eos: int,
                  max_length: int, alpha: float = 0.0, banned: Sequence[int] = ()) -> list[Hypothesis]:
    """The most likely token at every step; `alpha` only sets the reported score (see beam.py)."""
    return decode_stepwise(model, source, lengths, bos, eos, max_length, lambda step: step.argmax(dim=-1), alpha,
                           banned)


def sample_decode(model: Seq2SeqModel, source: Tensor, lengths: Tensor | None, bos: int, eos: int,
                  max_length: int, rule: SamplingConfig, generator: torch.Generator | None = None,
                  banned: Sequence[int] = ()) -> list[Hypothesis]:
    """A token drawn at every step by `rule` (temperature, top-k, top-p: decode/sampling.py)."""
    return decode_stepwise(model, source, lengths, bos, eos, max_length, lambda step: sample(step, rule, generator),
                           banned=banned)


def pad_sources(sources: Sequence[Sequence[int]], pad: int = 0) -> tuple[Tensor, Tensor]:
    """Token id lists -> (B, S_max) padded with `pad`, lengths (B,)."""
    if not sources or any(len(s) == 0 for s in sources):
        raise ValueError("every source needs at least one token")
    lengths = torch.tensor([len(s) for s in sources], dtype=torch.long)
    padded = torch.full((len(sources), int(lengths.max())), pad, dtype=torch.long)
    for row, ids in enumerate(sources):
        padded[row, :len(ids)] = torch.tensor(list(ids), dtype=torch.long)
    return padded, lengths


def decode_sources(model: Seq2SeqModel, sources: Sequence[Sequence[int]], bos: int, eos: int, max_length: int,
                   beam_size: int = 1, alpha: float = 0.0, batch_size: int = 64,
                   device: torch.device | None = None, banned: Sequence[int] = ()) -> list[Hypothesis]:
    """The best hypothesis for each source, in the given order: greedy for a beam of 1, else beam search.
    Sources are decoded in batches of similar length, so little time goes to padding."""
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    device = device or next(model.parameters()).device
    best: dict[int, Hypothesis] = {}
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        source, lengths = pad_sources([sources[i] for i in chunk])
        source = source.to(device)
        if beam_size == 1:
            found = greedy_decode(model, source, lengths, bos, eos, max_length, alpha, banned)
        else:
            found = [hyps[0] for hyps in beam_search(model, source, lengths, bos, eos, beam_size, max_length, alpha,
                                                     banned)]
        best.update(zip(chunk, found))
    return [best[i] for i in range(len(sources))]
