"""Readable recurrent cells: one time step each, the equations in the docstring."""

from rnnlab.models.cells.base import HiddenState, LSTMState, RecurrentCell
from rnnlab.models.cells.gru import GRUCell, GRUGates
from rnnlab.models.cells.lstm import LSTMCell, LSTMGates
from rnnlab.models.cells.rnn import RNNCell, RNNGates

__all__ = [
    "GRUCell",
    "GRUGates",
    "HiddenState",
    "LSTMCell",
    "LSTMGates",
    "LSTMState",
    "RNNCell",
    "RNNGates",
    "RecurrentCell",
]
