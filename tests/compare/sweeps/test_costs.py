"""A run's own inference latency and training memory (compare/costs.py), recorded in the sweep store."""

from pathlib import Path

import torch

from rnnlab.compare.sweeps.config import SweepConfig
from rnnlab.compare.sweeps.costs import run_costs
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.train.experiment import load_run, make_experiment, run_experiment
from rnnlab.train.run import RunFolder


def trained_run(tmp_path: Path, model: str) -> RunFolder:
    folder = RunFolder(tmp_path / model)
    experiment = make_experiment("adding", model, length=12, model_options={"hidden_size": 16},
                                 train_options={"steps": 10, "eval_every": 10})
    run_experiment(experiment, folder)
    return folder


def test_costs_are_positive_and_leave_the_model_as_it_was(tmp_path: Path) -> None:
    """Reference: measuring must not train: the checkpoint's weights are unchanged and no gradient is
    left behind; an LSTM keeps four gates' activations for backward, so it needs more memory than an
    Elman RNN of the same width (Hochreiter & Schmidhuber 1997 vs Elman 1990: 4H vs H per step)."""
    rnn, lstm = trained_run(tmp_path, "rnn"), trained_run(tmp_path, "lstm")
    before = {k: v.clone() for k, v in load_run(lstm)[2].state_dict().items()}
    rnn_costs, lstm_costs = run_costs(rnn), run_costs(lstm)
    for costs in (rnn_costs, lstm_costs):
        assert costs["inference_latency_ms"] > 0 and costs["peak_memory_mb"] > 0
    assert lstm_costs["peak_memory_mb"] > rnn_costs["peak_memory_mb"]
    after = load_run(lstm)[2].state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_a_sweep_records_each_runs_costs(tmp_path: Path) -> None:
    """Reference: the store's columns for the report's summary table are filled for every finished run."""
    config = SweepConfig(name="costs", models=("rnn", "gru"), tasks=("adding",), lengths=(8,), max_steps=10,
                         model={"hidden_size": 8})
    rows = run_sweep(config, tmp_path / "sweep", workers=0)
    assert len(rows) == 2
    assert all(row.inference_latency_ms and row.peak_memory_mb for row in rows)
