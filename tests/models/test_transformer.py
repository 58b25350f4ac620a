"""The causal Transformer: causality, chunked calls, positions, padding, and config checks."""

import math

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlab.models.transformer import CausalTransformer, TransformerConfig, TransformerState, sinusoidal_positions

B, T, D = 3, 8, 3
F64 = torch.float64


def make(**overrides) -> CausalTransformer:
    """A small float64 Transformer in eval mode, so every comparison is exact up to rounding."""
    options = {"input_size": D, "d_model": 8, "num_layers": 2, "num_heads": 2, "ff_mult": 2, "max_len": 16}
    options.update(overrides)
    return CausalTransformer(TransformerConfig(**options)).double().eval()


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
@pytest.mark.parametrize("t", [1, 4, T - 1])
def test_changing_the_future_leaves_the_past_unchanged(positions, t):
    """Reference: the outputs before step t of the same model on the unchanged input (causal attention)."""
    model = make(positions=positions)
    x = torch.randn(B, T, D, dtype=F64)
    changed = x.clone()
    changed[:, t:] = torch.randn(B, T - t, D, dtype=F64)
    y, _ = model(x)
    y_changed, _ = model(changed)
    assert_close(y_changed[:, :t], y[:, :t])
    assert not torch.allclose(y_changed[:, t:], y[:, t:])  # the change did reach the steps it may reach


def test_inference_path_is_causal_and_equal():
    """Reference: the same float32 model with autograd on. Under no_grad in eval mode PyTorch may take
    its fused inference path for the encoder layers, which must honour the causal mask just the same."""
    model = CausalTransformer(TransformerConfig(input_size=D, d_model=8, num_heads=2)).eval()
    x = torch.randn(B, T, D)
    y, _ = model(x)
    changed = x.clone()
    changed[:, 4:] = 5.0
    with torch.no_grad():
        y_fast, _ = model(x)
        y_changed, _ = model(changed)
    assert_close(y_fast, y.detach())
    assert_close(y_changed[:, :4], y_fast[:, :4])


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
@pytest.mark.parametrize("splits", [(4, 4), (1, 3, 4), (5, 1, 1, 1)])
def test_chunks_carrying_state_equal_one_call(positions, splits):
    """Reference: one call over the whole sequence, which fits in max_len."""
    model = make(positions=positions)
    x = torch.randn(B, T, D, dtype=F64)
    whole, whole_state = model(x)
    state, outputs = None, []
    for chunk in x.split(list(splits), dim=1):
        y, state = model(chunk, state)
        outputs.append(y)
    assert_close(torch.cat(outputs, dim=1), whole)
    assert isinstance(state, TransformerState)
    assert_close(state.context, whole_state.context)
    assert state.context.shape == (B, T, 8)


def test_context_slides_past_max_len():
    """Reference: one call over the last max_len steps alone (the module docstring: past max_len the
    context slides, and positions count from the start of the window)."""
    model = make(max_len=4)
    x = torch.randn(B, 9, D, dtype=F64)
    state = None
    for chunk in x.split(3, dim=1):
        y, state = model(chunk, state)
    assert state.context.shape == (B, 4, 8)
    window, _ = model(x[:, -4:])
    assert_close(y, window[:, -3:])


def test_sinusoidal_positions_follow_vaswani():
    """Reference: Vaswani et al. 2017, section 3.5, written out element by element:
    PE[p, 2k] = sin(p / 10000^(2k/d)), PE[p, 2k+1] = cos(p / 10000^(2k/d))."""
    for length, d in [(7, 6), (5, 5), (3, 1)]:  # odd widths end on a sine column
        expected = torch.zeros(length, d, dtype=F64)
        for p in range(length):
            for i in range(d):
                angle = p / 10000 ** ((i - i % 2) / d)
                expected[p, i] = math.sin(angle) if i % 2 == 0 else math.cos(angle)
        assert_close(sinusoidal_positions(length, d), expected)


def test_model_adds_the_sinusoidal_table():
    """Reference: sinusoidal_positions(max_len, d_model), which the model stores in float32."""
    model = CausalTransformer(TransformerConfig(input_size=D, d_model=8, num_heads=2, max_len=16))
    assert_close(model.position_table, sinusoidal_positions(16, 8).float())
    assert_close(model.positions(5, torch.zeros(1, dtype=F64)), sinusoidal_positions(16, 8)[:5].float().double())


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
def test_lengths_zero_outputs_past_each_length(positions):
    """Reference: zeros past each length, and before it each sequence run alone and unpadded."""
    model = make(positions=positions)
    x = torch.randn(B, T, D, dtype=F64)
    lengths = torch.tensor([3, T, 1])
    y, _ = model(x, lengths=lengths)
    for b, length in enumerate(lengths.tolist()):
        assert_close(y[b, length:], torch.zeros(T - length, 8, dtype=F64))
        alone, _ = model(x[b:b + 1, :length])
        assert_close(y[b, :length], alone[0])
    assert_close(model.summary(y, lengths), torch.stack([y[0, 2], y[1, T - 1], y[2, 0]]))


def test_learned_positions_are_trained():
    """Reference: nn.Embedding semantics: a backward pass reaches exactly the rows of the positions used."""
    model = make(positions="learned")
    assert model.position_embedding.weight.shape == (16, 8)
    assert not hasattr(model, "position_table")
    y, _ = model(torch.randn(B, 5, D, dtype=F64))
    y.pow(2).sum().backward()
    grad = model.position_embedding.weight.grad
    assert torch.isfinite(grad).all()
    assert (grad[:5].abs().sum(dim=1) > 0).all()
    assert_close(grad[5:], torch.zeros(11, 8, dtype=F64))


@pytest.mark.parametrize("overrides", [
    {"d_model": 10, "num_heads": 4},  # not divisible
    {"num_heads": 0},
    {"num_layers": 0},
    {"d_model": 0},
    {"input_size": -1},
    {"ff_mult": 0},
    {"max_len": 0},
    {"positions": "rotary"},
    {"dropout": 1.0},
    {"dropout": -0.1},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_bad_config_raises(overrides):
    """Reference: TransformerConfig's documented constraints (positive sizes, d_model % num_heads == 0)."""
    options = {"input_size": D, "d_model": 8, "num_heads": 2}
    options.update(overrides)
    with pytest.raises(ValueError):
        TransformerConfig(**options)


@pytest.mark.parametrize("shape", [(B, T, D + 1), (B, T), (B, T, D, 1)])
def test_wrong_input_shape_raises(shape):
    """Reference: the (batch, time, input_size) contract in CausalTransformer.forward."""
    with pytest.raises(ValueError, match="expected input of shape"):
        make()(torch.randn(*shape, dtype=F64))


def test_mismatched_state_raises():
    """Reference: the state contract: context (B, T_ctx, d_model) with the batch of the new input."""
    model = make()
    _, state = model(torch.randn(B, 2, D, dtype=F64))
    with pytest.raises(ValueError, match=r"state\.context"):
        model(torch.randn(B + 1, 2, D, dtype=F64), state)


@pytest.mark.parametrize("training", [False, True])
def test_block_equals_torch_encoder_layer_with_copied_weights(training: bool) -> None:
    """Reference: nn.TransformerEncoderLayer(norm_first=True, activation="gelu", batch_first=True) with a
    causal mask and the same weights (in_proj = to_qkv, out_proj = to_output, linear1/2 = the FFN)."""
    from rnnlab.models.transformer import TransformerBlock

    d, heads, ff = 8, 2, 16
    reference = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True).double()
    block = TransformerBlock(d, heads, ff, dropout=0.0).double()
    with torch.no_grad():
        block.attention.to_qkv.weight.copy_(reference.self_attn.in_proj_weight)
        block.attention.to_qkv.bias.copy_(reference.self_attn.in_proj_bias)
        block.attention.to_output.weight.copy_(reference.self_attn.out_proj.weight)
        block.attention.to_output.bias.copy_(reference.self_attn.out_proj.bias)
        block.feed_forward[0].weight.copy_(reference.linear1.weight)
        block.feed_forward[0].bias.copy_(reference.linear1.bias)
        block.feed_forward[3].weight.copy_(reference.linear2.weight)
        block.feed_forward[3].bias.copy_(reference.linear2.bias)
        for ours, theirs in ((block.attention_norm, reference.norm1), (block.feed_forward_norm, reference.norm2)):
            ours.weight.copy_(theirs.weight)
            ours.bias.copy_(theirs.bias)
    block.train(training)
    reference.train(training)
    z = torch.randn(3, 7, d, dtype=torch.float64)
    causal = nn.Transformer.generate_square_subsequent_mask(7, dtype=torch.float64)
    torch.testing.assert_close(block(z), reference(z, src_mask=causal, is_causal=True))
