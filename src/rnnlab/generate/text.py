"""Text from a trained language model, streamed one token at a time.

    for piece in generate_text(model, vocabulary, "ROMEO:", 500, SamplingConfig(0.8), seed=0):
        sys.stdout.write(piece)

The prompt is read in one call, then each sampled token is fed back alone with the state carried:

    outputs, state = model(prompt)            (1, P) -> logits at the last step
    repeat:  x = sample(logits); yield text of x; outputs, state = model(x, state)   (1, 1)

Nothing here asks which model it holds: a recurrent layer carries its hidden state (at T = 1 `auto`
runs the LSTM's plain cell, which measured 3.5-5x faster than `nn.LSTM` for a single step, see
PERFORMANCE.md); the Transformer's state is its context, so each step re-reads the last `max_len`
tokens (no key-value cache). Tokens that never appear in a training stream (<pad>, <bos>, <eos>)
are never sampled; <unk> can be, and is shown as "<unk>".
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

import torch
from torch import Tensor, nn

from rnnlab.data.vocab import SPECIALS, Vocabulary
from rnnlab.decode.sampling import SamplingConfig, sample


class Detokenizer:
    """Token ids -> text pieces to print as they come: characters as they are, words with a space before
    each one after the first, bytes through an incremental UTF-8 decoder (a character may span several)."""

    def __init__(self, vocabulary: Vocabulary, after_prompt: bool = True) -> None:
        self.vocabulary = vocabulary
        self.started = after_prompt  # a word after the prompt's words needs a space before it
        self.utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def piece(self, token: int) -> str:
        text = self.vocabulary.tokens[token]
        if token < len(SPECIALS):  # a special token: only <unk> can be sampled
            return text
        if self.vocabulary.level == "byte":
            return self.utf8.decode(bytes([ord(text)]))
        if self.vocabulary.level == "word":
            text, self.started = (" " + text if self.started else text), True
        return text

    def flush(self) -> str:
        return self.utf8.decode(b"", final=True) if self.vocabulary.level == "byte" else ""


def encode_prompt(vocabulary: Vocabulary, prompt: str) -> Tensor:
    """prompt -> (1, P) token ids; a prompt with no tokens at this level is an error."""
    ids = vocabulary.encode(prompt)
    if not ids:
        raise ValueError(f"the prompt {prompt!r} has no {vocabulary.level}-level tokens; give some text")
    return torch.tensor([ids], dtype=torch.int64)


@torch.no_grad()
def generate_text(model: nn.Module, vocabulary: Vocabulary, prompt: str, length: int, rule: SamplingConfig,
                  seed: int | None = None, device: torch.device | None = None) -> Iterator[str]:
    """`length` sampled tokens after `prompt`, yielded as text pieces (the prompt itself is not yielded)."""
    if length < 0:
        raise ValueError(f"length must not be negative, got {length}")
    device = device or next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    model.eval()
    never = torch.tensor([vocabulary.pad, vocabulary.bos, vocabulary.eos])
    detokenizer = Detokenizer(vocabulary)
    outputs, state = model(encode_prompt(vocabulary, prompt).to(device))  # (1, P, V)
    for _ in range(length):
        logits = outputs[:, -1].float().cpu()  # (1, V)
        logits[:, never] = -torch.inf
        token = sample(logits, rule, generator)  # (1,)
        yield detokenizer.piece(int(token))
        outputs, state = model(token.view(1, 1).to(device), state)  # (1, 1, V)
    tail = detokenizer.flush()
    if tail:
        yield tail
