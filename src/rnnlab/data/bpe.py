"""Tokenizers for sequence-to-sequence text: words, or sub-words by byte-pair encoding (BPE).

    words = split_words("Ich hab’s – Änderungen!")     # ['ich', "hab's", '–', 'änderungen', '!']
    tok   = WordTokenizer.build(train_texts, max_size=8000, min_count=2)
    tok   = BPETokenizer.learn(train_texts, max_size=8000)
    ids   = tok.encode("Ich habe heute keine Zeit.");  text = tok.decode(ids)
    same  = tokenizer_from_tokens("bpe", tok.tokens)  # a tokenizer is its token list, nothing more

Both split text into lower-cased words and single punctuation marks first (`split_words`), Unicode
aware: German umlauts and ß stay inside their words. The word tokenizer maps each word to an id of a
`Vocabulary` (rnnlab.data.vocab, specials <pad> <unk> <bos> <eos> = ids 0-3) built on the training
split; unseen words are <unk>. BPE (Sennrich, Haddow & Birch 2016) starts from characters and
repeatedly merges the most frequent adjacent pair in the training words until `max_size` tokens,
so a rare or unseen word is spelled from pieces instead of becoming <unk>. A word's first piece
carries the word-start mark ▁ (as SentencePiece writes it), so decoding knows where spaces go.

Encoding a word with BPE merges, again and again, the adjacent pair whose concatenation is the
earliest-learned token (the lowest id). That needs no merge table, only the ordered token list, which
is what a trained model carries (models/seq2seq.py `set_token_tables`). Tokens are at most
`MAX_TOKEN_BYTES` UTF-8 bytes (longer words are <unk> at word level and never merged into by BPE).
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal, Protocol

from rnnlab.data.vocab import SPECIALS, Vocabulary
from rnnlab.models.seq2seq import MAX_TOKEN_BYTES

TokenizerKind = Literal["word", "bpe"]
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|_")  # letters/digits of any script (with clitics), or one mark
QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
START = "▁"  # U+2581: marks a BPE piece that begins a word


def split_words(text: str) -> list[str]:
    """Lower-cased words (with clitics: don't, hab's) and single punctuation marks; ’ is read as '."""
    return WORD.findall(text.lower().translate(QUOTES))


def normalise(text: str) -> str:
    """The form hypotheses and references are scored in: words and marks joined by single spaces."""
    return " ".join(split_words(text))


def storable(token: str) -> bool:
    return 0 < len(token.encode("utf-8")) <= MAX_TOKEN_BYTES


class Tokenizer(Protocol):
    @property
    def kind(self) -> TokenizerKind: ...

    @property
    def tokens(self) -> tuple[str, ...]: ...

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Iterable[int]) -> str: ...


@dataclass(frozen=True)
class WordTokenizer:
    """One id per word (see the module docstring)."""

    vocabulary: Vocabulary
    kind: TokenizerKind = "word"

    @classmethod
    def build(cls, texts: Iterable[str], max_size: int, min_count: int = 1) -> WordTokenizer:
        """The `max_size` most frequent words (specials included) seen at least `min_count` times."""
        counts = Counter(w for text in texts for w in split_words(text))
        kept = [w for w, n in counts.most_common() if n >= min_count and storable(w) and w not in SPECIALS]
        return cls(Vocabulary("word", SPECIALS + tuple(kept[:max(0, max_size - len(SPECIALS))])))

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.vocabulary.tokens

    def encode(self, text: str) -> list[int]:
        return [self.vocabulary.id_of(w) for w in split_words(text)]

    def decode(self, ids: Iterable[int]) -> str:
        """Words joined by spaces; specials and ids outside the vocabulary are skipped."""
        tokens = self.vocabulary.tokens
        return " ".join(tokens[i] for i in ids if len(SPECIALS) <= i < len(tokens))


@dataclass(frozen=True)
class BPETokenizer:
    """Sub-word pieces by byte-pair encoding (see the module docstring)."""

    tokens: tuple[str, ...]  # SPECIALS, the characters, then merged pieces in the order they were learned
    kind: TokenizerKind = "bpe"
    _ids: dict[str, int] = field(init=False, repr=False, compare=False)
    _cache: dict[str, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.tokens[:len(SPECIALS)] != SPECIALS:
            raise ValueError(f"a BPE vocabulary starts with {SPECIALS}")
        object.__setattr__(self, "_ids", {t: i for i, t in enumerate(self.tokens)})
        object.__setattr__(self, "_cache", {})

    @classmethod
    def learn(cls, texts: Iterable[str], max_size: int, min_count: int = 2) -> BPETokenizer:
        """Merge the most frequent adjacent pair (ties: the smaller pair) until `max_size` tokens, or until
        no pair occurs `min_count` times. Characters seen fewer than `min_count` times are left out."""
        words = Counter(w for text in texts for w in split_words(text))
        pieces = [_characters(w) for w in words]
        counts = list(words.values())
        chars: Counter[str] = Counter()
        for symbols, n in zip(pieces, counts):
            chars.update({s: n for s in symbols})
        tokens = list(SPECIALS) + sorted(c for c, n in chars.items() if n >= min_count)[:max(0, max_size - 4)]
        known = set(tokens)
        pairs: Counter[tuple[str, str]] = Counter()
        where: dict[tuple[str, str], set[int]] = {}
        for w, (symbols, n) in enumerate(zip(pieces, counts)):
            for pair in pairwise(symbols):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
        heap = [(-n, pair) for pair, n in pairs.items()]
        heapq.heapify(heap)
        while len(tokens) < max_size and heap:
            negative, pair = heapq.heappop(heap)
            if pairs.get(pair, 0) != -negative:
                continue  # a stale entry: the pair's count changed since it was pushed
            if -negative < min_count:
                break
            merged = pair[0] + pair[1]
            if not storable(merged) or not set(pair) <= known:
                pairs.pop(pair)
                continue
            if merged not in known:
                tokens.append(merged)
                known.add(merged)
            for w in where.pop(pair, set()):
                old, n = pieces[w], counts[w]
                new = _merge(old, pair, merged)
                changed: set[tuple[str, str]] = set()
                for p in pairwise(old):
                    pairs[p] -= n
                    changed.add(p)
                for p in pairwise(new):
                    pairs[p] += n
                    where.setdefault(p, set()).add(w)
                    changed.add(p)
                pieces[w] = new
                for p in changed - {pair}:
                    if pairs[p] > 0:
                        heapq.heappush(heap, (-pairs[p], p))
            pairs.pop(pair, None)
        return cls(tuple(tokens))

    def encode_word(self, word: str) -> list[int]:
        """One word's piece ids: merge the pair whose concatenation has the lowest id, until none is a token."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        symbols = _characters(word)
        while len(symbols) > 1:
            candidates = [(self._ids[a + b], (a, b)) for a, b in pairwise(symbols) if a + b in self._ids]
            if not candidates:
                break
            _, pair = min(candidates)
            symbols = _merge(symbols, pair, pair[0] + pair[1])
        ids = [self._ids.get(s, 1) for s in symbols]  # 1 = <unk>: a character never seen in training
        self._cache[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        return [i for word in split_words(text) for i in self.encode_word(word)]

    def decode(self, ids: Iterable[int]) -> str:
        """Pieces joined, a space before each word start; specials and ids outside the vocabulary skipped."""
        text = "".join(self.tokens[i] for i in ids if len(SPECIALS) <= i < len(self.tokens))
        return text.replace(START, " ").strip()


def _characters(word: str) -> list[str]:
    return [START + word[0], *word[1:]] if word else []


def _merge(symbols: list[str], pair: tuple[str, str], merged: str) -> list[str]:
    """Every non-overlapping occurrence of `pair`, left to right, replaced by `merged`."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(merged)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def build_tokenizer(kind: TokenizerKind, texts: list[str], max_size: int, min_count: int) -> Tokenizer:
    """A tokenizer of `kind` learned on `texts` (the training split only)."""
    if kind == "word":
        return WordTokenizer.build(texts, max_size, min_count)
    if kind == "bpe":
        return BPETokenizer.learn(texts, max_size, min_count)
    raise ValueError(f"unknown tokenizer {kind!r}; choose word or bpe")


def tokenizer_from_tokens(kind: TokenizerKind, tokens: Iterable[str]) -> Tokenizer:
    """The tokenizer a token list defines (what `tokens` returned)."""
    if kind == "word":
        return WordTokenizer(Vocabulary("word", tuple(tokens)))
    if kind == "bpe":
        return BPETokenizer(tuple(tokens))
    raise ValueError(f"unknown tokenizer {kind!r}; choose word or bpe")
