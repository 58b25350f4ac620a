"""Ensembles of classification runs (models/ensemble.py, train/ensemble.py), checked against the mean of the
members' class probabilities computed here by hand, and refused for runs that cannot be averaged."""

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from rnnlab.cli.main import main
from rnnlab.data.tasks.base import on_split
from rnnlab.models.ensemble import Ensemble
from rnnlab.train.ensemble import evaluate_ensemble
from rnnlab.train.experiment import evaluate_run, load_run
from rnnlab.train.run import RunFolder

TRAIN = ["train", "--task", "digits8x8", "--steps", "40", "--eval-every", "20", "--batch-size", "16",
         "--hidden", "12", "--lr", "0.02", "--threads", "1"]


class Fixed(nn.Module):
    """A member whose logits are given: (B, C) whatever the inputs."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(logits)

    def forward(self, inputs, state=None, lengths=None):
        return self.logits, None


def test_the_output_is_the_log_of_the_mean_probability():
    a, b = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 5.0]]), torch.tensor([[-3.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    outputs, state = Ensemble([Fixed(a), Fixed(b)])(torch.zeros(2, 4, 1))
    mean = (a.softmax(-1) + b.softmax(-1)) / 2
    assert state is None
    torch.testing.assert_close(outputs, mean.log())
    targets = torch.tensor([1, 2])  # cross-entropy of the outputs is the ensemble's own -log p(y)
    torch.testing.assert_close(nn.functional.cross_entropy(outputs, targets),
                               -mean[torch.arange(2), targets].log().mean())


def test_one_member_is_that_member_normalised_and_none_is_refused():
    logits = torch.tensor([[1.0, 3.0]])
    with torch.no_grad():
        outputs, _ = Ensemble([Fixed(logits)])(torch.zeros(1, 1, 1))
    torch.testing.assert_close(outputs, logits.log_softmax(-1))
    assert math.isclose(float(outputs.exp().sum()), 1.0, rel_tol=1e-6)
    with pytest.raises(ValueError, match="at least one member"):
        Ensemble([])


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Short digits8x8 runs of different families and seeds; one trained on fewer images (the same held-out
    data), one scored on fewer (other held-out data); one run of another task."""
    folder = tmp_path_factory.mktemp("ensemble")
    argv = {"lstm": ["--model", "lstm", "--seed", "0"], "gru": ["--model", "gru", "--seed", "1"],
            "fewer": ["--model", "gru", "--set", "max_train=200"], "short": ["--model", "gru", "--set", "max_test=50"]}
    for name, extra in argv.items():
        assert main([*TRAIN, *extra, "--out", str(folder / name)]) == 0
    assert main(["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "4",
                 "--batch-size", "4", "--hidden", "4", "--out", str(folder / "adding")]) == 0
    torch.set_num_threads(1)
    return {name: folder / name for name in [*argv, "adding"]}


@pytest.mark.parametrize("split", ["test", "validation"])
def test_the_ensemble_against_probabilities_averaged_by_hand(runs, split):
    """Reference: each member's softmax over the whole split in one padded batch, averaged; the members'
    own rows are what `evaluate_run` scores for each alone."""
    folders = [RunFolder(runs["lstm"]), RunFolder(runs["gru"])]
    result = evaluate_ensemble(folders, split)
    probabilities, labels = [], None
    for folder in folders:
        experiment, _, model = load_run(folder)
        task = experiment.entry.build(on_split(experiment.task_config, split))
        batch = task.test_set(0)
        model.eval()
        with torch.no_grad():
            probabilities.append(model(batch.inputs, None, batch.lengths)[0].softmax(-1))
        labels = batch.targets
    mean = torch.stack(probabilities).mean(0)  # (N, C)
    assert result.split == split and result.task == "digits8x8"
    assert math.isclose(result.metrics["accuracy"], float((mean.argmax(-1) == labels).float().mean()), abs_tol=1e-6)
    assert math.isclose(result.metrics["cross_entropy"], float(-mean[torch.arange(len(labels)), labels].log().mean()),
                        rel_tol=1e-5)
    for folder, (run, model, metrics) in zip(folders, result.members, strict=True):
        assert run == str(folder.path) and model == load_run(folder)[0].model.name
        assert metrics == pytest.approx(evaluate_run(folder, split)[1], rel=1e-6)
    assert set(result.baselines) == {"majority class"}
    assert result.solved == (result.metrics["accuracy"] >= load_run(folders[0])[1].solved_threshold)


def test_runs_trained_otherwise_on_the_same_held_out_data_join(runs):
    """Reference: the fewer-images run scored alone; a config that differs only in training joins."""
    result = evaluate_ensemble([RunFolder(runs["lstm"]), RunFolder(runs["fewer"])], "validation")
    assert result.members[1][2] == pytest.approx(evaluate_run(RunFolder(runs["fewer"]), "validation")[1], rel=1e-6)


@pytest.mark.parametrize("split", ["test", "validation"])
def test_runs_that_read_other_held_out_data_cannot_join(runs, split):
    with pytest.raises(ValueError, match=r"short cannot join an ensemble with .*lstm: its max_test differs, so its "
                                         "model reads other held-out data"):
        evaluate_ensemble([RunFolder(runs["lstm"]), RunFolder(runs["short"])], split)


def test_runs_of_other_tasks_cannot_join(runs):
    with pytest.raises(ValueError, match=r"adding cannot join an ensemble with .*: its task differs \('adding', not"):
        evaluate_ensemble([RunFolder(runs["lstm"]), RunFolder(runs["adding"])])


def test_runs_that_do_not_classify_are_refused(runs):
    with pytest.raises(ValueError, match="is a run of 'adding': an ensemble scores runs that classify whole"):
        evaluate_ensemble([RunFolder(runs["adding"]), RunFolder(runs["adding"])])


def test_one_run_is_not_an_ensemble(runs):
    with pytest.raises(ValueError, match="at least two runs"):
        evaluate_ensemble([RunFolder(runs["lstm"])])


def test_the_command_prints_members_ensemble_and_baselines(runs, capsys):
    result = evaluate_ensemble([RunFolder(runs["lstm"]), RunFolder(runs["gru"])])
    assert main(["evaluate", str(runs["lstm"]), str(runs["gru"])]) == 0
    out = capsys.readouterr().out
    rows = {cells[0]: cells[1:] for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                              for line in out.splitlines() if "│" in line)}
    assert rows["ensemble: mean class probability"] == [f"{result.metrics['accuracy']:.4f}",
                                                        f"{result.metrics['cross_entropy']:.4f}"]
    assert rows["baseline: majority class"][1] == "-"
    assert sum(key.endswith(("(lstm)", "(gru)")) for key in rows) == 2
    assert f"the ensemble {'meets' if result.solved else 'does not meet'} the solved criterion" in out


def test_the_command_refuses_a_mismatch_in_one_line(runs, capsys):
    code = main(["evaluate", str(runs["lstm"]), str(runs["short"]), "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert len(captured.err.splitlines()) == 1 and captured.err.startswith("error: ")
    assert "max_test differs" in captured.err
