"""Packing a layer's weights into one buffer, as cuDNN wants them (models/cudnn_weights.py), checked on the
CPU with the device-neutral packing: same parameters, same values, same state dict, same results."""

import contextlib

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models import cudnn_weights as module
from rnnlab.models.cudnn_weights import FlatWeights, contiguous_pack
from rnnlab.models.fused import flat_weights

B, T, D, H = 3, 5, 4, 6


def layers(cell: str = "lstm") -> tuple[RecurrentLayer, RecurrentLayer]:
    """Two layers with the same weights, the second to be packed."""
    config = RecurrentConfig(cell, D, H, num_layers=2, bidirectional=True, backend="fused")  # type: ignore[arg-type]
    plain, packed = RecurrentLayer(config), RecurrentLayer(config)
    packed.load_state_dict(plain.state_dict())
    return plain, packed


def one_buffer(layer: RecurrentLayer) -> bool:
    return len({w.untyped_storage().data_ptr() for w in flat_weights(layer.cell_stack)}) == 1


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_packed_weights_are_views_of_one_buffer_with_the_same_values(cell):
    """Reference: the unpacked twin: the same parameter objects, names, state dict and outputs."""
    plain, packed = layers(cell)
    parameters = list(packed.parameters())
    assert not one_buffer(packed)
    assert FlatWeights().ensure(packed.config, packed.cell_stack, pack=contiguous_pack)
    assert one_buffer(packed) and list(packed.parameters()) == parameters
    assert_close(packed.state_dict(), plain.state_dict(), rtol=0, atol=0)
    x = torch.randn(B, T, D)
    assert_close(packed(x), plain(x), rtol=0, atol=0)
    fresh = RecurrentLayer(plain.config)
    fresh.load_state_dict(packed.state_dict())  # a packed layer's state dict loads anywhere
    assert_close(fresh(x), plain(x), rtol=0, atol=0)


def test_an_optimiser_keeps_them_packed_and_moving_them_repacks():
    """Reference: the unpacked twin trained by the same steps; after `.double()` the weights live elsewhere
    and `ensure` packs them again."""
    plain, packed = layers()
    weights = FlatWeights()
    weights.ensure(packed.config, packed.cell_stack, pack=contiguous_pack)
    optimisers = [torch.optim.Adam(layer.parameters(), lr=0.1) for layer in (plain, packed)]
    x = torch.randn(B, T, D)
    for _ in range(3):
        for layer, optimiser in zip((plain, packed), optimisers):
            optimiser.zero_grad()
            layer(x)[0].square().sum().backward()
            optimiser.step()
    assert one_buffer(packed)
    assert_close(packed.state_dict(), plain.state_dict())
    packed.double()
    assert not one_buffer(packed)
    assert weights.ensure(packed.config, packed.cell_stack, pack=contiguous_pack) and one_buffer(packed)


def test_cudnn_packing_makes_nn_rnns_call(monkeypatch):
    """Reference: nn.RNNBase.flatten_parameters's call of torch._cudnn_rnn_flatten_weight (4 weights per cell,
    no projection, batch first), recorded here with a stand-in that packs as the device-neutral path does."""
    calls = []

    def flatten(weights, per_cell, input_size, mode, hidden_size, proj_size, num_layers, batch_first, bidirectional):
        calls.append((per_cell, input_size, mode, hidden_size, proj_size, num_layers, batch_first, bidirectional))
        contiguous_pack(plain.config, weights)

    monkeypatch.setattr(module, "cudnn_accepts", lambda weights: True)
    monkeypatch.setattr(torch, "_cudnn_rnn_flatten_weight", flatten)
    monkeypatch.setattr(torch.cuda, "device_of", lambda tensor: contextlib.nullcontext())
    monkeypatch.setattr(torch.backends.cudnn.rnn, "get_cudnn_mode", lambda mode: mode)
    plain, packed = layers("gru")
    assert FlatWeights().ensure(packed.config, packed.cell_stack)
    assert calls == [(4, D, "GRU", H, 0, 2, True, True)]
    assert one_buffer(packed)


def test_the_cpu_never_packs():
    """Reference: RecurrentLayer.forward packs only for cuDNN: on the CPU the weights stay where they are."""
    _, layer = layers()
    before = [w.data_ptr() for w in flat_weights(layer.cell_stack)]
    layer(torch.randn(B, T, D))
    assert [w.data_ptr() for w in flat_weights(layer.cell_stack)] == before
