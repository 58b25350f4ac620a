"""One contiguous buffer that the cells' weights are views of, as cuDNN wants them.

cuDNN's RNN kernels read every weight from one buffer, in their own layout. Handed separate tensors (each
cell owns its `x_to_gates` and `h_to_gates`), PyTorch copies them into such a buffer at every call and warns
once that "RNN module weights are not part of single contiguous chunk of memory": the fused path measured
1.1-1.5x slower than nn.LSTM/GRU on an H100 at T = 128. `nn.RNNBase.flatten_parameters` avoids the copy by
making its parameters views of one buffer that `torch._cudnn_rnn_flatten_weight` lays out; `FlatWeights`
does the same for our cells. The parameters stay the same objects with the same names, shapes and values,
so state dicts, optimisers and the other backends see no difference.

    weights = FlatWeights()
    weights.ensure(config, cells)      # before each fused call on CUDA: a no-op while they stay packed
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from rnnlab.models.cells import RecurrentCell
from rnnlab.models.fused import flat_weights
from rnnlab.models.layer_config import RecurrentConfig

Pack = Callable[[RecurrentConfig, list[Tensor]], None]  # makes `weights` views of one new buffer, in place
WEIGHTS_PER_CELL = 4  # weight_ih, weight_hh, bias_ih, bias_hh (fused.flat_weights's order)
CUDNN_MODES = {"rnn_relu": "RNN_RELU", "rnn_tanh": "RNN_TANH", "lstm": "LSTM", "gru": "GRU"}


class FlatWeights:
    """Keeps a layer's weights in one buffer; `ensure` re-packs them when something moved them
    (`.to()`, `load_state_dict(assign=True)`), which it notices by their addresses."""

    def __init__(self) -> None:
        self._addresses: tuple[int, ...] = ()

    def ensure(self, config: RecurrentConfig, cells: Sequence[RecurrentCell], pack: Pack | None = None) -> bool:
        """Pack the weights into one buffer unless they are already; returns whether they are packed. `pack`
        defaults to cuDNN's layout, which needs every weight on a CUDA device that cuDNN accepts."""
        weights = flat_weights(cells)
        addresses = tuple(w.data_ptr() for w in weights)
        if addresses == self._addresses:
            return True
        if pack is None:
            if not cudnn_accepts(weights):
                return False
            pack = cudnn_pack
        if len(set(addresses)) != len(addresses) or len({(w.dtype, w.device) for w in weights}) != 1:
            return False  # shared or mixed weights: leave them to PyTorch's copying path, as nn.RNNBase does
        with torch.no_grad():  # the packing rewrites where the parameters live, not their values
            pack(config, weights)
        self._addresses = tuple(w.data_ptr() for w in weights)
        return True


def cudnn_accepts(weights: list[Tensor]) -> bool:
    return all(w.is_cuda and torch.backends.cudnn.is_acceptable(w) for w in weights) \
        and torch._use_cudnn_rnn_flatten_weight()


def cudnn_pack(config: RecurrentConfig, weights: list[Tensor]) -> None:
    """cuDNN's own layout, by the call nn.RNNBase.flatten_parameters makes (batch-first, no projection)."""
    import torch.backends.cudnn.rnn as cudnn_rnn

    cell = f"rnn_{config.nonlinearity}" if config.cell == "rnn" else config.cell
    with torch.cuda.device_of(weights[0]):
        torch._cudnn_rnn_flatten_weight(weights, WEIGHTS_PER_CELL, config.input_size,
                                        cudnn_rnn.get_cudnn_mode(CUDNN_MODES[cell]), config.hidden_size, 0,
                                        config.num_layers, True, config.bidirectional)


def contiguous_pack(config: RecurrentConfig, weights: list[Tensor]) -> None:
    """Any device: the weights one after another in `flat_weights` order (not cuDNN's layout, which only
    cuDNN knows). What `cudnn_pack` does to the parameters, testable without a GPU."""
    buffer = weights[0].new_empty(sum(w.numel() for w in weights))
    offset = 0
    for w in weights:
        buffer[offset:offset + w.numel()].copy_(w.reshape(-1))
        w.set_(buffer.untyped_storage(), offset, w.shape)  # type: ignore[call-overload]
        offset += w.numel()
