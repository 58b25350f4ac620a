"""The only place a model name becomes a class, what each model is (its traits), and parameter budgets.

    model = build_model(ModelConfig("lstm", hidden_size=128), IOSpec(input_size=2, output_size=1))
    H = hidden_size_for_budget(ModelConfig("gru"), io, budget=50_000)   # equal-parameter comparisons
    traits("lstm").display_name, traits("gru").gated                    # "LSTM", True

Code that treats models differently (reports, claims, diagnostics) asks for their traits here, never
for their names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import torch
from torch import nn

from rnnlab.models.attention import ATTENTIONS, PLACEMENTS, AttentionName, Placement
from rnnlab.models.init import InitConfig
from rnnlab.models.layer_config import Backend, RecurrentConfig
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.seq2seq import EncoderDecoder, Seq2SeqModel, TransformerSeq2Seq
from rnnlab.models.sequence import POOLINGS, InputEncoder, IOSpec, Pooling, SequenceModel
from rnnlab.models.transformer import CausalTransformer, Positions, TransformerConfig


@dataclass(frozen=True)
class ModelConfig:
    """A model by name plus its sizes. Fields a family does not use are ignored by it."""

    name: str = "lstm"
    hidden_size: int = 128  # H for recurrent cells, d_model for the Transformer
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0  # between stacked layers, and on embeddings and outputs (models/sequence.py, seq2seq.py)
    embed_size: int | None = None  # token embedding width (default: hidden_size); features: None = raw
    init: InitConfig | None = None  # None: the family's default (see MODELS)
    backend: Backend = "auto"
    num_heads: int = 4  # Transformer
    ff_mult: int = 4  # Transformer
    positions: Positions = "sinusoidal"  # Transformer
    max_len: int = 1024  # Transformer context window
    attention: AttentionName = "none"  # recurrent encoder-decoders only (models/attention.py)
    attention_placement: Placement = "luong"  # where the context enters the decoder (models/seq2seq.py)
    pooling: Pooling = "last"  # one output per sequence: from the last step, or pooled (models/sequence.py)

    def __post_init__(self) -> None:
        if self.name not in MODELS:
            raise ValueError(f"unknown model {self.name!r}; choose one of {', '.join(MODELS)}")
        if self.attention not in ATTENTIONS:
            raise ValueError(f"unknown attention {self.attention!r}; choose one of {', '.join(ATTENTIONS)}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {self.pooling!r}; choose one of {', '.join(POOLINGS)}")
        if self.attention_placement not in PLACEMENTS:
            raise ValueError(f"unknown attention placement {self.attention_placement!r}; choose one of "
                             f"{', '.join(PLACEMENTS)}")
        if self.hidden_size <= 0 or self.num_layers <= 0:
            raise ValueError(f"hidden_size and num_layers must be positive, got {self.hidden_size}, "
                             f"{self.num_layers}")


Family = Literal["elman", "lstm", "gru", "minimal", "indrnn", "transformer"]
StateKind = Literal["h", "h, c", "context"]


@dataclass(frozen=True)
class ModelTraits:
    """What a model is, for the code that compares, reports on and diagnoses models."""

    display_name: str  # in prose, tables and figures: "LSTM"
    family: Family  # elman: tanh/ReLU RNNs; minimal: minGRU, minLSTM (Feng et al. 2024)
    state: StateKind  # what it carries between steps: h, the LSTM's (h, c), or a Transformer's whole context
    gated: bool  # sigmoid gates decide what to keep and what to write
    keep_gate: str | None = None  # the gate that decides how much old memory survives a step (LSTM f, GRU z),
    # for gate diagnostics, which read it through the cell's `gates()`; None: no such gate to read
    modern: bool = False  # a recurrence from after 2017 (shown in reports' "Beyond the LSTM" section)

    @property
    def recurrent(self) -> bool:
        return self.family != "transformer"


@dataclass(frozen=True)
class RecurrentFamily:
    """A named recurrent model: the cell and its options."""

    cell: str
    description: str
    traits: ModelTraits
    options: dict[str, object] = field(default_factory=dict)
    init: InitConfig = field(default_factory=InitConfig)

    def core(self, config: ModelConfig, input_size: int) -> RecurrentLayer:
        return RecurrentLayer(self.recurrent_config(config, input_size))

    def recurrent_config(self, config: ModelConfig, input_size: int) -> RecurrentConfig:
        return RecurrentConfig(
            cell=self.cell, input_size=input_size, hidden_size=config.hidden_size,  # type: ignore[arg-type]
            num_layers=config.num_layers, bidirectional=config.bidirectional, dropout=config.dropout,
            init=config.init or self.init, backend=config.backend, **self.options,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class TransformerFamily:
    description: str
    traits: ModelTraits

    def core(self, config: ModelConfig, input_size: int) -> CausalTransformer:
        return CausalTransformer(TransformerConfig(
            input_size=input_size, d_model=config.hidden_size, num_layers=config.num_layers,
            num_heads=config.num_heads, ff_mult=config.ff_mult, dropout=config.dropout,
            positions=config.positions, max_len=config.max_len,
        ))


ELMAN = ModelTraits("RNN", "elman", "h", gated=False)
LSTM = ModelTraits("LSTM", "lstm", "h, c", gated=True, keep_gate="f")
MINIMAL = ModelTraits("minGRU", "minimal", "h", gated=True, modern=True)

MODELS: dict[str, RecurrentFamily | TransformerFamily] = {
    "rnn": RecurrentFamily("rnn", "Elman RNN, tanh", ELMAN),
    "irnn": RecurrentFamily("rnn", "Elman RNN, ReLU with identity recurrent init (Le et al. 2015)",
                            replace(ELMAN, display_name="IRNN"), {"nonlinearity": "relu"},
                            InitConfig(scheme="identity")),
    "lstm": RecurrentFamily("lstm", "LSTM, forget-gate bias 1 (Jozefowicz et al. 2015)", LSTM),
    "lstm-fb0": RecurrentFamily("lstm", "LSTM with forget-gate bias 0, as nn.LSTM starts (against Jozefowicz et al. "
                                "2015's bias 1)", replace(LSTM, display_name="LSTM (forget bias 0)"),
                                init=InitConfig(forget_bias=0.0)),
    "peephole-lstm": RecurrentFamily("lstm", "LSTM with peephole connections (Gers & Schmidhuber 2000)",
                                     replace(LSTM, display_name="peephole LSTM"), {"peephole": True}),
    "cifg-lstm": RecurrentFamily("lstm", "LSTM with coupled input-forget gate (Greff et al. 2017)",
                                 replace(LSTM, display_name="CIFG-LSTM"), {"cifg": True}),
    "ln-lstm": RecurrentFamily("lstm", "layer-normalised LSTM (Ba et al. 2016)", replace(LSTM, display_name="LN-LSTM"),
                               {"layer_norm": True}),
    "gru": RecurrentFamily("gru", "GRU (Cho et al. 2014), PyTorch's reset-gate placement",
                           ModelTraits("GRU", "gru", "h", gated=True, keep_gate="z")),
    "mingru": RecurrentFamily("mingru", "minGRU (Feng et al. 2024): gates from x alone; parallel scan on CUDA",
                              MINIMAL),
    "minlstm": RecurrentFamily("minlstm", "minLSTM (Feng et al. 2024): gates from x alone; parallel scan on CUDA",
                               replace(MINIMAL, display_name="minLSTM")),
    "indrnn": RecurrentFamily("indrnn", "IndRNN (Li et al. 2018): ReLU, one recurrent weight per unit, "
                                        "|u| ≤ 2^(1/1000)",
                              ModelTraits("IndRNN", "indrnn", "h", gated=False, modern=True)),
    "transformer": TransformerFamily("causal Transformer, pre-norm, sinusoidal positions",
                                     ModelTraits("Transformer", "transformer", "context", gated=False)),
}


def traits(name: str) -> ModelTraits:
    """The traits of model `name`; ValueError naming the models for an unknown one."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name].traits


def display_name(name: str) -> str:
    """How a model is named in prose and on figures: "RNN" for "rnn"; a name no model has, as given."""
    return MODELS[name].traits.display_name if name in MODELS else name


def build_model(config: ModelConfig, io: IOSpec) -> SequenceModel:
    """The model `config.name` for a task's inputs and outputs (one sequence in; see `build_for_io`)."""
    if io.pairs:
        raise ValueError("a sequence-to-sequence task needs an encoder-decoder: use build_for_io")
    if config.attention != "none":
        raise ValueError("attention applies to sequence-to-sequence tasks (translation, dialogue) only")
    family = MODELS[config.name]
    needs_width = io.tokens or isinstance(family, TransformerFamily)
    # The Transformer projects features to d_model itself, so only tokens get an embedding before it.
    width = (config.embed_size or config.hidden_size) if io.tokens else None
    encoder = InputEncoder(io, width if needs_width else None)
    return SequenceModel(encoder, family.core(config, encoder.output_size), io, config.dropout, config.pooling)


def build_encoder_decoder(config: ModelConfig, source_vocab: int, target_vocab: int) -> Seq2SeqModel:
    """A sequence-to-sequence model over token ids: any recurrent family as encoder and decoder (with
    `config.attention`), or the encoder-decoder Transformer. A bidirectional encoder gets a decoder of
    2·H units (see EncoderDecoder.bridge)."""
    family = MODELS[config.name]
    if isinstance(family, TransformerFamily):
        if config.attention != "none":
            raise ValueError("the Transformer attends by design; attention options are for recurrent models")
        return TransformerSeq2Seq(source_vocab, target_vocab, config.hidden_size, config.num_layers,
                                  config.num_heads, config.ff_mult, config.dropout, config.positions, config.max_len)
    width = config.embed_size or config.hidden_size
    source = InputEncoder(IOSpec(source_vocab, 1, tokens=True), width)
    target = InputEncoder(IOSpec(target_vocab, 1, tokens=True), width)
    encoder = RecurrentLayer(family.recurrent_config(config, width))
    decoder_config = replace(config, bidirectional=False,
                             hidden_size=config.hidden_size * (2 if config.bidirectional else 1))
    feeds_context = config.attention != "none" and config.attention_placement == "bahdanau"
    decoder_input = width + (encoder.config.output_size if feeds_context else 0)  # [E y; c] under Bahdanau's
    decoder = RecurrentLayer(family.recurrent_config(decoder_config, decoder_input))
    return EncoderDecoder(source, encoder, target, decoder, target_vocab, config.attention,
                          config.attention_placement, config.dropout)


def build_for_io(config: ModelConfig, io: IOSpec) -> nn.Module:
    """What a task's io asks for: an encoder-decoder for sequence-to-sequence (`io.pairs`), else `build_model`."""
    if io.pairs:
        return build_encoder_decoder(config, io.input_size, io.output_size)
    return build_model(config, io)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, the budget models are compared at."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def hidden_size_for_budget(config: ModelConfig, io: IOSpec, budget: int) -> int:
    """The hidden size whose model comes closest to `budget` parameters without exceeding it.

    Parameter count grows monotonically with hidden size, so a binary search over sizes (multiples of
    the head count for the Transformer) finds it; models are built on the meta device, allocating nothing.
    """
    step = config.num_heads if isinstance(MODELS[config.name], TransformerFamily) else 1

    def count(units: int) -> int:
        with torch.device("meta"):
            return count_parameters(build_for_io(replace(config, hidden_size=units * step), io))

    if count(1) > budget:
        raise ValueError(f"a budget of {budget} parameters is below the smallest {config.name!r} "
                         f"model ({count(1)} parameters)")
    low, high = 1, 2
    while count(high) <= budget:
        low, high = high, high * 2
    while high - low > 1:  # count(low) <= budget < count(high)
        middle = (low + high) // 2
        low, high = (middle, high) if count(middle) <= budget else (low, middle)
    return low * step

