"""Hyper-parameters for TensorBoard's HParams view, and event files cut back to the checkpoint on resume
(train/tensorboard.py, train/run.py).

Reference: TensorBoard's own reader and protocol buffers (EventAccumulator, plugin_data_pb2), where installed
(rnnlab[dev]); and a run resumed from an earlier checkpoint against the steps it logged."""

import shutil

import pytest

from rnnlab.cli.main import main
from rnnlab.train.run import RunSpec, hyperparameters
from rnnlab.train.tensorboard import ScalarWriter, event_files, read_scalars, truncate_events

TRAIN = ["train", "--task", "adding", "--length", "6", "--set", "test_size=16", "--steps", "8", "--eval-every", "2",
         "--batch-size", "4", "--hidden", "4"]


def steps_logged(run) -> list[int]:
    return sorted(step for path in event_files(run / "tensorboard") for step, tag, _ in read_scalars(path)
                  if tag == "train/loss")


def test_truncation_keeps_the_header_and_the_steps_up_to_the_checkpoint(tmp_path):
    """Reference: the steps written."""
    writer = ScalarWriter(tmp_path)
    writer.add_hparams_start({"train.lr": 0.01})
    for step in (2, 4, 6, 8):
        writer.add_scalars(step, {"train/loss": 1.0 / step})
    truncate_events(tmp_path, 4)
    assert [step for step, _, _ in read_scalars(writer.path)] == [2, 4]
    assert b"brain.Event:2" in writer.path.read_bytes() and b"_hparams_/session_start_info" in writer.path.read_bytes()


def test_a_resumed_run_logs_each_step_once(tmp_path):
    """A run interrupted after its step-8 events were written but before its step-8 checkpoint (here: that
    checkpoint removed) resumes from step 6; without truncation TensorBoard would hold step 8 twice."""
    run = tmp_path / "run"
    assert main([*TRAIN, "--out", str(run)]) == 0
    assert steps_logged(run) == [2, 4, 6, 8]
    checkpoints = sorted((run / "checkpoints").glob("step-*"))
    shutil.rmtree(checkpoints[-1])
    (run / "checkpoints" / "latest").write_text(checkpoints[-2].name)
    (run / "result.json").unlink()
    assert main([*TRAIN, "--out", str(run), "--resume"]) == 0
    assert steps_logged(run) == [2, 4, 6, 8]
    starts = sum(path.read_bytes().count(b"_hparams_/session_start_info") for path in event_files(run / "tensorboard"))
    assert starts == 1


def test_tensorboard_reads_the_hyperparameters_and_the_end_of_the_session(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    plugin_data_pb2 = pytest.importorskip("tensorboard.plugins.hparams.plugin_data_pb2")
    api_pb2 = pytest.importorskip("tensorboard.plugins.hparams.api_pb2")
    run = tmp_path / "run"
    assert main([*TRAIN, "--out", str(run), "--lr", "0.02"]) == 0
    reader = event_accumulator.EventAccumulator(str(run / "tensorboard"))
    reader.Reload()
    content = reader.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"])
    hparams = start.session_start_info.hparams
    assert hparams["task"].string_value == "adding" and hparams["model.name"].string_value == "lstm"
    assert hparams["train.lr"].number_value == pytest.approx(0.02) and hparams["task.length"].number_value == 6
    assert hparams["model.bidirectional"].HasField("bool_value") and start.session_start_info.start_time_secs > 0
    assert end.session_end_info.status == api_pb2.STATUS_SUCCESS
    assert "train/loss" in reader.Tags()["scalars"]


def test_hyperparameters_are_flat_and_typed():
    spec = RunSpec("copy", {"delay": 10}, {"name": "gru", "init": {"scheme": "uniform"}, "embed_size": None},
                   {"lr": 0.001, "stop_when_solved": True})
    assert hyperparameters(spec) == {"task": "copy", "task.delay": 10, "model.name": "gru",
                                     "model.init.scheme": "uniform", "model.embed_size": "None", "train.lr": 0.001,
                                     "train.stop_when_solved": True}
