"""SequenceModel and InputEncoder: input checks, the per-sequence summary, the head (seq2seq: test_seq2seq.py)."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.sequence import InputEncoder, IOSpec, SequenceModel, pool

B, T, D, H, V = 3, 6, 4, 5, 7
F64 = torch.float64


@pytest.mark.parametrize("tokens", [
    torch.tensor([[0, 1, V]]),  # one past the vocabulary
    torch.tensor([[0, -1, 2]]),
    torch.tensor([[0.0, 1.0, 2.0]]),  # floats, even whole ones
    torch.tensor([[[0], [1]]]),  # (B, T, 1): tokens are (B, T)
], ids=["too-large", "negative", "float", "three-dims"])
def test_bad_tokens_raise(tokens):
    """Reference: the InputEncoder contract for tokens: integer ids of shape (B, T) in [0, V)."""
    encoder = InputEncoder(IOSpec(V, 2, tokens=True), width=H)
    with pytest.raises(ValueError):
        encoder(tokens)


@pytest.mark.parametrize("shape", [(B, T, D + 1), (B, T), (B, T, D, 1)])
def test_features_of_the_wrong_shape_raise(shape):
    """Reference: the InputEncoder contract for features: (B, T, D) with D = io.input_size."""
    for width in (None, H):
        encoder = InputEncoder(IOSpec(D, 2), width)
        with pytest.raises(ValueError, match=f"expected inputs of shape \\(batch, time, {D}\\)"):
            encoder(torch.randn(*shape))


def test_encoder_widths():
    """Reference: nn.Embedding lookup for tokens, the identity for features with no width asked for,
    and nn.Linear for features with one."""
    tokens = InputEncoder(IOSpec(V, 2, tokens=True), width=H)
    ids = torch.tensor([[0, 3, V - 1]])
    assert_close(tokens(ids), tokens.to_width.weight[ids])
    assert tokens.output_size == H
    x = torch.randn(B, T, D)
    raw = InputEncoder(IOSpec(D, 2), None)
    assert raw(x) is x and raw.output_size == D
    linear = InputEncoder(IOSpec(D, 2), H)
    assert_close(linear(x), x @ linear.to_width.weight.T + linear.to_width.bias)
    empty = tokens(torch.zeros(2, 0, dtype=torch.long))  # an empty batch has no ids to check
    assert empty.shape == (2, 0, H)


def test_iospec_rejects_nonpositive_sizes():
    """Reference: IOSpec's check that input and output sizes are positive."""
    with pytest.raises(ValueError):
        IOSpec(0, 1)
    with pytest.raises(ValueError):
        IOSpec(1, 0)


@pytest.mark.parametrize("backend", ["readable", "fused"])
@pytest.mark.parametrize("lengths", [None, torch.tensor([T, 2, 4])], ids=["full", "padded"])
def test_bidirectional_summary_is_both_final_states(backend, lengths):
    """Reference: the layer's own final state h of a single-layer bidirectional LSTM: the per-sequence
    summary is [h_forward, h_backward] = cat(h[0], h[1]), and the model's output is the head on it."""
    io = IOSpec(D, 2, per_step=False)
    core = RecurrentLayer(RecurrentConfig("lstm", D, H, bidirectional=True, backend=backend))
    model = SequenceModel(InputEncoder(io, None), core, io).double()
    x = torch.randn(B, T, D, dtype=F64)
    outputs, state = core(x, None, lengths)
    summary = core.summary(outputs, lengths)
    assert_close(summary, torch.cat([state.h[0], state.h[1]], dim=-1))
    y, model_state = model(x, lengths=lengths)
    assert_close(y, model.head(torch.cat([state.h[0], state.h[1]], dim=-1)))
    assert_close(tuple(model_state), tuple(state))


def test_per_step_model_applies_the_head_at_every_step():
    """Reference: the core's outputs through the head, step by step."""
    io = IOSpec(V, 3, tokens=True)
    core = RecurrentLayer(RecurrentConfig("gru", H, H))
    model = SequenceModel(InputEncoder(io, H), core, io).double()
    ids = torch.randint(0, V, (B, T))
    y, _ = model(ids)
    outputs, _ = core(model.encoder(ids))
    assert_close(y, torch.stack([model.head(outputs[:, t]) for t in range(T)], dim=1))


def test_dropout_drops_embeddings_and_outputs_in_training_only():
    """Reference: nn.Dropout's semantics (Zaremba et al. 2014's placement): in eval mode the model with dropout
    equals the same weights without it; in training, zeroing the embedding's or the outputs' units through a
    fixed dropout mask is what the model computes (checked by seeding both draws alike)."""
    io = IOSpec(V, 3, tokens=True)
    core = RecurrentLayer(RecurrentConfig("gru", H, H))
    model = SequenceModel(InputEncoder(io, H), core, io, dropout=0.5).double()
    plain = SequenceModel(InputEncoder(io, H), core, io).double()
    plain.load_state_dict(model.state_dict())
    ids = torch.randint(0, V, (B, T))
    assert_close(model.eval()(ids)[0], plain.eval()(ids)[0])
    torch.manual_seed(3)
    y, _ = model.train()(ids)
    torch.manual_seed(3)
    x = torch.nn.functional.dropout(model.encoder(ids), 0.5)
    outputs, _ = core(x)
    assert_close(y, model.head(torch.nn.functional.dropout(outputs, 0.5)))


def test_pooling_over_time_ignores_padding():
    """Reference: by hand, a sequence of length 2 with outputs 1 and 3 (padding 100): mean 2, max 3."""
    outputs = torch.tensor([[[1.0], [3.0], [100.0]], [[5.0], [-1.0], [0.0]]])
    lengths = torch.tensor([2, 3])
    assert pool(outputs, lengths, "mean").squeeze(-1).tolist() == [2.0, pytest.approx(4 / 3)]
    assert pool(outputs, lengths, "max").squeeze(-1).tolist() == [3.0, 5.0]
    io = IOSpec(V, 2, tokens=True, per_step=False)
    core = RecurrentLayer(RecurrentConfig("gru", H, H, bidirectional=True))
    model = SequenceModel(InputEncoder(io, H), core, io, pooling="max").double().eval()
    ids, lengths = torch.randint(1, V, (B, T)), torch.tensor([T, 2, 4])
    outputs, _ = core(model.encoder(ids), None, lengths)
    assert_close(model(ids, lengths=lengths)[0], model.head(pool(outputs, lengths, "max")))
