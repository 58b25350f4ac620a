"""Dialogue as sequence to sequence: the last `context_turns` lines of a conversation -> the next line.

    context : "what is your favorite book?" <eos>                    (source, each turn ending in <eos>)
    reply   : "i like asimov's robot stories." <eos>                (target)

Tasks: `chatterbot` (ChatterBot's English corpus, rnnlab.data.datasets.chatterbot, about 2.3k pairs)
and `shakespeare-dialogue` (every speech answering the previous one in its scene, about 29k pairs,
rnnlab.data.datasets.dialogue; split by whole plays). Everything else (tokenizers, teacher forcing,
metrics, the token lists a model carries) is `PairTask`'s, in translation.py. Contexts keep their last
`max_length` tokens and replies their first `max_length`, so long speeches are cut, never dropped.
The metric that matters here is the reply's cross-entropy (perplexity); BLEU against the one reply the
corpus happens to hold says little about a chatbot (Liu et al. 2016) and is reported only for
completeness.

`rnnlab chat RUN` keeps the conversation as context, `context_turns` lines by default (`reply`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from rnnlab.data.bpe import normalise
from rnnlab.data.datasets.chatterbot import load_conversations
from rnnlab.data.datasets.dialogue import shakespeare_conversations
from rnnlab.data.tasks.base import HeldOut
from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.data.tasks.pair_baselines import best_weight, nearest, retrieval_cross_entropy
from rnnlab.data.tasks.pairs import BOS_ID, EOS_ID, NEVER_GENERATED, Example, PairOptions, PairTask, Split
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.decode.seq2seq import pad_sources, sample_decode
from rnnlab.models.seq2seq import Seq2SeqModel

Corpus = Literal["chatterbot", "shakespeare"]


@dataclass(frozen=True)
class DialogueConfig(PairOptions):
    """Reply to a conversation: ChatterBot's corpus (`chatterbot`) or Shakespeare's scenes (`shakespeare`)."""

    dataset: Corpus = "chatterbot"
    context_turns: int = 1  # lines of the conversation the model reads before replying
    max_length: int = 30  # tokens per context and per reply (speeches are cut, not dropped)

    def __post_init__(self) -> None:
        self.check()
        if self.dataset not in ("chatterbot", "shakespeare"):
            raise ValueError(f"dataset must be 'chatterbot' or 'shakespeare', got {self.dataset!r}")
        if self.context_turns < 1:
            raise ValueError(f"context_turns must be at least 1, got {self.context_turns}")


def conversation_examples(conversations: list[list[str]], context_turns: int) -> list[Example]:
    """Every line after the first, with the up to `context_turns` lines before it as its context."""
    return [(tuple(lines[max(0, i - context_turns):i]), lines[i])
            for lines in conversations for i in range(1, len(lines))]


class DialogueTask(PairTask):
    """A `PairTask` that can also reply to a running conversation (`rnnlab chat`)."""

    config: DialogueConfig

    @functools.cached_property
    def retrieval_weight(self) -> float:
        """λ of the retrieval baseline's mixture, chosen on the validation split (pair_baselines.py)."""
        retrieved, targets = self._retrieve("validation")
        return best_weight(self.target_unigram, retrieved, targets)

    def _retrieve(self, split: HeldOut) -> tuple[list[Tensor], list[Tensor]]:
        """The ids of the replies retrieved for each example of `split`, and of the true replies."""
        examples = self.held_out_examples(split)
        found = nearest([" ".join(turns) for turns, _ in self.train_examples], [" ".join(t) for t, _ in examples])
        replies = self.target_ids([self.train_examples[i] for i in found])
        return replies, self.target_ids(examples)

    def baselines(self, split: HeldOut) -> dict[str, dict[str, float]]:
        """The unigram, and the reply of the most similar training context (pair_baselines.py) on `split`."""
        retrieved, targets = self._retrieve(split)
        nats = retrieval_cross_entropy(self.target_unigram, retrieved, targets, self.retrieval_weight)
        examples = self.decoded_examples(split)
        found = nearest([" ".join(turns) for turns, _ in self.train_examples], [" ".join(t) for t, _ in examples])
        scores = translation_scores([normalise(self.train_examples[i][1]) for i in found],
                                    [target for _, target in examples])
        return super().baselines(split) | {"retrieval": {"cross_entropy": nats, "perplexity": math.exp(min(nats, 50)),
                                                         **scores}}

    def reply(self, model: Seq2SeqModel, history: Sequence[str], rule: SamplingConfig,
              generator: torch.Generator | None = None, context_turns: int | None = None) -> str:
        """The model's next line after `history` (oldest first), its last `context_turns` lines read
        (default: as many as in training), drawn by `rule` (temperature 0: greedy)."""
        if not history:
            raise ValueError("a reply needs at least one line of conversation")
        self.use_model_tokenizers(model)
        turns = history[-(context_turns or self.config.context_turns):]
        source, lengths = pad_sources([self.encode_source(turns)])
        device = next(model.parameters()).device
        (found,) = sample_decode(model, source.to(device), lengths, BOS_ID, EOS_ID, self.config.max_length + 1,
                                 rule, generator, banned=NEVER_GENERATED)
        return self.tokenizers[1].decode(found.tokens)


def dialogue_task(config: DialogueConfig) -> DialogueTask:
    """The `chatterbot` or `shakespeare-dialogue` task; nothing is read until the first batch."""
    name = "chatterbot" if config.dataset == "chatterbot" else "shakespeare-dialogue"
    if config.context_turns != 1:
        name += f"-context{config.context_turns}"

    def load(split: Split) -> list[Example]:
        load_split = load_conversations if config.dataset == "chatterbot" else shakespeare_conversations
        return conversation_examples(load_split(split), config.context_turns)

    return DialogueTask(name, config, load, long_pairs="truncate")
