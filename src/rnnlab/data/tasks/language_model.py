"""Language modelling: predict the next token of a long text, read in chunks with the state carried.

    inputs : R O M E O : \\n B u t   s o f t      tokens x_1 .. x_T of one chunk   (B, T)
    targets: O M E O : \\n B u t   s o f t ,      x_2 .. x_{T+1}                   (B, T)

The training text is cut into `batch_size` columns read `chunk_length` steps at a time
(rnnlab.data.stream); the trainer carries each column's state from one chunk to the next
(truncated BPTT), zeroing it where a document (a play, a user's file) starts. Batch k is a pure
function of the step, so `--resume` continues the stream where it stopped, from a zero state.

Two tasks:
    shakespeare-char  characters of the complete Shakespeare (rnnlab.data.datasets.shakespeare), split by
                      whole plays (26 train / 6 validation / 6 test); the vocabulary is every character of
                      the training plays, others map to <unk>.
    text-file         a user's UTF-8 file (`--set corpus=my.txt`), at `level` char (default), word or byte
                      (rnnlab.data.vocab). Fixed split by position: the first 80 % of the characters train,
                      the next 10 % validate, the last 10 % test. The vocabulary is built on the training
                      80 % (word level: the `max_vocab` most frequent words).

Metrics, over the held-out split (validation while training, test once at the end), scored by
`evaluate_model`: the text is read in `eval_columns` parallel columns, each from a zero state, with
the state carried over every chunk, and every prediction counts once:

    nats        mean cross-entropy per token, -1/N Σ ln p(x_{t+1} | x_≤t)
    bits        nats / ln 2, bits per token; also under its level's name: bpc (char), bpb (byte),
                bpw (word). A word-level bpw is NOT a bits-per-character figure.
    perplexity  exp(nats)
    accuracy    share of next tokens that are the model's most likely one

`eval_tokens` caps how much of the split is scored (its first tokens, in order) to keep evaluation
fast; None scores the whole split. Reports must state the cap. Baseline: a unigram model of the
training text (add-one smoothed), a predictor with no memory at all. A language model is never
"solved" unless `solved_bits` sets a threshold on `bits`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.data.datasets.shakespeare import load_plays, play_text
from rnnlab.data.stream import StreamBatches, reset_rows, step_weights
from rnnlab.data.tasks.base import Batch, HeldOut
from rnnlab.data.vocab import Level, Vocabulary
from rnnlab.files import read_utf8
from rnnlab.models.sequence import IOSpec

BITS_NAME: dict[str, str] = {"char": "bpc", "byte": "bpb", "word": "bpw"}
TRAIN_SHARE, VALIDATION_SHARE = 0.8, 0.1  # text-file: first 80 % train, next 10 % validation, last 10 % test


@dataclass(frozen=True)
class ShakespeareCharConfig:
    """Characters of the complete Shakespeare, split by whole plays."""

    chunk_length: int = 128  # T: steps per chunk, how far back gradients flow (truncated BPTT)
    split: HeldOut = "validation"  # held-out split scored while training; the test split is scored at the end
    eval_tokens: int | None = 100_000  # cap on characters scored per evaluation (of 0.8 M); None: all
    eval_columns: int = 16  # parallel columns the held-out text is read in
    max_train: int | None = None  # cap on training characters (of 3.2 M), for smoke tests
    solved_bits: float | None = None  # "solved" at or below this many bits per character; None: never


@dataclass(frozen=True)
class TextFileConfig:
    """A user's UTF-8 text file: first 80 % train, next 10 % validation, last 10 % test."""

    corpus: str = ""  # path of the text file (required)
    level: Level = "char"
    chunk_length: int = 128
    split: HeldOut = "validation"
    eval_tokens: int | None = 100_000
    eval_columns: int = 16
    max_train: int | None = None
    max_vocab: int | None = 20_000  # word level: keep the most frequent words, the rest are <unk>
    solved_bits: float | None = None  # bits per token


@dataclass(frozen=True)
class Corpus:
    """Token ids of a text split into documents, and the vocabulary they were encoded with."""

    vocabulary: Vocabulary
    train: list[Tensor]  # one (L,) int64 tensor per document
    held_out: list[Tensor]


VOCABULARY = "vocab.json"  # in a run folder: the vocabulary the run trained with


class LanguageModelTask:
    """Next-token prediction over a corpus that `load()` returns, loaded on first use."""

    carries_state = True

    def __init__(self, name: str, config: ShakespeareCharConfig | TextFileConfig, level: Level,
                 load: Callable[[HeldOut], Corpus]) -> None:
        for field in ("chunk_length", "eval_columns"):
            if getattr(config, field) <= 0:
                raise ValueError(f"{field} must be positive, got {getattr(config, field)}")
        for field in ("eval_tokens", "max_train"):
            value = getattr(config, field)
            if value is not None and value < 2:
                raise ValueError(f"{field} must be at least 2 tokens (or None), got {value}")
        if config.split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {config.split!r}")
        self.name, self.config, self.level, self._load = name, config, level, load
        self._corpora: dict[HeldOut, Corpus] = {}  # by held-out split: the config's, and any baselines asked for
        self._train: dict[int, StreamBatches] = {}  # training layout per batch size
        self._next_batch = 0

    @property
    def corpus(self) -> Corpus:
        return self.corpus_for(self.config.split)

    def corpus_for(self, split: HeldOut) -> Corpus:
        """The training documents and those of one held-out split (the config's split while training)."""
        if split not in self._corpora:
            self._corpora[split] = self._load(split)
        return self._corpora[split]

    @property
    def vocabulary(self) -> Vocabulary:
        return self.corpus.vocabulary

    def prepare(self) -> None:
        """Read and check the corpus now (the trainer calls this before writing a run folder)."""
        _ = self.corpus

    def save_artifacts(self, folder: Path) -> None:
        """Keep the vocabulary beside the run (RUN/vocab.json): generating later needs no corpus."""
        self.vocabulary.save(folder / VOCABULARY)

    @functools.cached_property
    def io(self) -> IOSpec:
        """Tokens in, next-token logits out; V needs the corpus, so it is computed on first use."""
        V = len(self.vocabulary)
        return IOSpec(input_size=V, output_size=V, tokens=True, per_step=True)

    @functools.cached_property
    def baseline(self) -> dict[str, float]:
        """A unigram model's scores (no memory at all)."""
        return self._unigram_baseline(self.config.split)

    def baselines(self, split: HeldOut) -> dict[str, dict[str, float]]:
        """The unigram model of the training text, scored on `split` (its first `eval_tokens`, like a model)."""
        scores = self._unigram_baseline(split)
        return {"unigram": scores} if scores else {}

    @property
    def bits_name(self) -> str:
        return BITS_NAME[self.level]

    def _unigram_baseline(self, split: HeldOut) -> dict[str, float]:
        """A unigram model of the training text (add-one smoothed), scored on the held-out tokens of `split`;
        empty for a text-file task given no corpus yet (so that listing tasks needs no file)."""
        if isinstance(self.config, TextFileConfig) and not self.config.corpus:
            return {}
        V = len(self.vocabulary)
        counts = torch.bincount(torch.cat(capped(self.corpus.train, self.config.max_train)), minlength=V)
        log_p = ((counts + 1.0) / (counts.sum() + V)).log()  # (V,)
        held_out = torch.cat(capped(self.corpus_for(split).held_out, self.config.eval_tokens))
        nats = -float(log_p[held_out].mean())
        return self._named(nats, float(held_out.eq(int(counts.argmax())).float().mean()))

    def training_batches(self, batch_size: int) -> StreamBatches:
        if batch_size not in self._train:
            self._train[batch_size] = StreamBatches(capped(self.corpus.train, self.config.max_train),
                                                    self.config.chunk_length, batch_size)
        return self._train[batch_size]

    def sample_at(self, step: int, batch_size: int) -> Batch:
        """The training batch of step 1, 2, ...: chunk step-1 (mod N) of each of `batch_size` columns."""
        return self.training_batches(batch_size).batch(step - 1)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        """The next training batch in stream order (the generator is not needed: the order is fixed)."""
        self._next_batch += 1
        return self.sample_at(self._next_batch, batch_size)

    def held_out_batches(self) -> StreamBatches:
        documents = capped(self.corpus.held_out, self.config.eval_tokens)
        return StreamBatches(documents, self.config.chunk_length, self.config.eval_columns, drop_remainder=False)

    def test_set(self, seed: int) -> Batch:
        """The first chunk of each held-out column, for code that wants one fixed batch (diagnostics)."""
        return self.held_out_batches().batch(0)

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        """Mean cross-entropy (nats) over the real steps: outputs (B, T, V), targets (B, T)."""
        nats = F.cross_entropy(outputs.transpose(1, 2), batch.targets, reduction="none")  # (B, T)
        weights = step_weights(batch)  # (B, T)
        return (nats * weights).sum() / weights.sum()

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        weights = step_weights(batch)
        correct = (outputs.argmax(-1) == batch.targets).float()  # (B, T)
        return self._named(float(self.loss(outputs, batch)), float((correct * weights).sum() / weights.sum()))

    @torch.no_grad()
    def evaluate_model(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Every held-out prediction (up to `eval_tokens`) once, state carried over the chunks of a column."""
        total_nats, correct, count = 0.0, 0.0, 0.0
        state = None
        for batch in self.held_out_batches():
            batch = batch.to(device)
            state = reset_rows(state, batch.resets)
            # No lengths: padding only ends a chunk whose column resets next, and the model is causal.
            outputs, state = model(batch.inputs, state)  # (B, T, V)
            weights = step_weights(batch)  # (B, T)
            nats = F.cross_entropy(outputs.transpose(1, 2), batch.targets, reduction="none")  # (B, T)
            total_nats += float((nats * weights).sum())
            correct += float(((outputs.argmax(-1) == batch.targets).float() * weights).sum())
            count += float(weights.sum())
        return self._named(total_nats / count, correct / count)

    def _named(self, nats: float, accuracy: float) -> dict[str, float]:
        bits = nats / math.log(2)
        return {"nats": nats, "bits": bits, self.bits_name: bits, "perplexity": math.exp(min(nats, 700.0)),
                "accuracy": accuracy}

    def solved(self, metrics: dict[str, float]) -> bool:
        threshold = self.config.solved_bits
        return threshold is not None and metrics["bits"] <= threshold


def capped(documents: Sequence[Tensor], limit: int | None) -> list[Tensor]:
    """The documents in order, the last one cut, holding at most `limit` tokens in all (None: all)."""
    if limit is None:
        return list(documents)
    kept, left = [], limit
    for document in documents:
        if left <= 0:
            break
        kept.append(document[:left])
        left -= kept[-1].shape[0]
    return kept


def encode(vocabulary: Vocabulary, text: str) -> Tensor:
    return torch.tensor(vocabulary.encode(text), dtype=torch.int64)


# Split -> the texts of its plays, in order; tests swap in small fakes.
SHAKESPEARE: dict[str, Callable[[str], list[str]]] = {
    "plays": lambda split: [play_text(play) for play in load_plays(split)],  # type: ignore[arg-type]
}


def shakespeare_char(config: ShakespeareCharConfig) -> LanguageModelTask:
    def load(split: HeldOut) -> Corpus:
        train = SHAKESPEARE["plays"]("train")
        vocabulary = Vocabulary.build(train, "char")
        return Corpus(vocabulary, [encode(vocabulary, t) for t in train],
                      [encode(vocabulary, t) for t in SHAKESPEARE["plays"](split)])

    return LanguageModelTask("shakespeare-char", config, "char", load)


def read_corpus(path: Path) -> str:
    """A user's text file as a string; one clear error for a missing, binary, non-UTF-8 or empty file."""
    text = read_utf8(path, ", not a text file", "the corpus must be UTF-8 text")  # a byte-order mark dropped
    if not text.strip():
        raise ValueError(f"{path} is empty: a corpus needs text to learn from")
    return text


def split_text(text: str) -> dict[str, str]:
    """The fixed split of a user's text by character position: 80 % train, 10 % validation, 10 % test."""
    first, second = int(len(text) * TRAIN_SHARE), int(len(text) * (TRAIN_SHARE + VALIDATION_SHARE))
    return {"train": text[:first], "validation": text[first:second], "test": text[second:]}


def text_file(config: TextFileConfig) -> LanguageModelTask:
    if config.level not in BITS_NAME:
        raise ValueError(f"level must be char, word or byte, got {config.level!r}")
    path = Path(config.corpus).expanduser()
    if config.corpus and not path.is_file():  # checked now, before a run folder is made; read on first use
        raise OSError(f"the corpus {path} is not a file")

    def load(split: HeldOut) -> Corpus:
        if not config.corpus:
            raise ValueError("task 'text-file' needs a corpus: --set corpus=PATH (a UTF-8 text file)")
        parts = split_text(read_corpus(path))
        vocabulary = Vocabulary.build([parts["train"]], config.level, max_size=config.max_vocab)
        train, held_out = encode(vocabulary, parts["train"]), encode(vocabulary, parts[split])
        for name, ids in (("train", train), (split, held_out)):
            if ids.shape[0] < 2:
                raise ValueError(f"{path} is too short: its {name} part has {ids.shape[0]} {config.level} "
                                 f"tokens, fewer than 2 (the split is 80/10/10 % by position)")
        return Corpus(vocabulary, [train], [held_out])

    return LanguageModelTask("text-file", config, config.level, load)
