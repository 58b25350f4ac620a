"""Short English conversations from the ChatterBot corpus, for chatbots.

Source: the PyPI wheel `chatterbot-corpus==1.3.3` (BSD-3-Clause), files
`chatterbot_corpus/data/english/*.yml`, 21 topics (ai, botprofile, coding, ..., tech_support, trivia).
Each file holds `conversations:`, a list of conversations, each a list of lines said in turn:

    - - What is your favorite book?
      - I like Asimov's robot stories.

The wheel is downloaded once into the cache (rnnlab.data.sources) and read with `zipfile`; chatterbot
itself is never installed. YAML is read with PyYAML's BaseLoader, so every line stays a string (the
safe loader would turn a reply `yes` into True). One entry of trivia.yml is a bare string rather
than a list of lines; it is skipped. That leaves 2,025 conversations and 2,306 (line, next line)
pairs (../shared/DATASETS.md counted 2,393 pairs); most conversations are a single question and answer.

Split, fixed by whole conversations (a reply never sits in training while its question is tested):
one shuffle with `SPLIT_SEED`, then 10 % test, 10 % validation, the rest train.

    conversations = load_conversations("train")        # list[list[str]]
"""

from __future__ import annotations

import functools
from typing import Literal

import torch
import yaml

from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import cached_wheel, wheel_members

Split = Literal["train", "validation", "test"]
Conversation = list[str]

PACKAGE, VERSION = "chatterbot-corpus", "1.3.3"
PREFIX = "chatterbot_corpus/data/english/"
SPLIT_SEED = 2014  # fixed forever: changing it changes the test set
HELD_OUT_SHARE = 0.1  # of the conversations, for validation and for test each


def parse_conversations(text: str, name: str = "corpus") -> list[Conversation]:
    """One YAML file's conversations: lists of at least two non-empty lines, stripped."""
    try:
        document = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        raise ValueError(f"{name} is not valid YAML: {str(error).splitlines()[0]}") from error
    found = document.get("conversations", []) if isinstance(document, dict) else []
    conversations = []
    for conversation in found:
        if not isinstance(conversation, list):
            continue
        lines = [line.strip() for line in conversation if isinstance(line, str) and line.strip()]
        if len(lines) >= 2:
            conversations.append(lines)
    return conversations


def split_conversations(conversations: list[Conversation]) -> dict[Split, list[Conversation]]:
    """One fixed shuffle, then 10 % test, 10 % validation (at least one each), the rest train."""
    order = torch.randperm(len(conversations), generator=torch.Generator().manual_seed(SPLIT_SEED)).tolist()
    shuffled = [conversations[i] for i in order]
    held_out = max(1, round(HELD_OUT_SHARE * len(shuffled)))
    return {"test": shuffled[:held_out], "validation": shuffled[held_out:2 * held_out],
            "train": shuffled[2 * held_out:]}


@functools.cache
def _splits() -> dict[Split, list[Conversation]]:
    files = wheel_members(PACKAGE, VERSION, PREFIX, ".yml")
    conversations = [c for path, data in files.items() for c in parse_conversations(data.decode("utf-8"), path)]
    return split_conversations(conversations)


def load_conversations(split: Split) -> list[Conversation]:
    """The conversations of one split, each a list of lines said in turn."""
    if split not in ("train", "validation", "test"):
        raise ValueError(f"split must be train, validation or test, got {split!r}")
    return _splits()[split]


INFO = DatasetInfo(
    "chatterbot", "chatbot", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)",
    "2,025 English conversations, 2,306 (line, reply) pairs", "BSD-3-Clause",
    "ChatterBot's English conversation corpus, 21 topics; split by whole conversations (80 / 10 / 10 %)",
    fetch=_splits, is_cached=lambda: cached_wheel(PACKAGE, VERSION) is not None,
)
