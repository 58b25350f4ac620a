"""Run folders: a user's results are never written over by accident, and result.json says what happened."""

import json
import math
from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

from rnnlab.data.tasks.temporal_order import TemporalOrderConfig, TemporalOrderTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train
from rnnlab.train.records import EvalRecord, TrainResult
from rnnlab.train.run import RunFolder, RunSpec, RunSummary, status_of, summarise
from rnnlab.train.tensorboard import read_scalars

SPEC = RunSpec("adding", {"length": 10, "test_size": 8, "solved_mse": 0.01}, {"name": "lstm", "hidden_size": 4},
               {"steps": 20, "lr": 0.01})


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def record(step: int, mse: float, solved: bool = False, loss: float = 0.5) -> EvalRecord:
    return EvalRecord(step, seconds=step / 10, sequences=step * 4, train_loss=loss, grad_norm=1.0, lr=0.01,
                      metrics={"mse": mse, "error_rate_0.04": 0.5}, solved=solved)


def a_run(tmp_path: Path) -> RunFolder:
    folder = RunFolder(tmp_path / "run")
    folder.prepare(SPEC, resume=False, overwrite=False)
    folder.log(record(10, 0.2))
    (folder.checkpoints / "step-00000010").mkdir(parents=True)
    (folder.checkpoints / "latest").write_text("step-00000010\n")
    folder.finish(RunSummary.of(TrainResult([record(10, 0.2)]), "mse", lower_is_better=True))
    return folder


def test_prepare_writes_the_spec(tmp_path):
    folder = RunFolder(tmp_path / "deep" / "run")
    folder.prepare(SPEC, resume=False, overwrite=False)
    assert folder.holds_a_run()
    assert folder.spec() == SPEC
    assert json.loads((folder.path / "config.json").read_text())["train"] == {"steps": 20, "lr": 0.01}


def test_an_empty_folder_is_fine(tmp_path):
    RunFolder(tmp_path).prepare(SPEC, resume=False, overwrite=False)
    assert RunFolder(tmp_path).spec() == SPEC


def test_a_folder_holding_a_run_is_refused_and_left_untouched(tmp_path):
    """Reference: the folder's bytes before the refusal, compared after it."""
    folder = a_run(tmp_path)
    before = snapshot(folder.path)
    other = RunSpec("copy", {}, {"name": "gru"}, {})
    for spec in (SPEC, other):
        with pytest.raises(ValueError, match=r"already holds a run; pass --resume .* or --overwrite"):
            RunFolder(folder.path).prepare(spec, resume=False, overwrite=False)
    assert snapshot(folder.path) == before


def test_resume_with_the_same_settings_keeps_everything(tmp_path):
    folder = a_run(tmp_path)
    before = snapshot(folder.path)
    RunFolder(folder.path).prepare(SPEC, resume=True, overwrite=False)
    assert snapshot(folder.path) == before


@pytest.mark.parametrize(("changes", "named"), [
    ({"train": {"steps": 40, "lr": 0.01}}, "train"),
    ({"model": {"name": "gru", "hidden_size": 4}}, "model"),
    ({"task_config": {"length": 20, "test_size": 8, "solved_mse": 0.01}}, "task_config"),
    ({"task": "copy", "train": {}}, "task, train"),
])
def test_resume_with_other_settings_is_refused_naming_what_differs(tmp_path, changes, named):
    folder = a_run(tmp_path)
    before = snapshot(folder.path)
    spec = RunSpec(**{**SPEC.__dict__, **changes})
    with pytest.raises(ValueError, match=f"holds a run with a different {named};") as caught:
        RunFolder(folder.path).prepare(spec, resume=True, overwrite=False)
    assert str(folder.path) in str(caught.value)
    assert snapshot(folder.path) == before


@pytest.mark.parametrize("exists", [False, True])
def test_resume_without_a_run_is_refused(tmp_path, exists):
    path = tmp_path / "empty"
    if exists:
        path.mkdir()
    with pytest.raises(ValueError, match="nothing to resume"):
        RunFolder(path).prepare(SPEC, resume=True, overwrite=False)
    assert path.exists() == exists
    assert not exists or not any(path.iterdir())


def test_overwrite_replaces_the_run(tmp_path):
    folder = a_run(tmp_path)
    other = RunSpec("copy", {"delay": 5}, {"name": "gru"}, {"steps": 3})
    RunFolder(folder.path).prepare(other, resume=False, overwrite=True)
    assert snapshot(folder.path).keys() == {"config.json"}
    assert RunFolder(folder.path).spec() == other


def test_resume_and_overwrite_exclude_each_other(tmp_path):
    folder = a_run(tmp_path)
    before = snapshot(folder.path)
    with pytest.raises(ValueError, match="--resume and --overwrite exclude each other"):
        RunFolder(folder.path).prepare(SPEC, resume=True, overwrite=True)
    assert snapshot(folder.path) == before


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("my thesis")
    with pytest.raises(ValueError, match="is not empty; choose another --out or pass --overwrite"):
        RunFolder(tmp_path).prepare(SPEC, resume=False, overwrite=False)
    assert snapshot(tmp_path) == {"notes.txt": b"my thesis"}


def test_a_file_is_not_a_folder(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        RunFolder(path).prepare(SPEC, resume=False, overwrite=False)
    assert path.read_text() == "x"


def test_check_changes_nothing_and_raises_what_prepare_raises(tmp_path):
    folder = a_run(tmp_path)
    before = snapshot(folder.path)
    with pytest.raises(ValueError, match="already holds a run"):
        RunFolder(folder.path).check(SPEC, resume=False, overwrite=False)
    RunFolder(folder.path).check(SPEC, resume=False, overwrite=True)  # allowed, and still nothing changed
    assert snapshot(folder.path) == before
    assert not (tmp_path / "new").exists()
    RunFolder(tmp_path / "new").check(SPEC, resume=False, overwrite=False)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"task": "adding"}', "\udcff"])
def test_a_corrupt_config_is_a_one_line_error(tmp_path, text):
    (tmp_path / "config.json").write_text(text, errors="surrogateescape")
    with pytest.raises(ValueError, match=r"config\.json is corrupt") as caught:
        RunFolder(tmp_path).spec()
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="is not a run folder"):
        RunFolder(tmp_path / "elsewhere").spec()


def test_log_writes_jsonl_and_tensorboard(tmp_path):
    """Reference: the records logged: metrics.jsonl reads back equal, and each becomes TensorBoard scalars
    train/loss, train/grad_norm, train/lr and test/<metric> at its step (float32)."""
    folder = RunFolder(tmp_path)
    records = [record(10, 0.25), record(20, 0.125, loss=0.375)]
    for r in records:
        folder.log(r)
    assert folder.records() == records
    (events,) = (tmp_path / "tensorboard").glob("events.out.tfevents.*")
    scalars = read_scalars(events)
    assert (20, "test/mse", 0.125) in scalars and (20, "train/loss", 0.375) in scalars
    assert {tag for _, tag, _ in scalars} == {"train/loss", "train/grad_norm", "train/lr", "test/mse",
                                               "test/error_rate_0.04"}
    assert sorted({step for step, _, _ in scalars}) == [10, 20]


def test_restart_log_keeps_exactly_the_given_records(tmp_path):
    folder = RunFolder(tmp_path)
    for step in (10, 20, 30):
        folder.log(record(step, 0.1))
    with folder.metrics.open("a") as stream:
        stream.write('{"step": 4')  # torn by a kill
    folder.restart_log([record(10, 0.1), record(20, 0.1)])
    assert [r.step for r in folder.records()] == [10, 20]
    assert folder.metrics.read_text().endswith("\n")


def test_a_solved_run(tmp_path):
    """Reference: the records: the first solved one gives the step, time and sequences to solve."""
    result = TrainResult([record(10, 0.2), record(20, 0.005, solved=True), record(30, 0.001, solved=True)])
    summary = RunSummary.of(result, "mse", lower_is_better=True)
    RunFolder(tmp_path).finish(summary)
    assert json.loads((tmp_path / "result.json").read_text()) == summary.to_json() == RunFolder(tmp_path).result()
    assert RunFolder(tmp_path).summary() == summary
    assert summary.status == "solved"
    assert (summary.solved_at_step, summary.seconds_to_solve, summary.sequences_to_solve) == (20, 2.0, 80)
    assert summary.best == 0.001 and summary.steps == 30 and summary.diverged_at_step is None


def test_result_json_keys_and_order():
    """Reference: result.json as written before RunSummary (a dict: summarise()'s ten keys), then why the run
    stopped and whether it was still improving (issue 13), run_experiment's parameters, and test_metrics with
    test_weights_from_step for real data sets, and their task's baselines on the test split (issue 14); an older
    result.json without the stop fields still reads."""
    result = TrainResult([record(10, 0.2), record(20, 0.1)], selected_step=10)
    plain = RunSummary.of(result, "mse", True)
    assert list(plain.to_json()) == ["status", "diverged_at_step", "steps", "seconds", "solved_at_step",
                                     "seconds_to_solve", "sequences_to_solve", "metric", "best", "final_metrics",
                                     "stop_reason", "still_improving"]
    assert plain.to_json() == summarise(result, "mse", True)
    held_out = RunSummary.of(result, "mse", True, parameters=7, test_metrics={"mse": 0.3})
    assert list(held_out.to_json())[12:] == ["parameters", "test_metrics", "test_weights_from_step"]
    assert held_out.to_json()["test_weights_from_step"] == 10
    assert list(RunSummary.of(result, "mse", True, parameters=7).to_json())[12:] == ["parameters"]
    with_baselines = RunSummary.of(result, "mse", True, parameters=7, test_metrics={"mse": 0.3},
                                   baselines={"naive": {"mse": 0.5}})
    assert list(with_baselines.to_json())[12:] == ["parameters", "test_metrics", "test_weights_from_step",
                                                   "baselines"]
    assert with_baselines.to_json()["baselines"] == {"naive": {"mse": 0.5}}
    older = {key: value for key, value in plain.to_json().items() if key not in ("stop_reason", "still_improving")}
    assert RunSummary.from_json(older) == plain
    for summary in (plain, held_out, with_baselines):
        assert RunSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
    with pytest.raises(ValueError, match="not a run summary"):
        RunSummary.from_json({"status": "solved"})


@pytest.mark.parametrize(("lower_is_better", "best"), [(True, 0.05), (False, 0.3)])
def test_a_run_that_did_not_solve_says_so_with_its_best_metric(tmp_path, lower_is_better, best):
    """Reference: min (or max) of the recorded metric; nothing about solving is claimed."""
    result = TrainResult([record(10, 0.3), record(20, 0.05), record(30, 0.1)])
    summary = RunSummary.of(result, "mse", lower_is_better)
    assert summary.status == "not solved"
    assert summary.best == best
    assert summary.solved_at_step is None and summary.seconds_to_solve is None
    assert summary.sequences_to_solve is None
    assert summary.final_metrics == {"mse": 0.1, "error_rate_0.04": 0.5}


def test_a_diverged_run(tmp_path):
    """NaN metrics are skipped for the best value; the step of divergence is reported."""
    result = TrainResult([record(10, 0.3), record(13, math.nan, loss=math.nan)], diverged_at=13)
    summary = RunSummary.of(result, "mse", True)
    assert status_of(result) == summary.status == "diverged"
    assert summary.diverged_at_step == 13 and summary.best == 0.3 and summary.solved_at_step is None


def test_a_run_without_records():
    summary = RunSummary.of(TrainResult(), "mse", True)
    assert summary.status == "not solved" and summary.steps == 0 and math.isnan(summary.best)


class NaNOutputs(nn.Module):
    """A model whose every output is NaN."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: Tensor, state=None, lengths=None):
        outputs, state = self.model(inputs, state, lengths)
        return outputs * math.nan, state


def test_nan_outputs_never_count_as_solved():
    """Reference: temporal order's criterion, error_rate_0.3 <= 0.01, which NaN outputs pass (NaN >= 0.3 is
    false, so no answer counts as wrong). The trainer must not call that solved: the run is diverged."""
    task = TemporalOrderTask(TemporalOrderConfig(length=10, test_size=16))
    torch.manual_seed(0)
    model = NaNOutputs(build_model(ModelConfig("lstm", hidden_size=4), task.io))
    result = train(model, task, TrainConfig(steps=10, batch_size=4, eval_every=5))
    assert not result.final.solved and not result.solved
    assert status_of(result) == "diverged" and result.diverged_at == 1


def test_resume_accepts_a_run_saved_before_a_config_field_existed(tmp_path):
    """A config.json written before ModelConfig gained a field (here: `attention`) resumes with the same
    settings; reference: the spec as today's configs rebuild it (Experiment.from_spec)."""
    import json

    from rnnlab.train.experiment import make_experiment, upgraded_spec

    experiment = make_experiment("adding", "lstm", length=10, train_options={"steps": 4, "eval_every": 2})
    folder = RunFolder(tmp_path / "run")
    folder.prepare(experiment.spec(), resume=False, overwrite=False)
    saved = json.loads((folder.path / "config.json").read_text())
    del saved["model"]["attention"]  # as an older version wrote it
    (folder.path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="different model"):
        folder.check(experiment.spec(), resume=True, overwrite=False)
    folder.check(experiment.spec(), resume=True, overwrite=False, upgrade=upgraded_spec)
