"""stop_at_break (compare/sweeps/runner.py): a model that solves no seed at a length is not trained at the
task's longer lengths; those runs are recorded "not solved", stop reason "broken", and the report counts them."""

from pathlib import Path

import pytest

from rnnlab.compare.results import summarise_all
from rnnlab.compare.sweeps.collect import collect
from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.parse import parse_sweep
from rnnlab.compare.sweeps.runner import run_sweep
from rnnlab.compare.sweeps.stages import by_length

CONFIG = SweepConfig("break", ("rnn", "lstm"), ("adding",), lengths=(8, 6, 10), seeds=2, max_steps=3,
                     train={"eval_every": 3, "batch_size": 4}, model={"hidden_size": 8},
                     task_options={"adding": {"test_size": 16}}, stop_at_break=True)


def test_stages_run_shortest_first_across_tasks() -> None:
    config = SweepConfig("two", ("rnn",), ("adding", "copy"), lengths={"adding": (20, 10), "copy": (5, 3)},
                         seeds=1, max_steps=3)
    stages = by_length(expand(config))
    assert [[(p.task, p.length) for p in stage] for stage in stages] == [[("adding", 10), ("copy", 3)],
                                                                         [("adding", 20), ("copy", 5)]]


def test_a_model_that_solves_nothing_is_not_run_at_longer_lengths(tmp_path: Path) -> None:
    rows = run_sweep(CONFIG, tmp_path, workers=0)
    trained = [r for r in rows if r.length == 6]
    assert len(trained) == 4 and all(r.status == "not solved" and r.steps == 3 for r in trained)
    skipped = [r for r in rows if r.length in (8, 10)]
    assert len(skipped) == 8
    assert all(r.status == "not solved" and r.steps == 0 and r.metrics["stop_reason"] == "broken" for r in skipped)
    assert all(r.error == "not run: solved no seed at length 6" for r in skipped)
    summaries = {(s.length, s.model): s for s in summarise_all(collect(tmp_path))}
    assert summaries[10, "rnn"].n_not_run == 2 and summaries[10, "rnn"].n_solved == 0
    assert summaries[6, "lstm"].n_not_run == 0 and summaries[6, "lstm"].n_finite == 2
    again = run_sweep(CONFIG, tmp_path, workers=0, resume=True)  # nothing left to run: the same rows
    assert [(r.run_id, r.status, r.steps) for r in again] == [(r.run_id, r.status, r.steps) for r in rows]


def test_without_it_every_length_is_trained(tmp_path: Path) -> None:
    config = SweepConfig("all", ("rnn",), ("adding",), lengths=(6, 8), seeds=1, max_steps=3,
                         train={"eval_every": 3, "batch_size": 4}, model={"hidden_size": 8},
                         task_options={"adding": {"test_size": 16}})
    assert all(r.steps == 3 for r in run_sweep(config, tmp_path, workers=0))
    assert "stop_at_break" not in config.to_json()  # the digest of sweeps made before the key existed holds


def test_the_key_is_read_from_toml_and_checked() -> None:
    data = {"name": "t", "models": ["rnn"], "tasks": ["adding"], "max_steps": 5}
    assert parse_sweep(data | {"stop_at_break": True}).stop_at_break
    with pytest.raises(ValueError, match=r"^stop_at_break: expected true or false"):
        parse_sweep(data | {"stop_at_break": "yes"})
