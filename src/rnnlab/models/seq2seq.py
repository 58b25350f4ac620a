"""Sequence-to-sequence models: a recurrent encoder-decoder (with or without attention) and a Transformer.

Both have the trainer's call and the decoding interface that `rnnlab.decode` drives:

    logits, state = model((source, target_in), None, lengths)       # (B, S), (B, T) -> (B, T, V); teacher forcing
    memory, state = model.encode(source, lengths)                  # Memory: outputs (B, S, K), mask (B, S)
    logits, state = model.decode(target_in, state, memory)          # any chunk of target steps, state carried
    state = model.select_state(state, rows); memory = memory.select(rows)      # beam search reorders rows

`lengths` are the source lengths; target-in steps past a sentence's end are padding whose outputs the
loss ignores. A third input, `(source, target_in, sampled)` with `sampled` (B, T) boolean, asks for
scheduled sampling (Bengio et al. 2015) in its two-pass form (Mihaylova & Martins 2019): a first,
gradient-free teacher-forced pass predicts every step; where `sampled` is True the decoder then reads
its own prediction of that token instead of the true one. The predictions come from a teacher-forced
pass, not from the model's sampled history: an approximation that costs one extra forward pass.

Every model also carries its vocabularies as byte tables (buffers saved with the weights), so a
checkpoint decodes its own outputs without the data it was trained on (`set_token_tables`).

Recurrent (Sutskever et al. 2014; Cho et al. 2014), with attention placed as Luong et al. (2015) or
Bahdanau et al. (2015) place it (`placement`):

    h_1..h_S, s_0 = Encoder(x_1..x_S)           every registered cell; a bidirectional encoder's two
                                                directions are concatenated (`bridge`), so the decoder
                                                has dirs·H units
    luong     s_t = Decoder(E y_{t-1}, s_{t-1})            (B, T, H_dec), one fused call for all steps
              c_t = Σ_j α_tj h_j,  α_t = attend(s_t, h)     attention after the step
    bahdanau  c_t = Σ_j α_tj h_j,  α_t = attend(s_{t-1}, h) attention before the step, from the previous state,
              s_t = Decoder([E y_{t-1}; c_t], s_{t-1})      and the context feeds the step: one step at a time
    s̃_t = tanh(W_c [c_t; s_t])                  the attentional hidden state; s̃_t = s_t without attention
    p(y_t | y_<t, x) = softmax(W_o s̃_t)

Luong's placement keeps the decoder one fused call over all target steps; Bahdanau's lets what the model
attended to steer its next state, at the price of a Python loop over target steps. Bahdanau et al. read
out through a maxout layer on (s_{t-1}, y_{t-1}, c_t); both placements here share the readout above, so
that they differ only in where the context enters. The score functions (models/attention.py) are
exactly Bahdanau's and Luong's. `dropout` (training only) drops the embeddings and s̃_t (Zaremba et al.
2014's non-recurrent connections); stacked layers drop between them too.

Transformer (Vaswani et al. 2017, pre-norm): a bidirectional encoder over the source with padding
masked, and a causal decoder with cross-attention to the encoder's outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from rnnlab.models.attention import AttentionName, Placement, make_attention
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.sequence import InputEncoder
from rnnlab.models.state import step_mask
from rnnlab.models.transformer import Positions, sinusoidal_positions

MAX_TOKEN_BYTES = 48  # a token table row: the token's UTF-8 bytes, zero-padded; longer tokens cannot be stored


class Memory(NamedTuple):
    """What the decoder reads of the source."""

    outputs: Tensor  # (B, S, K) encoder outputs
    mask: Tensor  # (B, S) True at real source positions

    def select(self, rows: Tensor) -> Memory:
        return Memory(self.outputs[rows], self.mask[rows])


def source_mask(source: Tensor, lengths: Tensor | None) -> Tensor:
    """(B, S) True at real positions: all of them without lengths."""
    if lengths is None:
        return torch.ones(source.shape, dtype=torch.bool, device=source.device)
    return step_mask(lengths, source.shape[1], source.device)


class Seq2SeqModel(nn.Module):
    """What both sequence-to-sequence models share: teacher forcing, scheduled sampling, token tables."""

    source_tokens: Tensor
    target_tokens: Tensor

    def __init__(self, source_vocab: int, target_vocab: int) -> None:
        super().__init__()
        self.source_vocab, self.target_vocab = source_vocab, target_vocab
        self.register_buffer("source_tokens", torch.zeros(source_vocab, MAX_TOKEN_BYTES, dtype=torch.uint8))
        self.register_buffer("target_tokens", torch.zeros(target_vocab, MAX_TOKEN_BYTES, dtype=torch.uint8))

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Memory, Any]:
        """source (B, S) -> memory, the decoder's initial state."""
        raise NotImplementedError

    def decode(self, target_in: Tensor, state: Any, memory: Memory) -> tuple[Tensor, Any]:
        """target_in (B, T) -> logits (B, T, V), the state after these steps."""
        raise NotImplementedError

    def select_state(self, state: Any, rows: Tensor) -> Any:
        """The decoder state of batch rows `rows` (B',), in that order."""
        raise NotImplementedError

    def forward(self, inputs: tuple[Tensor, ...], state: Any = None, lengths: Tensor | None = None
                ) -> tuple[Tensor, Any]:
        """inputs = (source (B, S), target_in (B, T)[, sampled (B, T)]) -> logits (B, T, V), decoder state.

        A given `state` replaces the encoder's initial decoder state (the source is still encoded for the
        memory that attention reads)."""
        source, target_in, *rest = inputs
        memory, initial = self.encode(source, lengths)
        state = initial if state is None else state
        if rest:
            (sampled,) = rest
            with torch.no_grad():
                predicted = self.decode(target_in, state, memory)[0].argmax(dim=-1)  # (B, T): guesses of y_1..y_T
            # target_in[t] is y_{t-1}; the model's guess of it is predicted[t - 1]
            own = torch.cat([target_in[:, :1], predicted[:, :-1]], dim=1)  # (B, T)
            target_in = torch.where(sampled, own, target_in)
        return self.decode(target_in, state, memory)

    def set_token_tables(self, source: Sequence[str], target: Sequence[str]) -> None:
        """Store the token strings behind the ids (at most source_vocab / target_vocab of them)."""
        for table, tokens in ((self.source_tokens, source), (self.target_tokens, target)):
            if len(tokens) > len(table):
                raise ValueError(f"{len(tokens)} tokens do not fit a vocabulary of {len(table)}")
            rows = bytearray(table.numel())
            for i, token in enumerate(tokens):
                data = token.encode("utf-8")
                if not 0 < len(data) <= MAX_TOKEN_BYTES or 0 in data:
                    raise ValueError(f"token {token!r} must have 1 to {MAX_TOKEN_BYTES} UTF-8 bytes, none zero")
                rows[i * MAX_TOKEN_BYTES:i * MAX_TOKEN_BYTES + len(data)] = data
            table.copy_(torch.frombuffer(rows, dtype=torch.uint8).view_as(table))

    def token_tables(self) -> tuple[list[str], list[str]] | None:
        """The stored (source, target) token strings, or None when none were stored."""
        if not bool(self.source_tokens[0].any()):
            return None
        return _read_table(self.source_tokens), _read_table(self.target_tokens)


def _read_table(table: Tensor) -> list[str]:
    tokens = [bytes(row).rstrip(b"\0").decode("utf-8") for row in table.cpu().numpy()]
    while tokens and not tokens[-1]:
        tokens.pop()
    return tokens


class EncoderDecoder(Seq2SeqModel):
    """The recurrent encoder-decoder (see the module docstring), attention "none", "additive" or "multiplicative"."""

    def __init__(self, source: InputEncoder, encoder: RecurrentLayer, target: InputEncoder,
                 decoder: RecurrentLayer, output_size: int, attention: AttentionName = "none",
                 placement: Placement = "luong", dropout: float = 0.0) -> None:
        super().__init__(source.io.input_size, output_size)
        enc, dec = encoder.config, decoder.config
        if dec.bidirectional or dec.hidden_size != enc.output_size or dec.num_layers != enc.num_layers \
                or dec.cell != enc.cell:
            raise ValueError("the decoder must be a unidirectional stack of the encoder's cell with as many "
                             "layers and hidden size = encoder directions x encoder hidden size")
        self.feeds_context = attention != "none" and placement == "bahdanau"
        expected = target.output_size + (enc.output_size if self.feeds_context else 0)
        if dec.input_size != expected:
            raise ValueError(f"the decoder reads {dec.input_size} inputs; this placement needs {expected}")
        self.source, self.encoder, self.target, self.decoder = source, encoder, target, decoder
        self.attention = None if attention == "none" else make_attention(attention, dec.hidden_size, enc.output_size)
        if self.attention is not None:
            self.combine = nn.Linear(enc.output_size + dec.hidden_size, dec.hidden_size)  # W_c
        self.head = nn.Linear(dec.hidden_size, output_size)  # W_o
        self.drop = nn.Dropout(dropout)

    def bridge(self, state: Any) -> Any:
        """Encoder state, fields (L·dirs, B, H) -> decoder state, fields (L, B, dirs·H)."""
        dirs = self.encoder.config.directions
        if dirs == 1:
            return state
        return type(state)(*(torch.cat([part[0::2], part[1::2]], dim=-1) for part in state))

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Memory, Any]:
        """source (B, S) -> memory (outputs (B, S, dirs·H)), decoder initial state (fields (L, B, dirs·H))."""
        outputs, state = self.encoder(self.drop(self.source(source)), None, lengths)
        return Memory(outputs, source_mask(source, lengths)), self.bridge(state)

    def decode(self, target_in: Tensor, state: Any, memory: Memory | None = None) -> tuple[Tensor, Any]:
        """target_in (B, T) -> logits (B, T, V), state after the chunk. Attention needs `memory`."""
        outputs, contexts, state, _ = self._run_decoder(target_in, state, memory)
        if contexts is not None:
            outputs = torch.tanh(self.combine(torch.cat([contexts, outputs], dim=-1)))  # s̃_t: (B, T, H_dec)
        return self.head(self.drop(outputs)), state

    def _run_decoder(self, target_in: Tensor, state: Any, memory: Memory | None
                     ) -> tuple[Tensor, Tensor | None, Any, Tensor | None]:
        """States s_t (B, T, H_dec), contexts c_t (B, T, K) (None without attention), the last state, and the
        attention weights α (B, T, S)."""
        embedded = self.drop(self.target(target_in))  # (B, T, E)
        if self.attention is None:
            outputs, state = self.decoder(embedded, state)
            return outputs, None, state, None
        if memory is None:
            raise ValueError("an attention decoder needs the encoder's memory")
        if not self.feeds_context:  # Luong: attend from s_t after one fused pass
            outputs, state = self.decoder(embedded, state)  # s_t: (B, T, H_dec)
            contexts, weights = self.attention(outputs, memory.outputs, memory.mask)  # c_t: (B, T, K)
            return outputs, contexts, state, weights
        steps, contexts_t, weights_t = [], [], []
        for t in range(embedded.shape[1]):  # Bahdanau: attend from s_{t-1}, then feed c_t into the step
            query = state.h[-1][:, None, :]  # (B, 1, H_dec): the top layer's previous state
            context, weight = self.attention(query, memory.outputs, memory.mask)  # (B, 1, K), (B, 1, S)
            output, state = self.decoder(torch.cat([embedded[:, t:t + 1], context], dim=-1), state)  # (B, 1, H)
            steps.append(output)
            contexts_t.append(context)
            weights_t.append(weight)
        return torch.cat(steps, 1), torch.cat(contexts_t, 1), state, torch.cat(weights_t, 1)

    def attention_weights(self, source: Tensor, target_in: Tensor, lengths: Tensor | None = None) -> Tensor:
        """α (B, T, S) of a teacher-forced pass, for plots and tests."""
        if self.attention is None:
            raise ValueError("this encoder-decoder has no attention")
        memory, state = self.encode(source, lengths)
        weights = self._run_decoder(target_in, state, memory)[3]
        assert weights is not None
        return weights

    def select_state(self, state: Any, rows: Tensor) -> Any:
        return type(state)(*(part[:, rows] for part in state))  # fields (L, B, H): rows on dim 1


class TransformerSeq2Seq(Seq2SeqModel):
    """Encoder-decoder Transformer (Vaswani et al. 2017), pre-norm (Xiong et al. 2020), GELU.

        encoder: z = E_src x + PE;  z = z + SelfAttention(LN(z)) [padding masked];  z = z + FFN(LN(z))
        decoder: u = E_tgt y + PE;  u = u + CausalSelfAttention(LN(u));  u = u + CrossAttention(LN(u), z);
                 u = u + FFN(LN(u));  logits = W_o LN(u)

    Embeddings are not scaled by √d: nn.Embedding starts at N(0, 1), already the scale of the positions.
    Its decoder state is the target prefix read so far (B, t): every `decode` call recomputes the decoder
    over the whole prefix (no key-value cache), which is exact and cheap at sentence lengths.
    """

    def __init__(self, source_vocab: int, target_vocab: int, d_model: int, num_layers: int, num_heads: int,
                 ff_mult: int, dropout: float, positions: Positions, max_len: int) -> None:
        super().__init__(source_vocab, target_vocab)
        self.d_model, self.max_len, self.positions = d_model, max_len, positions
        self.source_embedding = nn.Embedding(source_vocab, d_model)
        self.target_embedding = nn.Embedding(target_vocab, d_model)
        if positions == "learned":
            self.position_embedding = nn.Embedding(max_len, d_model)
        else:
            self.position_table: Tensor
            self.register_buffer("position_table", sinusoidal_positions(max_len, d_model).float(), persistent=False)
        layer = {"d_model": d_model, "nhead": num_heads, "dim_feedforward": ff_mult * d_model, "dropout": dropout,
                 "activation": "gelu", "batch_first": True, "norm_first": True}
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer), num_layers,  # type: ignore[arg-type]
                                             norm=nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), num_layers,  # type: ignore[arg-type]
                                             norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, target_vocab)

    def embed(self, embedding: nn.Embedding, tokens: Tensor) -> Tensor:
        """tokens (B, T) -> (B, T, d) with positions 0..T-1 added."""
        T = tokens.shape[1]
        if T > self.max_len:
            raise ValueError(f"a sequence of {T} tokens exceeds the Transformer's max_len of {self.max_len}")
        table = self.position_embedding.weight if self.positions == "learned" else self.position_table
        return embedding(tokens) + table[:T]

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Memory, Tensor]:
        """source (B, S) -> memory (outputs (B, S, d)), initial state: an empty prefix (B, 0)."""
        mask = source_mask(source, lengths)  # (B, S)
        outputs = self.encoder(self.embed(self.source_embedding, source), src_key_padding_mask=~mask)  # (B, S, d)
        return Memory(outputs, mask), source.new_zeros(source.shape[0], 0)

    def decode(self, target_in: Tensor, state: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """target_in (B, T) after the prefix `state` (B, t) -> logits (B, T, V), prefix (B, t + T)."""
        prefix = torch.cat([state, target_in], dim=1)  # (B, t + T)
        steps = prefix.shape[1]
        causal = torch.triu(torch.ones(steps, steps, dtype=torch.bool, device=prefix.device), diagonal=1)
        outputs = self.decoder(self.embed(self.target_embedding, prefix), memory.outputs, tgt_mask=causal,
                               tgt_is_causal=True, memory_key_padding_mask=~memory.mask)  # (B, t + T, d)
        return self.head(outputs[:, state.shape[1]:]), prefix

    def select_state(self, state: Tensor, rows: Tensor) -> Tensor:
        return state[rows]
