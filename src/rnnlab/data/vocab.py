"""Tokenisers and vocabularies shared by every text application (sentiment, language models, translation).

    tokens = tokenize("A gorgeous, witty movie.", "word")      # ['a', 'gorgeous', ',', 'witty', 'movie', '.']
    vocab  = Vocabulary.build(train_texts, "word", max_size=20_000, min_count=2)   # training split only
    ids    = vocab.encode("an unseen wordz")                    # unknown words -> vocab.unk
    text   = vocab.decode(ids)
    vocab.save(path); Vocabulary.load(path)                     # saved beside a trained model

Levels: "char" (every Unicode character), "byte" (UTF-8 bytes, a closed vocabulary of 256: nothing
is ever unknown), "word" (lower-cased words, numbers and single punctuation marks). A vocabulary is
built on the training split only, so validation and test text can hold unknown tokens, which map
to `<unk>` rather than leak into the vocabulary.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnnlab.files import write_atomic

Level = Literal["char", "byte", "word"]
LEVELS: tuple[Level, ...] = ("char", "byte", "word")
PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = (PAD, UNK, BOS, EOS)  # ids 0..3 in every vocabulary: padding is always id 0
# Words in any script (with a clitic: don't, it’s, Änderungen stays whole), or one mark.
WORD = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")


def tokenize(text: str, level: Level) -> list[str]:
    """Split `text` into tokens of `level` (word level lower-cases first)."""
    if level == "char":
        return list(text)
    if level == "byte":
        return [chr(b) for b in text.encode("utf-8")]  # one str per byte, so a vocabulary can hold them
    if level == "word":
        return WORD.findall(text.lower())
    raise ValueError(f"unknown token level {level!r}; choose one of {', '.join(LEVELS)}")


def detokenize(tokens: list[str], level: Level) -> str:
    if level == "char":
        return "".join(tokens)
    if level == "byte":
        return bytes(ord(t) for t in tokens).decode("utf-8", errors="replace")
    return " ".join(tokens)


@dataclass(frozen=True)
class Vocabulary:
    level: Level
    tokens: tuple[str, ...]  # id -> token; SPECIALS first

    def __post_init__(self) -> None:
        if self.tokens[:len(SPECIALS)] != SPECIALS:
            raise ValueError(f"a vocabulary starts with {SPECIALS}")
        object.__setattr__(self, "_ids", {token: i for i, token in enumerate(self.tokens)})

    @classmethod
    def build(cls, texts: Iterable[str], level: Level, max_size: int | None = None,
              min_count: int = 1) -> Vocabulary:
        """The `max_size` most frequent tokens seen at least `min_count` times (ties: first seen first).

        Byte level ignores both limits: all 256 bytes are always in."""
        if level == "byte":
            return cls(level, SPECIALS + tuple(chr(b) for b in range(256)))
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(tokenize(text, level))
        if not counts:
            raise ValueError("cannot build a vocabulary from no text")
        kept = [t for t, n in counts.most_common() if n >= min_count and t not in SPECIALS]
        if max_size is not None:
            kept = kept[:max(0, max_size - len(SPECIALS))]
        return cls(level, SPECIALS + tuple(kept))

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def pad(self) -> int:
        return 0

    @property
    def unk(self) -> int:
        return 1

    @property
    def bos(self) -> int:
        return 2

    @property
    def eos(self) -> int:
        return 3

    def id_of(self, token: str) -> int:
        return self._ids.get(token, self.unk)  # type: ignore[attr-defined]

    def encode(self, text: str) -> list[int]:
        return [self.id_of(t) for t in tokenize(text, self.level)]

    def decode(self, ids: Iterable[int], skip_specials: bool = True) -> str:
        tokens = [self.tokens[i] for i in ids if not (skip_specials and i < len(SPECIALS))]
        return detokenize(tokens, self.level)

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps({"level": self.level, "tokens": list(self.tokens)}).encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["level"], tuple(data["tokens"]))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is not a saved vocabulary ({' '.join(str(error).split())})") from None
