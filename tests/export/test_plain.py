"""The `torch` export: plain nn.LSTM / nn.GRU / nn.RNN + nn.Linear and a loader without rnnlab (export/plain.py).

Reference: rnnlab's own forward on padded batches (1e-5); tests/export/test_write.py runs the loader in a
Python without rnnlab. The models torch.nn cannot hold are refused with the reason, naming the formats that work.
"""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.export.plain import plain_model
from rnnlab.export.write import export_model
from rnnlab.models.registry import ModelConfig, build_encoder_decoder
from rnnlab.models.sequence import IOSpec

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
FEATURES_PER_SEQUENCE = IOSpec(4, 3, per_step=False)
TOKENS_PER_STEP = IOSpec(9, 5, tokens=True)
FEATURES_PER_STEP = IOSpec(4, 2)


@pytest.mark.parametrize("io", [FEATURES_PER_SEQUENCE, TOKENS_PER_STEP, FEATURES_PER_STEP],
                         ids=["features-per-sequence", "tokens-per-step", "features-per-step"])
@pytest.mark.parametrize("name", ["rnn", "irnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_plain_modules_compute_what_rnnlab_computes(name, io, bidirectional, small_model, batch, reference):
    model = small_model(name, io, bidirectional)
    plain = plain_model(model)
    assert isinstance(plain.rnn, torch.nn.RNNBase) and isinstance(plain.head, torch.nn.Linear)
    for k, (B, T) in enumerate([(5, 7), (1, 1), (3, 12)]):
        inputs, lengths = batch(io, B, T, seed=k)
        with torch.no_grad():
            assert_close(plain(inputs, lengths), reference(model, inputs, lengths), atol=1e-5, rtol=1e-5)
            assert_close(plain(inputs), reference(model, inputs, None), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("name", "reason"), [
    ("peephole-lstm", "nn.LSTM has no peephole connections"),
    ("cifg-lstm", "nn.LSTM has no coupled input-forget gate"),
    ("ln-lstm", "nn.LSTM has no layer normalisation"),
    ("mingru", "torch.nn has no minGRU"),
    ("minlstm", "torch.nn has no minLSTM"),
    ("indrnn", "torch.nn has no IndRNN"),
    ("transformer", "the Transformer core is not an nn.LSTM"),
])
def test_what_torch_nn_cannot_hold_is_refused_with_the_reason(name, reason, tmp_path, small_model):
    with pytest.raises(ValueError, match=reason) as refused:
        export_model(small_model(name, FEATURES_PER_SEQUENCE), tmp_path / "export", "torch", name=name)
    assert "--format onnx or --format torchscript" in str(refused.value)
    assert not (tmp_path / "export").exists()


def test_an_encoder_decoder_is_refused(tmp_path):
    model = build_encoder_decoder(ModelConfig("gru", hidden_size=4), 7, 7)
    with pytest.raises(ValueError, match="sequence-to-sequence gru model"):
        export_model(model, tmp_path / "export", "torch", name="gru")
