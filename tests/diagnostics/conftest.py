"""Shared test models for the diagnostics: models whose gradients have known answers."""

from collections.abc import Callable

import pytest
import torch

from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.sequence import InputEncoder, IOSpec, SequenceModel


def _linear_rnn(w: float) -> SequenceModel:
    """The 1-unit linear RNN h_t = w·h_{t−1} + x_t, y = h_T, on rnnlab's own Elman cell: with ReLU, w > 0
    and positive inputs every pre-activation is positive, so the ReLU is the identity."""
    io = IOSpec(1, 1, per_step=False)
    core = RecurrentLayer(RecurrentConfig("rnn", 1, 1, nonlinearity="relu", backend="readable"))
    model = SequenceModel(InputEncoder(io, None), core, io).double()
    cell = core.cell_stack[0]
    with torch.no_grad():
        for linear, weight in ((cell.x_to_gates, 1.0), (cell.h_to_gates, w), (model.head, 1.0)):
            linear.weight.fill_(weight)
            linear.bias.zero_()
    return model


@pytest.fixture
def linear_rnn() -> Callable[[float], SequenceModel]:
    return _linear_rnn
