"""Encoder and decoder-step exports of sequence-to-sequence models (export/seq2seq.py).

Reference: rnnlab's `model.encode` and `model.decode`, fed the same target tokens in two chunks so that the
decoder's state is carried between calls, as decoding does; and for ONNX, greedy decoding through the two
files against rnnlab.decode.seq2seq.greedy_decode."""

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from rnnlab.decode.seq2seq import greedy_decode
from rnnlab.export.seq2seq import scripted_seq2seq
from rnnlab.export.write import export_model
from rnnlab.models.registry import ModelConfig, build_encoder_decoder
from rnnlab.models.seq2seq import Seq2SeqModel, TransformerSeq2Seq

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
SOURCE_VOCAB, TARGET_VOCAB = 11, 13
MODELS = [("lstm", "additive", True), ("gru", "none", False), ("ln-lstm", "multiplicative", False),
          ("transformer", "none", False)]
IDS = [f"{name}-{attention}" for name, attention, _ in MODELS]


def encoder_decoder(name: str, attention: str, bidirectional: bool) -> Seq2SeqModel:
    config = ModelConfig(name, hidden_size=8, num_layers=2, bidirectional=bidirectional, attention=attention,
                         num_heads=2, ff_mult=2, max_len=24)
    return build_encoder_decoder(config, SOURCE_VOCAB, TARGET_VOCAB).eval()


def example(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    source = torch.randint(4, SOURCE_VOCAB, (3, 6), generator=generator)
    lengths = torch.tensor([6, 2, 4])
    target = torch.randint(4, TARGET_VOCAB, (3, 5), generator=generator)
    return source, lengths, target


@torch.no_grad()
def expected(model: Seq2SeqModel, source, lengths, target):
    memory, state = model.encode(source, lengths)
    first, state = model.decode(target[:, :3], state, memory)
    second, _ = model.decode(target[:, 3:], state, memory)
    return memory.outputs, first, second


@pytest.mark.parametrize(("name", "attention", "bidirectional"), MODELS, ids=IDS)
def test_torchscript_encoder_and_decoder_step_equal_the_model(name, attention, bidirectional):
    model = encoder_decoder(name, attention, bidirectional)
    encoder, decoder = scripted_seq2seq(model)
    source, lengths, target = example()
    memory, first, second = expected(model, source, lengths, target)
    with torch.no_grad():
        encoded = encoder(source, lengths)
        if isinstance(model, TransformerSeq2Seq):
            outputs, mask = encoded
            logits_1, prefix = decoder(target[:, :3], torch.zeros(3, 0, dtype=torch.long), outputs, mask)
            logits_2, _ = decoder(target[:, 3:], prefix, outputs, mask)
        else:
            outputs, mask, h, c = encoded
            logits_1, h, c = decoder(target[:, :3], h, c, outputs, mask)
            logits_2, _, _ = decoder(target[:, 3:], h, c, outputs, mask)
    for got, want in ((outputs, memory), (logits_1, first), (logits_2, second)):
        assert_close(got, want, atol=1e-5, rtol=1e-5)


ONNX_MODELS = [pytest.param(*m, id=i, marks=[pytest.mark.slow] if m[0] == "transformer" else [])
               for m, i in zip(MODELS, IDS)]


@pytest.mark.parametrize(("name", "attention", "bidirectional"), ONNX_MODELS)
def test_onnx_encoder_and_decoder_step_give_rnnlabs_outputs_and_tokens(name, attention, bidirectional, tmp_path):
    """The Transformer goes through torch.export (about a minute here): slow suite."""
    ort = pytest.importorskip("onnxruntime")
    model = encoder_decoder(name, attention, bidirectional)
    export_model(model, tmp_path / "export", "onnx", name=name)
    encoder = ort.InferenceSession(str(tmp_path / "export" / "encoder.onnx"))
    decoder = ort.InferenceSession(str(tmp_path / "export" / "decoder.onnx"))
    source, lengths, target = example(seed=1)
    memory, first, second = expected(model, source, lengths, target)
    encoded = encoder.run(None, {"source": source.numpy(), "lengths": lengths.numpy()})
    transformer = isinstance(model, TransformerSeq2Seq)
    names = ["prefix"] if transformer else ["h", "c"]
    start = [np.zeros((3, 0), dtype=np.int64)] if transformer else encoded[2:]

    def step(target_in, state):
        feed = {"target_in": target_in, **dict(zip(names, state, strict=True)), "memory": encoded[0],
                "mask": encoded[1]}
        logits, *state = decoder.run(None, feed)
        return logits, state

    logits_1, state = step(target[:, :3].numpy(), start)
    logits_2, _ = step(target[:, 3:].numpy(), state)
    for got, want in ((encoded[0], memory), (logits_1, first), (logits_2, second)):
        np.testing.assert_allclose(got, want.numpy(), atol=1e-5, rtol=1e-5)
    bos, eos, steps = 2, 3, 8  # greedy decoding, one token a call, against rnnlab's
    last, state, tokens = np.full((3, 1), bos, dtype=np.int64), start, []
    for _ in range(steps):
        logits, state = step(last, state)
        last = logits[:, -1].argmax(-1)[:, None]
        tokens.append(last[:, 0])
    found = np.stack(tokens, 1)
    for row, hypothesis in enumerate(greedy_decode(model, source, lengths, bos, eos, steps)):
        ids = [*hypothesis.tokens, *([eos] if hypothesis.finished else [])]
        assert found[row, :len(ids)].tolist() == ids
