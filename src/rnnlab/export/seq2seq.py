"""A sequence-to-sequence model as two TorchScript modules: the encoder, and the decoder's step.

    encoder(source (B, S), lengths (B,))             -> memory (B, S, K), mask (B, S), state...
    decoder(target_in (B, T), state..., memory, mask) -> logits (B, T, V), state...

as `Seq2SeqModel.encode` and `.decode` (models/seq2seq.py), which greedy, sampled and beam decoding
drive one token at a time. The state is what the model carries between decoder calls: for the
recurrent encoder-decoder its h and c (L, B, H_dec) (c is zeros and unused for cells without a memory
cell), for the Transformer the target prefix read so far, token ids (B, t), empty at the start.
The mask is 1 at real source positions, as int64 (ONNX Runtime feeds booleans awkwardly).
"""

# No `from __future__ import annotations`: TorchScript reads these annotations as objects, not strings.
import contextlib
import copy
from collections.abc import Iterator

import torch
from torch import Tensor, nn

from rnnlab.export.recurrent import EXAMPLE_BATCH, EXAMPLE_STEPS, ScriptedRecurrent, step_mask, trace
from rnnlab.models.seq2seq import EncoderDecoder, Memory, Seq2SeqModel, TransformerSeq2Seq

ENCODER_INPUTS = ("source", "lengths")
RECURRENT_STATE = ("h", "c")
TRANSFORMER_STATE = ("prefix",)


class RecurrentEncoder(nn.Module):
    """source (B, S), lengths -> memory (B, S, dirs·H), mask (B, S), h0, c0 (L, B, dirs·H)."""

    def __init__(self, model: EncoderDecoder) -> None:
        super().__init__()
        self.embedding = model.source.to_width
        self.encoder = ScriptedRecurrent(model.encoder)
        self.directions = model.encoder.config.directions

    def forward(self, source: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        x = self.embedding(source)  # (B, S, E)
        zeros = self.encoder.initial_state(x)
        memory, h, c = self.encoder(x, lengths, zeros, zeros)
        if self.directions == 2:  # EncoderDecoder.bridge: (L·2, B, H) -> (L, B, 2H)
            h = torch.cat([h[0::2], h[1::2]], dim=-1)
            c = torch.cat([c[0::2], c[1::2]], dim=-1)
        return memory, step_mask(lengths, source.shape[1]).long(), h, c


class _Attend(nn.Module):
    """Attention, the combination W_c and the head: decoder outputs s_t -> logits (EncoderDecoder.decode)."""

    def __init__(self, model: EncoderDecoder) -> None:
        super().__init__()
        self.model = model

    def forward(self, outputs: Tensor, memory: Tensor, mask: Tensor) -> Tensor:
        m = self.model
        if m.attention is not None:
            context, _ = m.attention(outputs, memory, mask.bool())  # (B, T, K)
            outputs = torch.tanh(m.combine(torch.cat([context, outputs], dim=-1)))  # (B, T, H_dec)
        return m.head(outputs)  # (B, T, V)


class RecurrentDecoder(nn.Module):
    """target_in (B, T), h, c (L, B, H_dec), memory (B, S, K), mask (B, S) -> logits (B, T, V), h, c."""

    def __init__(self, model: EncoderDecoder) -> None:
        super().__init__()
        self.embedding = model.target.to_width
        self.decoder = ScriptedRecurrent(model.decoder)
        K = model.encoder.config.output_size
        H = model.decoder.config.hidden_size
        outputs = torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS, H)
        memory = torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS + 1, K)
        mask = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS + 1, dtype=torch.int64)
        self.attend = trace(_Attend(model), (outputs, memory, mask))

    def forward(self, target_in: Tensor, h: Tensor, c: Tensor, memory: Tensor, mask: Tensor
                ) -> tuple[Tensor, Tensor, Tensor]:
        x = self.embedding(target_in)  # (B, T, E)
        lengths = torch.full([x.shape[0]], x.shape[1], dtype=torch.int64, device=x.device)
        outputs, h, c = self.decoder(x, lengths, h, c)  # (B, T, H_dec)
        return self.attend(outputs, memory, mask), h, c


class _TransformerEncode(nn.Module):
    def __init__(self, model: TransformerSeq2Seq) -> None:
        super().__init__()
        self.model = model

    def forward(self, source: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        memory, _ = self.model.encode(source, lengths)
        return memory.outputs, memory.mask.long()


class _TransformerDecode(nn.Module):
    def __init__(self, model: TransformerSeq2Seq) -> None:
        super().__init__()
        self.model = model

    def forward(self, target_in: Tensor, prefix: Tensor, memory: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        return self.model.decode(target_in, prefix, Memory(memory, mask.bool()))


def _frozen(model: Seq2SeqModel) -> Seq2SeqModel:
    frozen = copy.deepcopy(model).float().cpu().eval()
    for parameter in frozen.parameters():
        parameter.requires_grad_(False)
    return frozen


@contextlib.contextmanager
def no_fast_path() -> Iterator[None]:
    """nn.TransformerEncoderLayer's inference "fast path" is one fused op that ONNX has no counterpart for."""
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)


def transformer_examples(model: TransformerSeq2Seq) -> tuple[tuple[Tensor, ...], tuple[Tensor, ...]]:
    """Inputs to trace or export the Transformer's encoder and decoder step with."""
    source = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS + 1, dtype=torch.int64)
    lengths = torch.tensor([EXAMPLE_STEPS + 1, EXAMPLE_STEPS])
    with torch.no_grad(), no_fast_path():
        memory, mask = _TransformerEncode(model)(source, lengths)
    # No size 1 anywhere: torch.export would take it for a constant.
    target_in = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS - 1, dtype=torch.int64)
    prefix = torch.ones(EXAMPLE_BATCH, EXAMPLE_STEPS, dtype=torch.int64)
    return (source, lengths), (target_in, prefix, memory, mask)


def transformer_parts(model: TransformerSeq2Seq) -> tuple[nn.Module, nn.Module]:
    """The Transformer's encoder and decoder step as plain modules (for torch.export), frozen."""
    frozen = _frozen(model)
    assert isinstance(frozen, TransformerSeq2Seq)
    return _TransformerEncode(frozen), _TransformerDecode(frozen)


def scripted_seq2seq(model: Seq2SeqModel) -> tuple[torch.jit.ScriptModule, torch.jit.ScriptModule]:
    """(encoder, decoder step) of `model` as TorchScript, in eval mode, on the CPU in float32."""
    frozen = _frozen(model)
    if isinstance(frozen, EncoderDecoder):
        return torch.jit.script(RecurrentEncoder(frozen)), torch.jit.script(RecurrentDecoder(frozen))
    if not isinstance(frozen, TransformerSeq2Seq):
        raise ValueError(f"cannot export a {type(model).__name__}")
    encode, decode = transformer_examples(frozen)
    with no_fast_path():
        encoder = trace(_TransformerEncode(frozen), encode)
        decoder = trace(_TransformerDecode(frozen), decode)
    return encoder, decoder


def state_names(model: Seq2SeqModel) -> tuple[str, ...]:
    """The decoder state's inputs and outputs, by name."""
    return TRANSFORMER_STATE if isinstance(model, TransformerSeq2Seq) else RECURRENT_STATE
