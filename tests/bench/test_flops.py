"""FLOP counts: a hand-computed case, and the matrix multiplies the readable loop really runs."""

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from rnnlab.bench.flops import recurrent_forward_flops, transformer_forward_flops
from rnnlab.bench.shapes import BenchShape
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer

SMALL = BenchShape("small", batch=2, time=3, input_size=4, hidden_size=5)


@pytest.mark.parametrize("cell, expected", [("rnn", 540), ("gru", 1620), ("lstm", 2160)])
def test_recurrent_flops_by_hand(cell, expected):
    """Reference: 2·B·G·H·(D + H)·T by hand with B=2, T=3, D=4, H=5: 2·2·G·5·9·3 = 540·G, G = 1, 3, 4."""
    assert recurrent_forward_flops(cell, SMALL) == expected


@pytest.mark.parametrize("cell, expected", [("indrnn", 240), ("mingru", 480), ("minlstm", 720)])
def test_flops_of_cells_without_a_recurrent_matrix_by_hand(cell, expected):
    """Reference: W x only, 2·B·G·H·D·T by hand with B=2, T=3, D=4, H=5: 2·2·G·5·4·3 = 240·G, G = 1, 2, 3."""
    assert recurrent_forward_flops(cell, SMALL) == expected


def test_second_layer_reads_the_hidden_state():
    """Reference: by hand, layer 2 of an LSTM reads H = 5 features: 2·2·4·5·(5 + 5)·3 = 2400, plus layer 1's 2160."""
    assert recurrent_forward_flops("lstm", SMALL, num_layers=2) == 2160 + 2400


@pytest.mark.parametrize("cell, backend", [("rnn", "readable"), ("lstm", "readable"), ("gru", "readable"),
                                           ("indrnn", "readable"), ("mingru", "readable"), ("mingru", "scan"),
                                           ("minlstm", "scan")])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recurrent_flops_match_the_readable_loop(cell, backend, num_layers):
    """Reference: torch.utils.flop_counter.FlopCounterMode, counting the matrix multiplies the readable
    layer (or the scan) actually runs: the input projection for all steps, then U h once per step."""
    layer = RecurrentLayer(RecurrentConfig(cell, SMALL.input_size, SMALL.hidden_size, num_layers=num_layers,
                                           backend=backend))
    with FlopCounterMode(display=False) as counter:
        layer(torch.randn(SMALL.batch, SMALL.time, SMALL.input_size))
    assert recurrent_forward_flops(cell, SMALL, num_layers) == counter.get_total_flops()


def test_transformer_flops_by_hand():
    """Reference: by hand with B=1, T=2, D=3, d=4, ff=16, per token: input projection 2·3·4 = 24,
    Q/K/V/output projections 8·4² = 128, dense attention 4·T·d = 32, feed-forward 4·4·16 = 256;
    440 per token, 880 for two."""
    shape = BenchShape("tiny", batch=1, time=2, input_size=3, hidden_size=4)
    assert transformer_forward_flops(shape, d_model=4, ff_size=16) == 880


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="unknown cell 'lru'"):
        recurrent_forward_flops("lru", SMALL)
