"""An experiment from names and typed configs to a run folder, rebuilt from that folder, and scored again."""

import dataclasses
import json

import pytest
import torch

from rnnlab.data.tasks.adding import AddingConfig
from rnnlab.data.tasks.copy_memory import CopyMemoryConfig
from rnnlab.models.init import InitConfig
from rnnlab.models.registry import ModelConfig, count_parameters
from rnnlab.train.checkpoint import CheckpointError
from rnnlab.train.experiment import Experiment, evaluate_run, make_experiment, run_experiment
from rnnlab.train.loop import TrainConfig
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder

TINY = Experiment("adding", AddingConfig(length=6, test_size=16), ModelConfig("lstm", hidden_size=4),
                  TrainConfig(steps=12, batch_size=4, eval_every=4, lr=0.01))


def test_spec_round_trips_through_json():
    """Reference: the experiment itself, nested InitConfig included, after a trip through config.json."""
    experiment = Experiment("copy", CopyMemoryConfig(length=3, delay=4),
                            ModelConfig("gru", hidden_size=8, init=InitConfig(scheme="orthogonal", chrono_max_len=9)),
                            TrainConfig(steps=7, optimizer="sgd", momentum=0.9, decay="cosine"))
    spec = experiment.spec()
    assert spec.task_config == {"length": 3, "delay": 4, "vocab_size": 8, "test_size": 1000, "solved_accuracy": 0.99}
    from_json = type(spec)(**json.loads(json.dumps(spec.__dict__)))
    assert Experiment.from_spec(from_json) == experiment
    assert Experiment.from_spec(TINY.spec()) == TINY


def test_build_is_deterministic_in_the_seed():
    """Reference: a second build with the same seed gives bit-identical weights; another seed does not."""
    _, first = TINY.build()
    torch.rand(3)  # whatever happened to the global RNG in between
    task, second = TINY.build()
    _, other = dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, seed=1)).build()
    assert task.name == "adding-6"
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    assert not all(torch.equal(a, c) for a, c in zip(first.parameters(), other.parameters()))


def test_run_experiment_writes_the_run_and_evaluate_run_scores_it_again(tmp_path):
    """Reference: the run's own final record. The newest checkpoint is the final step's, so scoring it
    again from the folder alone gives exactly the metrics that record holds."""
    folder = RunFolder(tmp_path / "run")
    seen: list[EvalRecord] = []
    summary = run_experiment(TINY, folder, on_eval=seen.append)
    assert [r.step for r in seen] == [4, 8, 12]
    assert folder.records() == seen
    _, model = TINY.build()
    assert summary.parameters == count_parameters(model)
    assert summary.status == "not solved" and summary.steps == 12
    assert folder.summary() == summary  # parameters included
    assert Experiment.from_spec(folder.spec()) == TINY

    experiment, metrics = evaluate_run(RunFolder(folder.path))
    assert experiment == TINY
    assert metrics == seen[-1].metrics


def test_evaluate_run_without_a_checkpoint(tmp_path):
    folder = RunFolder(tmp_path)
    folder.prepare(TINY.spec(), resume=False, overwrite=False)
    with pytest.raises(CheckpointError, match="has no checkpoint yet"):
        evaluate_run(folder)


def test_evaluate_run_needs_a_run_folder(tmp_path):
    with pytest.raises(ValueError, match="is not a run folder"):
        evaluate_run(RunFolder(tmp_path))


def test_a_real_data_run_records_its_test_metrics_beside_its_baselines(tmp_path):
    """Reference: the task's own test split scored again from the folder (evaluate_run), and its baselines
    (text_baselines on the same file) in result.json; a generated task's result.json has neither (issue 14)."""
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\n" + "".join(f"a fine film {i},pos\na dull film {i},neg\n" for i in range(20)))
    experiment = make_experiment("text-csv", "gru", task_options={"path": str(path), "min_count": 1},
                                 model_options={"hidden_size": 8}, train_options={"steps": 6, "eval_every": 3})
    summary = run_experiment(experiment, RunFolder(tmp_path / "run"))
    written = json.loads((tmp_path / "run" / "result.json").read_text())
    assert written["baselines"] == summary.baselines and set(summary.baselines) == {"majority class", "bag of words"}
    assert evaluate_run(RunFolder(tmp_path / "run"))[1] == pytest.approx(written["test_metrics"])
    run_experiment(TINY, RunFolder(tmp_path / "tiny"))
    assert "baselines" not in json.loads((tmp_path / "tiny" / "result.json").read_text())
