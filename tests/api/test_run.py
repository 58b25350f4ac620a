"""The Python API over a trained run, and training from Python (rnnlab.api), through `import rnnlab`.

Reference: the CLI's own functions on the same folder (evaluate_run, load_run) and the files the run wrote;
a run trained from Python is a run folder like any other."""

import json

import numpy as np
import pytest
import torch

import rnnlab
from rnnlab.train.experiment import evaluate_run, load_run
from rnnlab.train.run import RunFolder

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
QUICK = {"steps": 6, "eval_every": 3, "batch_size": 8, "hidden_size": 6}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A GRU trained from NumPy arrays: does the first feature sum to more than 0?"""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 7, 3)).astype(np.float32)
    y = np.where(x[:, :, 0].sum(1) > 0, "up", "down")
    folder = tmp_path_factory.mktemp("runs") / "gru"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RNNLAB_CACHE", str(folder.parent / "cache"))
        run = rnnlab.train(x, y, model="gru", out=folder, **QUICK)
    return run, x


def test_train_on_arrays_writes_a_run_folder(trained):
    run, _ = trained
    assert isinstance(run, rnnlab.Run) and run.experiment.task == "arrays"
    assert run.summary is not None and run.summary.steps == 6 and run.summary.test_metrics is not None
    assert [r.step for r in run.records] == [3, 6]
    assert run.task.classes == ("down", "up")
    spec = json.loads((run.path / "config.json").read_text())
    assert spec["model"]["hidden_size"] == 6 and spec["train"]["steps"] == 6


def test_evaluate_and_predict_are_the_clis(trained):
    run, x = trained
    assert run.evaluate() == evaluate_run(RunFolder(run.path))[1]
    _, _, model = load_run(RunFolder(run.path))
    with torch.no_grad():
        expected = model.eval()(torch.as_tensor(x[:5]), None, torch.full((5,), 7))[0]
    torch.testing.assert_close(run.predict(x[:5]), expected)
    ragged = run.predict([x[0, :3], x[1]])  # two sequences of different lengths
    with torch.no_grad():
        torch.testing.assert_close(ragged[0], model(torch.as_tensor(x[:1, :3]))[0][0])


def test_load_and_export(trained, tmp_path):
    run, _ = trained
    loaded = rnnlab.load(run.path)
    assert repr(loaded).startswith(f"Run({str(run.path)!r}: gru on arrays")
    folder = loaded.export("torch", out=tmp_path / "plain")
    manifest = json.loads((folder / "export.json").read_text())
    assert manifest["classes"] == ["down", "up"] and manifest["task"] == "arrays"
    with pytest.raises(ValueError, match="cannot classify raw input; use predict"):
        loaded.classify(["text"])


def test_bad_options_and_arguments_are_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown option hidden; options are the fields of ModelConfig"):
        rnnlab.train(task="adding", hidden=4, out=tmp_path / "a")
    with pytest.raises(ValueError, match="give a task name"):
        rnnlab.train(out=tmp_path / "a")
    with pytest.raises(ValueError, match="not a run folder"):
        rnnlab.load(tmp_path)


def test_a_registered_task_and_build_model(tmp_path):
    """Reference: the same experiment through `rnnlab train` (tests/cli/test_train.py), here its config."""
    run = rnnlab.train(task="adding", length=6, model="lstm", out=tmp_path / "adding", steps=4, eval_every=2,
                       batch_size=4, hidden_size=4, task_options={"test_size": 8})
    assert run.experiment.task_config.length == 6 and run.summary is not None
    model = rnnlab.build_model("gru", input_size=3, output_size=2, hidden_size=5, per_step=False)
    assert model(torch.zeros(2, 4, 3))[0].shape == (2, 2) and model.core.config.hidden_size == 5


def test_the_top_level_names_are_the_functions_and_the_subpackages_still_import():
    """Reference: the subpackages' own modules, reached both ways."""
    from rnnlab.train.loop import TrainConfig

    assert callable(rnnlab.train) and callable(rnnlab.compare)
    assert rnnlab.train.loop.TrainConfig is TrainConfig
    assert rnnlab.compare.sweeps.runner.run_sweep is not None


def test_compare_from_python_is_the_clis_compare(tmp_path):
    """Reference: `rnnlab compare --task ...` (tests/cli/test_compare.py), the same plan: a run per model and
    seed, each in the returned rows, and the report beside them."""
    result = rnnlab.compare(task="adding", models=["rnn", "lstm"], seeds=1, steps=4, lengths=[6], tune=False,
                            task_options={"test_size": 8}, out=tmp_path / "cmp", workers=0)
    assert sorted(row.model for row in result.rows) == ["lstm", "rnn"]
    assert {row.status for row in result.rows} <= {"solved", "not solved", "diverged"}
    assert result.report_html.is_file() and result.report_markdown == tmp_path / "cmp" / "report.md"
