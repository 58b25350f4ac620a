"""Readable recurrent cells: one time step each, the equations in the docstring."""

from rnnlab.models.cells.base import HiddenState, LSTMState, RecurrentCell
from rnnlab.models.cells.gru import GRUCell, GRUGates
from rnnlab.models.cells.indrnn import IndRNNCell, IndRNNGates
from rnnlab.models.cells.linear import LinearRecurrentCell
from rnnlab.models.cells.lstm import LSTMCell, LSTMGates
from rnnlab.models.cells.mingru import MinGRUCell, MinGRUGates
from rnnlab.models.cells.minlstm import MinLSTMCell, MinLSTMGates
from rnnlab.models.cells.rnn import RNNCell, RNNGates

__all__ = [
    "GRUCell",
    "GRUGates",
    "HiddenState",
    "IndRNNCell",
    "IndRNNGates",
    "LSTMCell",
    "LSTMGates",
    "LSTMState",
    "LinearRecurrentCell",
    "MinGRUCell",
    "MinGRUGates",
    "MinLSTMCell",
    "MinLSTMGates",
    "RNNCell",
    "RNNGates",
    "RecurrentCell",
]
