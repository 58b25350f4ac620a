"""The contract every registered model keeps, whatever its family: one test module over all of MODELS.

Each model is built by the registry for three kinds of task (features per step, features per sequence,
tokens per step) and checked for shapes, the state round trip, backward, determinism and padding.
"""

import pytest
import torch
from torch import Tensor
from torch.testing import assert_close

from rnnlab.models.registry import MODELS, ModelConfig, build_model
from rnnlab.models.sequence import IOSpec, SequenceModel

# Peephole, CIFG and LN-LSTM say once that backend='auto' falls back to the readable path.
pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

B, T, V, D, O = 3, 6, 7, 4, 3
F64 = torch.float64

IO_SPECS = [
    pytest.param(IOSpec(D, O, tokens=False, per_step=True), id="features-per-step"),
    pytest.param(IOSpec(D, O, tokens=False, per_step=False), id="features-per-sequence"),
    pytest.param(IOSpec(V, O, tokens=True, per_step=True), id="tokens-per-step"),
]
NAMES = pytest.mark.parametrize("name", list(MODELS))
SPECS = pytest.mark.parametrize("io", IO_SPECS)


def small(name: str) -> ModelConfig:
    """Two layers, so the stacked state is part of the contract; two heads for the Transformer."""
    return ModelConfig(name, hidden_size=8, num_layers=2, num_heads=2, ff_mult=2, max_len=32)


def inputs(io: IOSpec, batch: int = B, steps: int = T, seed: int = 1) -> Tensor:
    generator = torch.Generator().manual_seed(seed)
    if io.tokens:
        return torch.randint(0, io.input_size, (batch, steps), generator=generator)
    return torch.randn(batch, steps, io.input_size, generator=generator, dtype=F64)


def build(name: str, io: IOSpec) -> SequenceModel:
    return build_model(small(name), io).double()


@NAMES
@SPECS
def test_output_shapes(name, io):
    """Reference: the IOSpec contract: (B, T, O) per step, (B, O) per sequence."""
    model = build(name, io)
    outputs, state = model(inputs(io))
    assert outputs.shape == ((B, T, O) if io.per_step else (B, O))
    assert outputs.dtype == F64
    assert state is not None


@NAMES
@SPECS
def test_state_round_trip(name, io):
    """Reference: one call over the whole sequence. Running it in chunks (including a one-step chunk)
    and carrying the state gives the same outputs and the same final state (eval mode, float64)."""
    model = build(name, io).eval()
    x = inputs(io)
    whole, whole_state = model(x)
    state, outputs = None, []
    for chunk in x.split([1, 2, 3], dim=1):
        y, state = model(chunk, state)
        outputs.append(y)
    if io.per_step:
        assert_close(torch.cat(outputs, dim=1), whole)
    else:
        assert_close(outputs[-1], whole)  # the summary after the last chunk has read everything
    assert_close(tuple(state), tuple(whole_state))


@NAMES
@SPECS
def test_backward_gives_finite_gradients(name, io):
    """Reference: autograd through every parameter: each one that requires grad gets a finite gradient,
    and the head's is nonzero (a loss that depends on the outputs must move the head)."""
    model = build(name, io)
    outputs, _ = model(inputs(io))
    outputs.pow(2).mean().backward()
    for parameter_name, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None, parameter_name
            assert torch.isfinite(p.grad).all(), parameter_name
    assert model.head.weight.grad.abs().sum() > 0
    assert model.head.bias.grad.abs().sum() > 0


@NAMES
@SPECS
def test_deterministic_under_manual_seed(name, io):
    """Reference: a second build and forward under the same torch.manual_seed: identical bits."""
    x = inputs(io)
    runs = []
    for _ in range(2):
        torch.manual_seed(123)
        model = build_model(small(name), io)
        runs.append(model(x.float() if not io.tokens else x)[0])
    assert torch.equal(runs[0], runs[1])
    torch.manual_seed(124)
    other, _ = build_model(small(name), io)(x.float() if not io.tokens else x)
    assert not torch.equal(other, runs[0])  # the seed does decide the weights


@NAMES
@SPECS
def test_padding_is_ignored(name, io):
    """Reference: each sequence run alone, unpadded. A padded batch (random padding, not zeros) gives
    the same per-sequence output, or the same per-step outputs at every real step."""
    model = build(name, io).eval()
    x = inputs(io)
    lengths = torch.tensor([2, T, 4])
    padded, _ = model(x, lengths=lengths)
    for b, length in enumerate(lengths.tolist()):
        alone, _ = model(x[b:b + 1, :length])
        if io.per_step:
            assert_close(padded[b, :length], alone[0])
        else:
            assert_close(padded[b], alone[0])
