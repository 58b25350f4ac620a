"""Stability across seeds: summaries checked against Python's `statistics` on hand data, grouping by
model, reading a run's result.json summary, and the plot."""

import json
import math
import statistics

import pytest

from rnnlab.diagnostics.plots_training import plot_stability
from rnnlab.diagnostics.stability import (
    StabilityRun,
    group_by_model,
    stability_by_model,
    stability_summary,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LSTM = [
    StabilityRun("lstm", 0, "solved", 0.99, 0.99, 12.0),
    StabilityRun("lstm", 1, "solved", 0.97, 0.98, 30.0),
    StabilityRun("lstm", 2, "not solved", 0.60, 0.71),
    StabilityRun("lstm", 3, "diverged", math.nan, 0.55),
    StabilityRun("lstm", 4, "solved", 0.95, 0.96, 20.0),
]
RNN = [
    StabilityRun("rnn", 0, "not solved", 0.30, 0.35),
    StabilityRun("rnn", 1, "diverged", 0.12, 0.31),
]


def test_summary_matches_the_statistics_module() -> None:
    """Reference: statistics.mean/stdev/median on the finite final metrics and the solved times."""
    summary = stability_summary(LSTM, "accuracy", lower_is_better=False)
    finals = [0.99, 0.97, 0.60, 0.95]
    assert summary.n == 5 and summary.n_finite == 4
    assert summary.mean == statistics.mean(finals)
    assert summary.sd == statistics.stdev(finals)
    assert (summary.min, summary.max, summary.best) == (0.60, 0.99, 0.99)
    assert summary.solved_fraction == 3 / 5 and summary.diverged_fraction == 1 / 5
    assert summary.median_seconds_to_solve == statistics.median([12.0, 30.0, 20.0]) == 20.0
    assert json.loads(json.dumps(summary.to_json()))["model"] == "lstm"


def test_lower_is_better_picks_the_minimum_and_edge_cases_are_nan() -> None:
    """Reference: one run has no sample sd; no solved run has no time to solve."""
    summary = stability_summary([StabilityRun("rnn", 0, "not solved", 0.4, 0.3)], "mse", lower_is_better=True)
    assert summary.best == 0.4 and math.isnan(summary.sd)
    assert summary.median_seconds_to_solve is None and summary.solved_fraction == 0.0
    blown = stability_summary([StabilityRun("rnn", 0, "diverged", math.nan, math.nan)], "mse", True)
    assert blown.n_finite == 0 and math.isnan(blown.mean) and blown.diverged_fraction == 1.0


def test_grouping_by_model_keeps_first_seen_order() -> None:
    runs = [RNN[0], *LSTM, RNN[1]]
    assert list(group_by_model(runs)) == ["rnn", "lstm"]
    summaries = stability_by_model(runs, "accuracy", lower_is_better=False)
    assert [(s.model, s.n) for s in summaries] == [("rnn", 2), ("lstm", 5)]
    assert summaries[0].mean == statistics.mean([0.30, 0.12])
    with pytest.raises(ValueError, match="several models"):
        stability_summary(runs, "accuracy", lower_is_better=False)
    with pytest.raises(ValueError, match="at least one run"):
        stability_summary([], "accuracy", lower_is_better=False)


def test_from_a_run_summary() -> None:
    """Reference: the keys `rnnlab.train.run.summarise` writes to result.json."""
    summary = {"status": "solved", "diverged_at_step": None, "steps": 400, "seconds": 9.0, "solved_at_step": 300,
               "seconds_to_solve": 7.5, "sequences_to_solve": 9600, "metric": "accuracy", "best": 0.99,
               "final_metrics": {"accuracy": 0.98, "loss": 0.05}}
    run = StabilityRun.from_summary("gru", 3, summary, "accuracy")
    assert run == StabilityRun("gru", 3, "solved", 0.98, 0.99, 7.5)
    with pytest.raises(ValueError, match="unknown status"):
        StabilityRun("gru", 0, "finished", 1.0, 1.0)  # type: ignore[arg-type]


def test_plot_writes_a_png(tmp_path) -> None:
    """Reference: the PNG file signature."""
    path = plot_stability([*LSTM, *RNN], tmp_path / "stability.png", "accuracy", lower_is_better=False,
                          threshold=0.95, baseline=0.5, setting="temporal order, T=100, 5 seeds")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
