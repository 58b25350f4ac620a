"""Sequence-to-sequence models: every recurrent family as encoder-decoder (± attention), the Transformer, padding,
step-by-step decoding, scheduled sampling, the token tables a checkpoint carries, and equal parameter budgets."""

import pytest
import torch
from seq2seq_checks import assert_stepwise_equals_teacher_forcing
from torch.testing import assert_close

from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.registry import (
    MODELS,
    ModelConfig,
    RecurrentFamily,
    build_for_io,
    count_parameters,
    hidden_size_for_budget,
)
from rnnlab.models.seq2seq import EncoderDecoder, TransformerSeq2Seq
from rnnlab.models.sequence import InputEncoder, IOSpec

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

B, S, T, V_SOURCE, V_TARGET, H = 3, 6, 5, 11, 13, 6
IO = IOSpec(V_SOURCE, V_TARGET, tokens=True, pairs=True)
LENGTHS = torch.tensor([S, 2, 4])
RECURRENT = [name for name, family in MODELS.items() if isinstance(family, RecurrentFamily)]
VARIANTS = [(name, attention) for name in RECURRENT for attention in ("none", "additive", "multiplicative")]
ALL = [*VARIANTS, ("transformer", "none")]


def build(name: str, attention: str = "none", **options) -> torch.nn.Module:
    config = ModelConfig(name, hidden_size=H, attention=attention, num_heads=2, ff_mult=2, max_len=32, **options)
    return build_for_io(config, IO).double().eval()


def tokens(vocab: int, steps: int, seed: int) -> torch.Tensor:
    return torch.randint(4, vocab, (B, steps), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(("name", "attention"), ALL)
def test_logits_for_every_target_step_and_gradients_everywhere(name, attention):
    """Reference: the contract forward((source, target_in), None, lengths) -> (B, T, V_target); backward
    reaches every parameter (the head and, with attention, the attention's own weights)."""
    model = build(name, attention).train()
    logits, _ = model((tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)), None, LENGTHS)
    assert logits.shape == (B, T, V_TARGET)
    logits.square().mean().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing


@pytest.mark.parametrize(("name", "attention"), [("lstm", "additive"), ("gru", "multiplicative"),
                                                 ("lstm", "none"), ("transformer", "none")])
def test_padding_in_the_source_changes_nothing(name, attention):
    """Reference: the same model on the same real tokens with different padding content: the logits agree,
    so padded positions are masked out of attention (and of the recurrence, through the lengths)."""
    model = build(name, attention, bidirectional=name != "transformer")
    source, target_in = tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)
    real = torch.arange(S)[None, :] < LENGTHS[:, None]
    other = torch.where(real, source, tokens(V_SOURCE, S, 3))
    assert_close(model((source, target_in), None, LENGTHS)[0], model((other, target_in), None, LENGTHS)[0])


@pytest.mark.parametrize(("name", "attention", "placement"), [
    ("lstm", "additive", "luong"), ("rnn", "multiplicative", "luong"), ("transformer", "none", "luong"),
    ("gru", "additive", "bahdanau"), ("lstm", "multiplicative", "bahdanau")])
def test_decoding_step_by_step_equals_teacher_forcing(name, attention, placement):
    """Reference: one teacher-forced call over the whole target; feeding it one token at a time with the
    state carried (what generation does) gives the same logits."""
    model = build(name, attention, attention_placement=placement, num_layers=2)
    assert_stepwise_equals_teacher_forcing(model, tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2), LENGTHS)


@pytest.mark.parametrize(("name", "attention"), [("gru", "additive"), ("transformer", "none")])
def test_selecting_rows_of_memory_and_state_is_decoding_those_rows(name, attention):
    """Reference: decoding the rows [2, 0] of a batch on their own: Memory.select and select_state reorder
    every part of what the decoder reads (beam search relies on it)."""
    model = build(name, attention)
    source, target_in = tokens(V_SOURCE, S, 1), tokens(V_TARGET, 2, 2)
    rows = torch.tensor([2, 0])
    memory, state = model.encode(source, LENGTHS)
    _, state = model.decode(target_in[:, :1], state, memory)
    picked, _ = model.decode(target_in[rows, 1:], model.select_state(state, rows), memory.select(rows))
    alone, _ = model((source[rows], target_in[rows]), None, LENGTHS[rows])
    assert_close(picked, alone[:, 1:])


def test_scheduled_sampling_reads_the_models_own_predictions():
    """Reference: the two-pass rule of Seq2SeqModel.forward: with no step sampled it is teacher forcing;
    with every step after <bos> sampled, the decoder reads the argmax of a teacher-forced pass instead."""
    model = build("lstm", "additive")
    source, target_in = tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)
    forced, _ = model((source, target_in), None, LENGTHS)
    none = torch.zeros(B, T, dtype=torch.bool)
    assert_close(model((source, target_in, none), None, LENGTHS)[0], forced)
    every = torch.ones(B, T, dtype=torch.bool)
    every[:, 0] = False
    own = torch.cat([target_in[:, :1], forced.argmax(-1)[:, :-1]], dim=1)
    assert_close(model((source, target_in, every), None, LENGTHS)[0], model((source, own), None, LENGTHS)[0])


def test_token_tables_round_trip_through_the_state_dict():
    """Reference: the strings stored; a fresh model of the same shape loads them with the weights."""
    model = build("lstm")
    source, target = ["<pad>", "<unk>", "straße", "ä" * 24], ["<pad>", "hello"]
    assert model.token_tables() is None
    model.set_token_tables(source, target)
    fresh = build("lstm")
    fresh.load_state_dict(model.state_dict())
    assert fresh.token_tables() == (source, target)
    with pytest.raises(ValueError, match="UTF-8 bytes"):
        model.set_token_tables(["x" * 49], target)
    with pytest.raises(ValueError, match="do not fit"):
        model.set_token_tables(["t"] * (V_SOURCE + 1), target)


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_bahdanau_placement_attends_from_the_previous_state_and_feeds_the_context_into_the_step(name):
    """Reference: Bahdanau et al. 2015, eq. (4)-(6), stepped by hand with the model's own modules:
    c_t = Σ α_tj h_j with α_t from s_{t-1}; s_t = Decoder([E y_{t-1}; c_t], s_{t-1}); then the shared readout
    W_o tanh(W_c [c_t; s_t]). The attention weights a teacher-forced pass reports are those α_t."""
    model = build(name, "additive", attention_placement="bahdanau", bidirectional=True)
    assert isinstance(model, EncoderDecoder) and model.decoder.config.input_size == H + 2 * H
    source, target_in = tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)
    memory, state = model.encode(source, LENGTHS)
    logits, weights = [], []
    for t in range(T):
        query = state.h[-1][:, None, :]  # s_{t-1}, top layer
        context, alpha = model.attention(query, memory.outputs, memory.mask)
        s_t, state = model.decoder(torch.cat([model.target(target_in[:, t:t + 1]), context], -1), state)
        logits.append(model.head(torch.tanh(model.combine(torch.cat([context, s_t], -1)))))
        weights.append(alpha)
    assert_close(model((source, target_in), None, LENGTHS)[0], torch.cat(logits, 1))
    assert_close(model.attention_weights(source, target_in, LENGTHS), torch.cat(weights, 1))


def test_luong_and_bahdanau_placements_differ_only_in_the_decoders_input():
    """Reference: the placements' equations: Bahdanau's decoder reads [E y; c] (E + dirs·H wide), Luong's E y."""
    luong, bahdanau = build("gru", "additive"), build("gru", "additive", attention_placement="bahdanau")
    assert luong.decoder.config.input_size == H and bahdanau.decoder.config.input_size == 2 * H
    difference = count_parameters(bahdanau) - count_parameters(luong)
    assert difference == 3 * H * H  # the GRU's W_ih gains H columns for each of its 3 gates
    with pytest.raises(ValueError, match="unknown attention placement"):
        ModelConfig("gru", attention="additive", attention_placement="before")


def test_a_bidirectional_encoder_feeds_a_decoder_twice_as_wide():
    """Reference: EncoderDecoder.bridge's layout: the decoder has dirs·H units and reads memory of dirs·H."""
    model = build("lstm", "multiplicative", bidirectional=True, num_layers=2)
    assert isinstance(model, EncoderDecoder)
    assert model.decoder.config.hidden_size == 2 * H and model.decoder.config.num_layers == 2
    memory, state = model.encode(tokens(V_SOURCE, S, 1), LENGTHS)
    assert memory.outputs.shape == (B, S, 2 * H) and state.h.shape == (2, B, 2 * H)


@pytest.mark.parametrize("decoder_config", [
    {"bidirectional": True},
    {"hidden_size": H},  # a bidirectional encoder needs 2·H
    {"num_layers": 2},
    {"cell": "gru"},
], ids=["bidirectional", "hidden", "layers", "cell"])
def test_encoder_decoder_rejects_a_mismatched_decoder(decoder_config):
    """Reference: the bridge's requirement in EncoderDecoder: a unidirectional decoder of the encoder's
    cell, as many layers, and hidden size = directions x encoder hidden size."""
    encoder = RecurrentLayer(RecurrentConfig("lstm", H, H, bidirectional=True))
    options = {"cell": "lstm", "input_size": H, "hidden_size": 2 * H}
    options.update(decoder_config)
    decoder = RecurrentLayer(RecurrentConfig(**options))
    embed = InputEncoder(IOSpec(V_SOURCE, 1, tokens=True), H)
    with pytest.raises(ValueError, match="decoder"):
        EncoderDecoder(embed, encoder, embed, decoder, V_TARGET)


@pytest.mark.parametrize(("name", "attention"), [("rnn", "none"), ("lstm", "additive"), ("gru", "multiplicative"),
                                                 ("transformer", "none")])
def test_equal_budgets_pick_the_largest_model_that_fits(name, attention):
    """Reference: count_parameters of the models built at the chosen size and one step above it (a multiple of
    the head count for the Transformer): the first fits the budget, the second does not."""
    budget = 60_000
    config = ModelConfig(name, attention=attention, num_heads=2)
    size = hidden_size_for_budget(config, IO, budget)
    step = 2 if name == "transformer" else 1
    fits = count_parameters(build_for_io(ModelConfig(name, hidden_size=size, attention=attention, num_heads=2), IO))
    over = count_parameters(build_for_io(ModelConfig(name, hidden_size=size + step, attention=attention,
                                                     num_heads=2), IO))
    assert fits <= budget < over


def test_attention_is_refused_outside_sequence_to_sequence():
    with pytest.raises(ValueError, match="sequence-to-sequence"):
        build_for_io(ModelConfig("lstm", attention="additive"), IOSpec(3, 2))
    with pytest.raises(ValueError, match="unknown attention"):
        ModelConfig("lstm", attention="dot")
    assert isinstance(build("transformer"), TransformerSeq2Seq)
