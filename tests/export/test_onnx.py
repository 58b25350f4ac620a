"""ONNX exports of whole sequence models, run in ONNX Runtime (export/write.py, export/onnx.py).

Reference: rnnlab's own forward, `model(inputs, None, lengths)[0]`, on batch sizes and lengths other than the
(2, 3) the graph was exported at, with padded rows; 1e-5 as the issue asks. Every model is exported in the
slow suite; the fast one covers each kind of core: a fused-kernel cell, a cell torch.nn lacks, a scan cell,
IndRNN and the Transformer."""

import json

import numpy as np
import pytest
import torch

from rnnlab.export.write import export_model
from rnnlab.models.registry import MODELS
from rnnlab.models.sequence import IOSpec

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

FEATURES = IOSpec(4, 3, per_step=False)
TOKENS = IOSpec(9, 5, tokens=True)
FAST = ("lstm", "ln-lstm", "minlstm", "indrnn", "transformer")
NAMES = [name if name in FAST else pytest.param(name, marks=pytest.mark.slow) for name in MODELS]


def run_onnx(path, inputs, lengths) -> np.ndarray:
    session = ort.InferenceSession(str(path))
    return session.run(None, {"inputs": inputs.numpy(), "lengths": lengths.numpy()})[0]


@pytest.mark.parametrize("io", [FEATURES, TOKENS], ids=["features-per-sequence", "tokens-per-step"])
@pytest.mark.parametrize("name", NAMES)
def test_onnx_runtime_gives_rnnlabs_outputs(name, io, tmp_path, small_model, batch, reference):
    model = small_model(name, io)
    export_model(model, tmp_path / "export", "onnx", name=name)
    for k, (B, T) in enumerate([(5, 7), (1, 1), (3, 11)]):
        inputs, lengths = batch(io, B, T, seed=k)
        expected = reference(model, inputs, lengths).numpy()
        np.testing.assert_allclose(run_onnx(tmp_path / "export" / "model.onnx", inputs, lengths), expected,
                                   atol=1e-5, rtol=1e-5)


def test_batch_and_time_are_dynamic_axes_and_the_file_says_what_it_is(tmp_path, small_model):
    """Reference: the ONNX graph's declared inputs and outputs, and export.json written beside it."""
    export_model(small_model("gru", TOKENS), tmp_path / "export", "onnx", name="gru", metadata={"task": "x"})
    graph = onnx.load(str(tmp_path / "export" / "model.onnx"))

    def dims(values):
        return {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in values}

    assert dims(graph.graph.input) == {"inputs": ["batch", "time"], "lengths": ["batch"]}
    assert dims(graph.graph.output) == {"outputs": ["batch", "time", 5]}
    embedded = json.loads(next(p.value for p in graph.metadata_props if p.key == "rnnlab"))
    manifest = json.loads((tmp_path / "export" / "export.json").read_text())
    assert embedded["task"] == manifest["task"] == "x"
    assert manifest["files"] == {"model": "model.onnx"} and manifest["format"] == "onnx"
    assert manifest["inputs"]["inputs"] == {"shape": ["batch", "time"], "dtype": "int64"}


def test_a_padded_row_gives_what_the_same_row_gives_alone(tmp_path, small_model, batch):
    """Reference: each sequence run alone, unpadded, through the same ONNX file: padding changes nothing."""
    model = small_model("lstm", FEATURES)
    export_model(model, tmp_path / "export", "onnx", name="lstm")
    inputs, lengths = batch(FEATURES, 4, 9, seed=3)
    together = run_onnx(tmp_path / "export" / "model.onnx", inputs, lengths)
    for row in range(4):
        L = int(lengths[row])
        alone = run_onnx(tmp_path / "export" / "model.onnx", inputs[row:row + 1, :L], torch.tensor([L]))
        np.testing.assert_allclose(together[row:row + 1], alone, atol=1e-5, rtol=1e-5)
