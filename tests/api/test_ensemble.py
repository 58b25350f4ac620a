"""Several runs as one classifier from Python (rnnlab.ensemble). Reference: each run's own outputs
(`Run.predict`), their class probabilities averaged by hand, and the CLI's function on the same folders."""

import numpy as np
import pytest
import torch

import rnnlab
from rnnlab.train.ensemble import evaluate_ensemble
from rnnlab.train.run import RunFolder

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")
QUICK = {"steps": 6, "eval_every": 3, "batch_size": 8, "hidden_size": 6}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs on the same arrays and split (a GRU and an LSTM), and one split by another seed: does the first
    feature sum to more than 0?"""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 7, 3)).astype(np.float32)
    y = np.where(x[:, :, 0].sum(1) > 0, "up", "down")
    root = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RNNLAB_CACHE", str(root / "cache"))
        first = rnnlab.train(x, y, model="gru", out=root / "gru", seed=0, **QUICK)
        second = rnnlab.train(x, y, model="lstm", out=root / "lstm", seed=0, **QUICK)
        other = rnnlab.train(x, y, model="gru", out=root / "other", seed=1, **QUICK)
    return first, second, other, x


def test_the_ensemble_averages_the_runs_probabilities(runs):
    first, second, _, x = runs
    team = rnnlab.ensemble([first.path, second.path])
    assert isinstance(team, rnnlab.RunEnsemble)
    mean = (first.predict(x[:5]).softmax(-1) + second.predict(x[:5]).softmax(-1)) / 2  # (5, 2)
    with torch.no_grad():
        outputs, _ = team.model(torch.as_tensor(x[:5]), None, torch.full((5,), 7))
    torch.testing.assert_close(outputs.exp(), mean)


def test_evaluate_is_the_clis(runs):
    first, second, _, _ = runs
    score = rnnlab.ensemble([first.path, second.path]).evaluate("validation")
    assert score == evaluate_ensemble([RunFolder(first.path), RunFolder(second.path)], "validation")
    assert [model for _, model, _ in score.members] == ["gru", "lstm"]


def test_what_an_ensemble_cannot_do(runs):
    first, second, other, _ = runs
    with pytest.raises(ValueError, match="at least two runs"):
        rnnlab.ensemble([first.path])
    with pytest.raises(ValueError, match="cannot classify raw input"):
        rnnlab.ensemble([first.path, second.path]).classify(["a text"])
    with pytest.raises(ValueError, match=r"other cannot join an ensemble with .*gru: its path differs"):
        rnnlab.ensemble([first.path, other.path]).evaluate()  # another seed held out other rows
