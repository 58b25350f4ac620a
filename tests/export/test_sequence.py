"""The TorchScript graph of a whole sequence model (export/sequence.py, export/recurrent.py) against the model.

Reference: `model(inputs, None, lengths)[0]`, rnnlab's own forward, on batch sizes, lengths and padding other
than those the graph was traced at; 1e-5 is the issue's tolerance (float32 throughout)."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.export.sequence import scripted_sequence_model
from rnnlab.models.registry import MODELS
from rnnlab.models.sequence import IOSpec

# Peephole, CIFG and LN-LSTM say once that backend='auto' falls back to the readable path.
pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
TOLERANCE = {"atol": 1e-5, "rtol": 1e-5}
FEATURES = IOSpec(4, 3, per_step=False)  # classify or regress whole sequences of 4 features
TOKENS = IOSpec(9, 5, tokens=True)  # a language model or tagger over 9 token ids
SHAPES = [(5, 7), (1, 1), (3, 12)]  # (B, T): others than the (2, 3) the graphs are traced at


@pytest.mark.parametrize("io", [FEATURES, TOKENS], ids=["features-per-sequence", "tokens-per-step"])
@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_scripts_to_the_same_function(name, io, small_model, batch, reference):
    model = small_model(name, io)
    scripted = scripted_sequence_model(model)
    for k, (B, T) in enumerate(SHAPES):
        inputs, lengths = batch(io, B, T, seed=k)
        assert_close(scripted(inputs, lengths), reference(model, inputs, lengths), **TOLERANCE)


def test_without_lengths_every_sequence_is_whole(small_model, batch, reference):
    """Reference: the model called without lengths."""
    model = small_model("gru", FEATURES)
    inputs, _ = batch(FEATURES, 3, 5)
    assert_close(scripted_sequence_model(model)(inputs), reference(model, inputs, None), **TOLERANCE)


def test_the_model_itself_is_left_as_it_was(small_model):
    """Reference: the state dict before exporting; exporting works on a copy."""
    model = small_model("lstm", FEATURES).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    scripted_sequence_model(model)
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.requires_grad for p in model.parameters())
