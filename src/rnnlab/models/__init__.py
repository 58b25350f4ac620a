"""Models: readable cells, the loop over time, the fused path, and the models built on them."""

from rnnlab.models.cells import GRUCell, HiddenState, LSTMCell, LSTMState, RNNCell
from rnnlab.models.init import InitConfig
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.state import detach_state

__all__ = [
    "GRUCell",
    "HiddenState",
    "InitConfig",
    "LSTMCell",
    "LSTMState",
    "RNNCell",
    "RecurrentConfig",
    "RecurrentLayer",
    "detach_state",
]
