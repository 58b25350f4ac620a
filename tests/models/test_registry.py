"""The registry: names to models, parameter counts and budgets, and the encoder-decoder builder."""

from dataclasses import replace

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlab.models.registry import (
    MODELS,
    ModelConfig,
    TransformerFamily,
    build_encoder_decoder,
    build_model,
    count_parameters,
    hidden_size_for_budget,
)
from rnnlab.models.sequence import IOSpec

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

F64 = torch.float64
ADDING = IOSpec(input_size=2, output_size=1, per_step=False)


def test_unknown_name_raises_and_lists_the_names():
    """Reference: MODELS, the registry's own list of names, each of which the message offers."""
    with pytest.raises(ValueError, match="unknown model 'nope'") as error:
        ModelConfig("nope")
    for name in MODELS:
        assert name in str(error.value)


@pytest.mark.parametrize("hidden_size, num_layers", [(0, 1), (4, 0)])
def test_nonpositive_sizes_raise(hidden_size, num_layers):
    """Reference: ModelConfig's check that sizes are positive."""
    with pytest.raises(ValueError, match="must be positive"):
        ModelConfig("lstm", hidden_size=hidden_size, num_layers=num_layers)


def test_count_parameters_of_a_small_lstm():
    """Reference: the count by hand, 4·H·(D + H) weights + 8·H biases (b_ih and b_hh) for the LSTM plus
    H·O + O for the head, and the same count from torch.nn.LSTM and nn.Linear of those sizes."""
    D, H, O = 3, 5, 2
    model = build_model(ModelConfig("lstm", hidden_size=H), IOSpec(D, O))
    by_hand = 4 * H * (D + H) + 8 * H + H * O + O
    assert by_hand == 212  # 4·5·8 + 8·5 + 5·2 + 2
    from_torch = sum(p.numel() for m in (nn.LSTM(D, H), nn.Linear(H, O)) for p in m.parameters())
    assert count_parameters(model) == by_hand == from_torch


def test_count_parameters_skips_frozen_ones():
    """Reference: the same model's count minus the frozen head (H·O + O), since only trainable
    parameters are budgeted."""
    D, H, O = 3, 5, 2
    model = build_model(ModelConfig("gru", hidden_size=H), IOSpec(D, O))
    before = count_parameters(model)
    model.head.requires_grad_(False)
    assert count_parameters(model) == before - (H * O + O)


def count(name: str, hidden_size: int, io: IOSpec = ADDING) -> int:
    return count_parameters(build_model(ModelConfig(name, hidden_size=hidden_size), io))


@pytest.mark.parametrize("name", list(MODELS))
def test_hidden_size_for_budget_is_the_largest_within_budget(name):
    """Reference: counts of models built on the CPU at the returned size and at the next size up (the
    next multiple of num_heads for the Transformer): the first fits the budget, the second exceeds it."""
    budget = 3000
    config = ModelConfig(name)
    step = config.num_heads if isinstance(MODELS[name], TransformerFamily) else 1
    hidden = hidden_size_for_budget(config, ADDING, budget)
    assert hidden % step == 0
    assert count(name, hidden) <= budget < count(name, hidden + step)


def test_hidden_size_for_budget_for_tokens():
    """Reference: counts at the returned size and one above, for a token task whose embedding width
    follows the hidden size (so the budget pays for the embedding too)."""
    io = IOSpec(input_size=20, output_size=20, tokens=True)
    hidden = hidden_size_for_budget(ModelConfig("gru"), io, 5000)
    assert count("gru", hidden, io) <= 5000 < count("gru", hidden + 1, io)


@pytest.mark.parametrize("name", list(MODELS))
def test_budget_below_the_smallest_model_raises(name):
    """Reference: the count of the smallest model (hidden size 1, or num_heads for the Transformer),
    built on the CPU: one parameter less raises, exactly that many returns the smallest size."""
    config = ModelConfig(name)
    smallest = config.num_heads if isinstance(MODELS[name], TransformerFamily) else 1
    need = count(name, smallest)
    with pytest.raises(ValueError, match="below the smallest"):
        hidden_size_for_budget(config, ADDING, need - 1)
    assert hidden_size_for_budget(config, ADDING, need) == smallest


V_SOURCE, V_TARGET, B, S, T = 9, 11, 3, 5, 4


def tokens(vocab: int, steps: int, seed: int) -> torch.Tensor:
    return torch.randint(0, vocab, (B, steps), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", ["lstm", "gru", "irnn"])
def test_encoder_decoder_output_shape(name):
    """Reference: the EncoderDecoder contract: logits (B, T, V_target) for every target-in step."""
    model = build_encoder_decoder(ModelConfig(name, hidden_size=6), V_SOURCE, V_TARGET)
    logits, state = model((tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)))
    assert logits.shape == (B, T, V_TARGET)
    assert state.h.shape == (1, B, 6)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_bidirectional_encoder_bridges_to_a_doubled_decoder(name):
    """Reference: the encoder's own final state, each layer's forward and backward halves concatenated
    by hand: that is the decoder's initial state, and the decoder is unidirectional with 2·H units."""
    H, L = 4, 2
    model = build_encoder_decoder(ModelConfig(name, hidden_size=H, num_layers=L, bidirectional=True),
                                  V_SOURCE, V_TARGET).double()
    assert model.decoder.config.hidden_size == 2 * H
    assert not model.decoder.config.bidirectional
    assert model.decoder.config.num_layers == L
    source = tokens(V_SOURCE, S, 1)
    lengths = torch.tensor([S, 2, 3])
    _, encoder_state = model.encoder(model.source(source), None, lengths)
    expected = [torch.stack([torch.cat([part[2 * layer], part[2 * layer + 1]], dim=-1) for layer in range(L)])
                for part in encoder_state]
    _, bridged = model.encode(source, lengths)
    assert_close(list(bridged), expected)
    assert all(part.shape == (L, B, 2 * H) for part in bridged)
    logits, _ = model((source, tokens(V_TARGET, T, 2)), lengths=lengths)
    assert logits.shape == (B, T, V_TARGET)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_decoding_in_chunks_equals_decoding_at_once(bidirectional):
    """Reference: teacher-forced decoding of the whole target in one call, from the same encoder state."""
    model = build_encoder_decoder(ModelConfig("lstm", hidden_size=5, bidirectional=bidirectional),
                                  V_SOURCE, V_TARGET).double().eval()
    source, target_in = tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)
    whole, whole_state = model((source, target_in))
    _, state = model.encode(source)
    first, after_first = model.decode(target_in[:, :1], state)
    second, state = model.decode(target_in[:, 1:], after_first)
    assert_close(torch.cat([first, second], dim=1), whole)
    assert_close(tuple(state), tuple(whole_state))
    resumed, _ = model((source, target_in[:, 1:]), after_first)  # a state given: forward does not re-encode
    assert_close(resumed, second)


def test_the_transformer_encoder_decoder_has_the_same_contract():
    """Reference: the EncoderDecoder contract (logits (B, T, V_target)); attention options are for recurrent
    decoders only, the Transformer refuses them."""
    model = build_encoder_decoder(ModelConfig("transformer", hidden_size=8, num_heads=2), V_SOURCE, V_TARGET)
    logits, _ = model((tokens(V_SOURCE, S, 1), tokens(V_TARGET, T, 2)))
    assert logits.shape == (B, T, V_TARGET)
    with pytest.raises(ValueError, match="attention"):
        build_encoder_decoder(ModelConfig("transformer", hidden_size=8, attention="additive"), V_SOURCE, V_TARGET)


def test_build_model_follows_the_config():
    """Reference: the ModelConfig fields, read back from the built modules."""
    config = ModelConfig("peephole-lstm", hidden_size=6, num_layers=2, bidirectional=True)
    model = build_model(config, IOSpec(3, 2))
    assert model.core.config.peephole and model.core.config.num_layers == 2
    assert model.head.in_features == 12
    transformer = build_model(replace(config, name="transformer", bidirectional=False, num_heads=3), IOSpec(3, 2))
    assert transformer.core.config.d_model == 6 and transformer.core.config.num_heads == 3
