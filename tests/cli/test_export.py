"""`rnnlab export RUN --format ...` on a trained run, through `main([...])`: the folder it writes, and one-line
errors (exit 2) for what cannot be exported."""

import json
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
TRAIN = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "4", "--eval-every", "2",
         "--batch-size", "4", "--hidden", "4"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Two finished runs: a GRU and a peephole LSTM."""
    root = tmp_path_factory.mktemp("runs")
    for model in ("gru", "peephole-lstm"):
        assert main([*TRAIN, "--model", model, "--out", str(root / model)]) == 0
    return root


def test_torchscript_export_of_a_run_computes_what_the_run_computes(runs, capsys):
    """Reference: the run's own model (load_run: the weights `rnnlab evaluate` scores) on a padded batch."""
    capsys.readouterr()
    assert main(["export", str(runs / "gru"), "--format", "torchscript", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    out = runs / "gru" / "export-torchscript"
    assert printed["out"] == str(out) and printed["task"] == "adding" and printed["model"] == "gru"
    assert json.loads((out / "export.json").read_text())["model_config"]["hidden_size"] == 4
    _, _, model = load_run(RunFolder(runs / "gru"))
    inputs, lengths = torch.rand(3, 6, 2), torch.tensor([6, 2, 4])
    with torch.no_grad():
        torch.testing.assert_close(torch.jit.load(str(out / "model.pt"))(inputs, lengths),
                                   model.eval()(inputs, None, lengths)[0], atol=1e-5, rtol=1e-5)


def test_an_existing_export_needs_overwrite(runs, capsys):
    out = runs / "elsewhere"
    assert main(["export", str(runs / "gru"), "--format", "torch", "--out", str(out)]) == 0
    assert "torch: " in capsys.readouterr().out
    assert main(["export", str(runs / "gru"), "--format", "torch", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {out} exists; pass --overwrite to replace it"
    assert main(["export", str(runs / "gru"), "--format", "torch", "--out", str(out), "--overwrite"]) == 0


def test_a_model_torch_nn_lacks_is_one_line_naming_the_formats_that_work(runs, capsys):
    assert main(["export", str(runs / "peephole-lstm"), "--format", "torch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nn.LSTM has no peephole connections" in err[0] and "--format onnx" in err[0]
    assert not (runs / "peephole-lstm" / "export-torch").exists()


def test_a_folder_that_is_no_run(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "torchscript"]) == 2
    assert "is not a run folder" in capsys.readouterr().err
