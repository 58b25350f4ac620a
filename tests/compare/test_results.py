"""Run results and their summaries (compare/results.py): statistics by hand, grouping order, names."""

import math
import statistics

import pytest

from rnnlab.compare.results import RunResult, group, length_name, summarise_group


def run(seed: int, status: str = "solved", final: float = 0.001, model: str = "lstm", length: int | None = 100,
        task: str = "adding", **more) -> RunResult:
    return RunResult(task, length, model, seed, 17_000, status, final, final, "mse", True, 30.0, **more)  # type: ignore[arg-type]


def test_a_summary_equals_the_statistics_computed_by_hand() -> None:
    """Reference: statistics.mean/stdev/median over the values written out below; NaN finals (a diverged
    seed) leave the metric statistics, failed runs stay in n; times to solve come from solved runs only."""
    runs = [run(0, final=0.002, seconds_to_solve=40.0, steps_to_solve=1000, throughput=900.0, peak_memory_mb=50.0),
            run(1, final=0.004, seconds_to_solve=20.0, steps_to_solve=600, throughput=1100.0),
            run(2, "not solved", final=0.1, seconds_to_solve=99.0, throughput=1000.0, inference_latency_ms=3.0),
            run(3, "diverged", final=math.nan),
            run(4, "failed", final=math.nan)]
    s = summarise_group(runs)
    assert (s.n, s.n_solved, s.n_diverged, s.n_failed, s.n_finite) == (5, 2, 1, 1, 3)
    assert s.solved_fraction == pytest.approx(2 / 5) and s.diverged_fraction == pytest.approx(1 / 5)
    assert s.metric_mean == pytest.approx(statistics.mean([0.002, 0.004, 0.1]))
    assert s.metric_sd == pytest.approx(statistics.stdev([0.002, 0.004, 0.1]))
    assert s.median_seconds_to_solve == 30.0 and s.median_steps_to_solve == 800  # 99 s was not a solve
    assert s.throughput == pytest.approx(1000.0) and s.peak_memory_mb == 50.0 and s.inference_latency_ms == 3.0
    assert s.parameters == 17_000


def test_a_summary_without_finite_metrics_or_solves_says_so() -> None:
    """Reference: the documented NaN/None conventions of ModelSummary."""
    s = summarise_group([run(0, "diverged", final=math.nan)])
    assert math.isnan(s.metric_mean) and math.isnan(s.metric_sd)
    assert s.median_seconds_to_solve is None and s.throughput is None and s.solved_fraction == 0.0


def test_mixed_groups_and_unknown_statuses_are_refused() -> None:
    with pytest.raises(ValueError, match="summarise each group"):
        summarise_group([run(0), run(1, model="rnn")])
    with pytest.raises(ValueError, match="unknown status"):
        run(0, status="queued")


def test_grouping_order_does_not_depend_on_the_input_order() -> None:
    """Reference: the order group() documents: tasks and models as first seen, lengths ascending (None
    first), seeds ascending."""
    runs = [run(seed, model=model, length=length) for length in (200, 25) for model in ("rnn", "lstm")
            for seed in (1, 0)] + [run(0, model="rnn", length=None, task="mnist5k")]
    keys = list(group(runs))
    assert keys == [("adding", 25, "rnn"), ("adding", 25, "lstm"), ("adding", 200, "rnn"), ("adding", 200, "lstm"),
                    ("mnist5k", None, "rnn")]
    assert [r.seed for r in group(runs)[("adding", 25, "rnn")]] == [0, 1]
    reordered = sorted(runs, key=lambda r: (r.seed, -(r.length or 0)))  # same first task and first model
    assert group(reordered) == group(runs)


def test_lengths_are_named_by_the_task_knob() -> None:
    """Reference: the task registry: adding's knob is its length, copy's is its delay."""
    assert length_name("adding", 200) == "T=200" and length_name("adding", 200, at_least=True) == "T ≥ 200"
    assert length_name("copy", 100) == "delay 100" and length_name("mnist5k", None) == ""
    assert length_name("a task from elsewhere", 5) == "T=5"
