"""Export folders: written whole or not at all, never over an earlier one without `overwrite`, and TorchScript
files that load in a Python without rnnlab (export/write.py)."""

import json
import sys

import pytest
import torch

from rnnlab.export import write
from rnnlab.export.write import export_model
from rnnlab.models.sequence import IOSpec

FEATURES = IOSpec(4, 3, per_step=False)
TOKENS = IOSpec(9, 5, tokens=True)


def test_torchscript_and_torch_exports_run_in_a_python_without_rnnlab(tmp_path, small_model, batch, reference,
                                                                     without_rnnlab):
    """Reference: rnnlab's outputs, saved beside the exports and compared in the other process (one process for
    both formats: starting one costs seconds)."""
    model = small_model("lstm", TOKENS)
    torchscript = export_model(model, tmp_path / "ts", "torchscript", name="lstm")
    plain = export_model(model, tmp_path / "plain", "torch", name="lstm")
    assert torchscript["files"] == {"model": "model.pt"}
    assert plain["files"] == {"loader": "model.py", "weights": "weights.pt"}
    inputs, lengths = batch(TOKENS, 5, 8)
    torch.save({"inputs": inputs, "lengths": lengths, "expected": reference(model, inputs, lengths),
                "whole": reference(model, inputs, None)}, tmp_path / "case.pt")
    code = """
import json, sys, torch
case = torch.load("case.pt")
extra = {"export.json": ""}
scripted = torch.jit.load("ts/model.pt", _extra_files=extra)
sys.path.insert(0, "plain")
import model
plain = model.load("plain")
for net in (scripted, plain):
    with torch.no_grad():
        torch.testing.assert_close(net(case["inputs"], case["lengths"]), case["expected"], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(net(case["inputs"]), case["whole"], atol=1e-5, rtol=1e-5)
print(json.loads(extra["export.json"])["model"], type(plain.rnn).__name__)
"""
    assert without_rnnlab(code, cwd=tmp_path).split() == ["lstm", "LSTM"]


def test_an_existing_folder_is_kept_unless_overwrite(tmp_path, small_model):
    out = tmp_path / "export"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(ValueError, match="exists; pass --overwrite"):
        export_model(small_model("gru", FEATURES), out, "torchscript", name="gru")
    assert (out / "mine.txt").read_text() == "keep"
    export_model(small_model("gru", FEATURES), out, "torchscript", name="gru", overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["export.json", "model.pt"]
    assert json.loads((out / "export.json").read_text())["format"] == "torchscript"


def test_a_failed_export_leaves_nothing_behind(tmp_path, small_model, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(write, "scripted_sequence_model", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_model(small_model("gru", FEATURES), tmp_path / "export", "torchscript", name="gru")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_and_missing_onnx_are_one_line_errors(tmp_path, small_model, monkeypatch):
    model = small_model("gru", FEATURES)
    with pytest.raises(ValueError, match="unknown export format 'tflite'; choose one of onnx, torchscript, torch"):
        export_model(model, tmp_path / "export", "tflite", name="gru")
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if not installed
    with pytest.raises(ValueError, match=r"needs the onnx package: pip install 'rnnlab\[onnx\]'"):
        export_model(model, tmp_path / "export", "onnx", name="gru")
    assert list(tmp_path.iterdir()) == []
