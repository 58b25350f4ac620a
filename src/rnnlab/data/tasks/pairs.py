"""Sequence-to-sequence tasks over text pairs: translation (translation.py) and dialogue (dialogue.py) share
`PairTask`.

    source   : x_1 .. x_S <eos>          (B, S)  token ids; a dialogue context is its turns, each ending in <eos>
    target_in: <bos> y_1 .. y_T          (B, T)  what the decoder reads (teacher forcing)
    targets  : y_1 .. y_T <eos>          (B, T)  what it must predict; padding (id 0) is ignored by the loss

Tasks: `de-en` (Ding's German-English example sentences, rnnlab.data.datasets.ding) and `tsv` (a user's
file, `--set path=pairs.tsv`, one `source<TAB>target` pair per line; split by the fixed shuffle of
`ding.split_pairs`: 10 % test, 10 % validation, the rest train). Tokenizers (word or BPE,
rnnlab.data.bpe) are built on the training split only, `vocab_size` ids per side, which is also the
model's embedding and output size (fixed by the config, so a model is built without reading any data).
Training pairs longer than `max_length` tokens on either side are dropped (translation) or cut to their
last / first `max_length` tokens (dialogue contexts / replies).

Teacher forcing: with `teacher_forcing` < 1, each target-in token after <bos> is replaced, with
probability 1 - teacher_forcing, by the model's own prediction of it: two-pass scheduled sampling
(Mihaylova & Martins 2019), which the model runs (models/seq2seq.py), as the loss cannot.

Evaluation (`evaluate_model`, on the validation split while training, the test split once at the end):
    cross_entropy  teacher-forced nats per target token (EOS included), over the whole split, without
                   label smoothing (which only the training loss uses)
    perplexity     exp(cross_entropy);  accuracy: share of target tokens that are the most likely one
    bleu, chrf     sacreBLEU corpus BLEU and chrF of decoded outputs, detokenised, against the raw
                   references, case ignored (bleu.py, with the signature reports carry). Validation
                   evaluations decode the first `bleu_sentences` pairs greedily (a cap for speed); the test
                   split decodes all of its pairs with a beam of `beam_size` and length normalisation
                   `length_alpha` (decode/beam.py). Decoders never emit <unk> (nor <pad>, <bos>).
Baselines (`baselines`): a unigram model of the training targets (cross_entropy, perplexity); translation
adds the source copied as its own translation (BLEU, chrF), dialogue the reply of the most similar training
context (dialogue.py). A task is "solved" only when `solved_bleu` sets a threshold. The model carries its
tokenizers' token lists (stamped at evaluation, before every checkpoint), so `rnnlab translate RUN` needs
no training data.
"""


from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.batching import bucketed_rows, pad_sequences
from rnnlab.data.bpe import Tokenizer, TokenizerKind, build_tokenizer, tokenizer_from_tokens
from rnnlab.data.tasks.base import Batch, HeldOut
from rnnlab.data.tasks.bleu import translation_scores
from rnnlab.data.tasks.pair_baselines import cross_entropy, unigram
from rnnlab.data.vocab import BOS, EOS, SPECIALS, UNK
from rnnlab.decode.seq2seq import decode_sources
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.models.sequence import IOSpec

Split = Literal["train", "validation", "test"]
Example = tuple[tuple[str, ...], str]  # (source turns, target): one turn for translation
BOS_ID, EOS_ID, UNK_ID = SPECIALS.index(BOS), SPECIALS.index(EOS), SPECIALS.index(UNK)
NEVER_GENERATED = (0, 1, BOS_ID)  # <pad>, <unk>, <bos>: decoders pick the best other token


@dataclass(frozen=True)
class PairOptions:
    """What every text-pair task shares (TranslationConfig and DialogueConfig both have these fields)."""

    split: HeldOut = "validation"  # held-out split scored while training; the test split is scored at the end
    tokenizer: TokenizerKind = "word"
    vocab_size: int = 8000  # ids per side, specials included: the model's embedding and output size
    min_count: int = 2  # a word (BPE: a character or pair) must occur this often in training to get an id
    max_length: int = 50  # tokens per side in training, and the most a decoder generates
    teacher_forcing: float = 1.0  # probability of reading the true previous token (< 1: scheduled sampling)
    max_train: int | None = None  # smoke tests: the first N training pairs
    max_eval: int | None = None  # smoke tests: the first N held-out pairs
    bleu_sentences: int = 500  # cap on validation pairs greedily decoded for BLEU/chrF per evaluation
    beam_size: int = 1  # hypotheses kept when the test split is decoded (1: greedy)
    length_alpha: float = 0.6  # GNMT length normalisation of beam scores (Wu et al. 2016: 0.6-0.7)
    label_smoothing: float = 0.0  # ε of the training loss (Szegedy et al. 2016); 0.1 in Vaswani et al. 2017
    # Each training source token (a word, or a sub-word with bpe) reads as <unk> with this probability, a
    # regulariser for small corpora (Sennrich & Zhang 2019); held-out sources are read whole.
    word_dropout: float = 0.0
    solved_bleu: float | None = None  # "solved" at or above this BLEU; None: never, runs use their whole budget

    def check(self) -> None:
        if self.split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {self.split!r}")
        if self.tokenizer not in ("word", "bpe"):
            raise ValueError(f"tokenizer must be 'word' or 'bpe', got {self.tokenizer!r}")
        if self.vocab_size <= len(SPECIALS):
            raise ValueError(f"vocab_size must exceed the {len(SPECIALS)} special tokens, got {self.vocab_size}")
        for name in ("min_count", "max_length", "bleu_sentences", "beam_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("max_train", "max_eval"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive (or None), got {getattr(self, name)}")
        if not 0.0 <= self.teacher_forcing <= 1.0:
            raise ValueError(f"teacher_forcing must lie in [0, 1], got {self.teacher_forcing}")
        for name in ("label_smoothing", "word_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must lie in [0, 1), got {getattr(self, name)}")
        if not self.length_alpha >= 0:
            raise ValueError(f"length_alpha must be 0 or more, got {self.length_alpha}")


class PairTask:
    """A `Task` over fixed splits of (source turns, target) examples that `load(split)` returns, on first use."""

    def __init__(self, name: str, config: PairOptions, load: Callable[[Split], list[Example]],
                 long_pairs: Literal["drop", "truncate"]) -> None:
        self.name, self.config, self._load, self.long_pairs = name, config, load, long_pairs
        V = config.vocab_size
        self.io = IOSpec(V, V, tokens=True, per_step=True, pairs=True)
        self.baseline = {"cross_entropy": math.log(V), "perplexity": float(V), "accuracy": 1 / V,
                         "bleu": 0.0, "chrf": 0.0}
        self._tokenizers: tuple[Tokenizer, Tokenizer] | None = None

    def prepare(self) -> None:
        """Load and validate the pairs now (the trainer calls this before writing a run folder)."""
        _ = self.train_examples, self.eval_examples

    @functools.cached_property
    def train_examples(self) -> list[Example]:
        return self._load("train")[:self.config.max_train]

    @functools.cached_property
    def eval_examples(self) -> list[Example]:
        return self._load(self.config.split)[:self.config.max_eval]

    @property
    def tokenizers(self) -> tuple[Tokenizer, Tokenizer]:
        """(source, target) tokenizers: the ones a model carries once `use_model_tokenizers` saw it, else
        built on the training split."""
        if self._tokenizers is None:
            c = self.config
            sources = [turn for turns, _ in self.train_examples for turn in turns]
            targets = [target for _, target in self.train_examples]
            self._tokenizers = (build_tokenizer(c.tokenizer, sources, c.vocab_size, c.min_count),
                                build_tokenizer(c.tokenizer, targets, c.vocab_size, c.min_count))
        return self._tokenizers

    def use_model_tokenizers(self, model: Seq2SeqModel) -> None:
        """Read the token lists a trained model carries, or stamp this task's into a model that has none."""
        tables = model.token_tables()
        if tables is None:
            source, target = self.tokenizers
            model.set_token_tables(source.tokens, target.tokens)
            return
        kind = self.config.tokenizer
        tokenizers = (tokenizer_from_tokens(kind, tables[0]), tokenizer_from_tokens(kind, tables[1]))
        if self._tokenizers is None or [t.tokens for t in self._tokenizers] != [t.tokens for t in tokenizers]:
            self._tokenizers = tokenizers
            self.__dict__.pop("_train_encoded", None)
            self.__dict__.pop("_eval_encoded", None)

    def encode_source(self, turns: Sequence[str]) -> list[int]:
        """Turns -> ids, each turn followed by <eos>; cut to the last max_length tokens when truncating."""
        ids = [i for turn in turns for i in [*self.tokenizers[0].encode(turn), EOS_ID]]
        return ids[-self.config.max_length - 1:] if self.long_pairs == "truncate" else ids

    def encode_target(self, target: str) -> list[int]:
        ids = self.tokenizers[1].encode(target)
        return ids[:self.config.max_length] if self.long_pairs == "truncate" else ids

    def _encode(self, examples: list[Example], drop_long: bool) -> list[tuple[Tensor, Tensor]]:
        encoded = [(self.encode_source(turns), self.encode_target(target)) for turns, target in examples]
        if drop_long:
            limit = self.config.max_length
            encoded = [(s, t) for s, t in encoded if len(s) <= limit + 1 and len(t) <= limit]
        return [(torch.tensor(s), torch.tensor(t, dtype=torch.long)) for s, t in encoded]

    @functools.cached_property
    def _train_encoded(self) -> list[tuple[Tensor, Tensor]]:
        encoded = self._encode(self.train_examples, drop_long=self.long_pairs == "drop")
        if not encoded:
            raise ValueError(f"{self.name}: no training pair fits max_length={self.config.max_length}")
        return encoded

    @functools.cached_property
    def _eval_encoded(self) -> list[tuple[Tensor, Tensor]]:
        return self._encode(self.eval_examples, drop_long=False)

    @functools.cached_property
    def _train_lengths(self) -> Tensor:
        return torch.tensor([len(s) for s, _ in self._train_encoded])

    def batch(self, pairs: list[tuple[Tensor, Tensor]], generator: torch.Generator | None = None) -> Batch:
        """Padded (source, target_in[, sampled]), targets and source lengths; `sampled` when training with
        teacher_forcing < 1 (a generator given)."""
        source, lengths = pad_sequences([s for s, _ in pairs])  # (B, S), (B,)
        target_in, _ = pad_sequences([torch.cat([torch.tensor([BOS_ID]), t]) for _, t in pairs])  # (B, T)
        targets, _ = pad_sequences([torch.cat([t, torch.tensor([EOS_ID])]) for _, t in pairs])  # (B, T)
        if generator is None or self.config.teacher_forcing >= 1:
            return Batch((source, target_in), targets, lengths)
        draw = torch.rand(target_in.shape, generator=generator) >= self.config.teacher_forcing  # (B, T)
        sampled = draw & (target_in != 0)
        sampled[:, 0] = False  # <bos> stays
        return Batch((source, target_in, sampled), targets, lengths)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        rows = bucketed_rows(self._train_lengths, batch_size, generator)
        batch = self.batch([self._train_encoded[int(r)] for r in rows], generator)
        p = self.config.word_dropout
        if p == 0.0:  # draws nothing more from `generator`: runs without word dropout sample as before
            return batch
        source, *rest = batch.inputs  # source (B, S)
        dropped = (torch.rand(source.shape, generator=generator) < p) & (source >= len(SPECIALS))  # (B, S)
        return Batch((source.masked_fill(dropped, UNK_ID), *rest), batch.targets, batch.lengths)

    def test_set(self, seed: int = 0) -> Batch:
        """The whole held-out split in one padded batch (diagnostics; training uses `evaluate_model`)."""
        del seed  # the split is fixed
        return self.batch(self._eval_encoded)

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        """Mean cross-entropy per real target token, label-smoothed by ε: outputs (B, T, V), targets (B, T),
        padding ignored."""
        return F.cross_entropy(outputs.transpose(1, 2), batch.targets, ignore_index=0,
                               label_smoothing=self.config.label_smoothing)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        real = batch.targets != 0  # (B, T)
        nats = float(F.cross_entropy(outputs.detach().transpose(1, 2), batch.targets, ignore_index=0))
        accuracy = float((outputs.argmax(dim=-1) == batch.targets)[real].float().mean())
        return {"cross_entropy": nats, "perplexity": math.exp(min(nats, 50.0)), "accuracy": accuracy}

    @torch.no_grad()
    def evaluate_model(self, model: torch.nn.Module, device: torch.device, batch_size: int = 128) -> dict[str, float]:
        """Teacher-forced cross-entropy over the held-out split, BLEU and chrF of greedy decodes of its
        first `bleu_sentences` pairs (see the module docstring)."""
        assert isinstance(model, Seq2SeqModel), "a sequence-to-sequence task needs a Seq2SeqModel"
        self.use_model_tokenizers(model)
        pairs = self._eval_encoded
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]))
        nats, hits, tokens = 0.0, 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = self.batch([pairs[i] for i in order[start:start + batch_size]]).to(device)
            outputs, _ = model(batch.inputs, None, batch.lengths)  # (B, T, V)
            n = int((batch.targets != 0).sum())
            scores = self.metrics(outputs, batch)
            nats, hits, tokens = nats + scores["cross_entropy"] * n, hits + scores["accuracy"] * n, tokens + n
        c = self.config
        validating = c.split == "validation"
        chosen = self.decoded_examples(c.split)
        hypotheses = self.translate(model, [turns for turns, _ in chosen], 1 if validating else c.beam_size,
                                    c.length_alpha, device=device)
        mean = nats / tokens
        return {"cross_entropy": mean, "perplexity": math.exp(min(mean, 50.0)), "accuracy": hits / tokens,
                **translation_scores(hypotheses, [target for _, target in chosen])}

    def translate(self, model: Seq2SeqModel, sources: Sequence[Sequence[str]], beam_size: int = 1, alpha: float = 0.0,
                  device: torch.device | None = None) -> list[str]:
        """Source turns -> output text (lower-cased words and marks separated by spaces), best hypothesis each."""
        self.use_model_tokenizers(model)
        found = decode_sources(model, [self.encode_source(turns) for turns in sources], BOS_ID, EOS_ID,
                               self.config.max_length + 1, beam_size, alpha, device=device, banned=NEVER_GENERATED)
        return [self.tokenizers[1].decode(h.tokens) for h in found]

    def solved(self, metrics: dict[str, float]) -> bool:
        return self.config.solved_bleu is not None and metrics.get("bleu", 0.0) >= self.config.solved_bleu

    def held_out_examples(self, split: HeldOut) -> list[Example]:
        """A held-out split's examples (the first `max_eval`), as `evaluate_model` reads them."""
        return self.eval_examples if split == self.config.split else self._load(split)[:self.config.max_eval]

    def decoded_examples(self, split: HeldOut) -> list[Example]:
        """The examples whose decodes BLEU scores: the first `bleu_sentences` on validation, all on test."""
        examples = self.held_out_examples(split)
        return examples[:self.config.bleu_sentences] if split == "validation" else examples

    def target_ids(self, examples: Sequence[Example]) -> list[Tensor]:
        """Each target's ids followed by EOS: the tokens a model's cross-entropy is over."""
        return [torch.tensor([*self.encode_target(target), EOS_ID]) for _, target in examples]

    @functools.cached_property
    def target_unigram(self) -> Tensor:
        return unigram(self.target_ids(self.train_examples), self.config.vocab_size)

    def baselines(self, split: HeldOut) -> dict[str, dict[str, float]]:
        """The unigram of the training targets on `split` (pair_baselines.py); subclasses add theirs."""
        return {"unigram": cross_entropy(self.target_unigram, self.target_ids(self.held_out_examples(split)))}
