"""Tuning (compare/sweeps/tuning.py): the rule that picks each model's settings, worked on hand-made
candidates; the tuning phase of a real sweep (candidates on their own seed, then the compared runs with the
choice), a setting where every candidate diverges, and the table round trip."""

import json
import math
from pathlib import Path

import pytest

from rnnlab.compare.sweeps.config import SweepConfig, expand, setting_key
from rnnlab.compare.sweeps.parse import parse_sweep
from rnnlab.compare.sweeps.runner import TUNED, run_sweep
from rnnlab.compare.sweeps.tuning import Candidate, pick, read_table, tuning_plans, write_table

CONFIG = SweepConfig("tune", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=2, max_steps=20,
                     train={"eval_every": 10, "batch_size": 4}, model={"hidden_size": 8},
                     task_options={"adding": {"test_size": 16}}, tune={"lr": (1e-3, 1e-2)})


def candidate(lr: float, status: str, best: float | None, steps_to_solve: int | None = None) -> Candidate:
    return Candidate({"lr": lr}, status, best, steps_to_solve, 100, 1.0)


def test_the_rule_prefers_solving_then_speed_then_the_held_out_metric() -> None:
    """Reference: the module docstring's rule: solved beats unsolved, fewer steps to solve wins among solved,
    the best metric among unsolved; diverged and failed candidates are out; an exact tie keeps the first."""
    assert pick([candidate(1e-3, "not solved", 0.02), candidate(1e-2, "solved", 0.005, 900),
                 candidate(3e-3, "solved", 0.001, 1200)], lower_is_better=True) == {"lr": 1e-2}
    assert pick([candidate(1e-3, "not solved", 0.05), candidate(1e-2, "not solved", 0.03)], True) == {"lr": 1e-2}
    assert pick([candidate(1e-3, "not solved", 0.5), candidate(1e-2, "not solved", 0.7)], False) == {"lr": 1e-2}
    assert pick([candidate(1e-2, "diverged", None), candidate(1e-3, "not solved", 0.16)], True) == {"lr": 1e-3}
    assert pick([candidate(1e-2, "diverged", None), candidate(1e-3, "failed", None)], True) is None
    assert pick([candidate(1e-3, "not solved", 0.1), candidate(1e-2, "not solved", 0.1)], True) == {"lr": 1e-3}


def test_tuning_plans_run_each_candidate_on_the_tuning_seed() -> None:
    plans = tuning_plans(CONFIG)
    assert [(p.model, p.tuned["lr"], p.seed, p.phase) for p in plans] == [
        ("rnn", 1e-3, 10_007, "tune"), ("rnn", 1e-2, 10_007, "tune"), ("lstm", 1e-3, 10_007, "tune"),
        ("lstm", 1e-2, 10_007, "tune")]
    assert all(p.experiment.train.lr == p.tuned["lr"] and p.run_id.startswith("tune-") for p in plans)
    assert tuning_plans(SweepConfig("t", ("rnn",), ("adding",), max_steps=5, tune={"lr": (1e-3,)},
                                    tuned={"adding/-/rnn": {"lr": 1e-3}})) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"tune": {"lr": ()}}, "tune.lr: expected a non-empty tuple"),
    ({"tune": {"hidden_size": (8, 16)}}, "tune.hidden_size: unknown field"),
    ({"tune": {"lr": (1e-3, 1e-3)}}, "tune.lr: 0.001 is given twice"),
    ({"tune": {"lr": (-1.0,)}}, "tune.lr: lr must be positive"),
    ({"tune": {"lr": (1e-3,)}, "train": {"lr": 1e-3}}, "tune.lr: also set in [train]"),
    ({"tune": {"lr": (1e-3,)}, "seeds": (0, 10_007)}, "tune_seed: 10007 is also one of the sweep's seeds"),
    ({"tuned": {"adding/6/rnn": {"colour": 1}}}, "tuned.adding/6/rnn.colour: unknown field"),
])
def test_a_bad_tuning_table_is_one_error_naming_the_key(changes: dict, message: str) -> None:
    data = {"name": "t", "models": ["rnn"], "tasks": ["adding"], "max_steps": 5} | {
        key: value for key, value in changes.items() if key != "tune" and key != "seeds"}
    if "tune" in changes:
        data["tune"] = {key: list(values) for key, values in changes["tune"].items()}
    if "seeds" in changes:
        data["seeds"] = list(changes["seeds"])
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_sweep(data)


def test_a_tuned_sweep_runs_its_candidates_then_its_seeds_with_the_choice(tmp_path: Path) -> None:
    """Reference: the runner's two phases: 4 tuning rows (phase "tune", seed 10007) and 4 compared rows (seeds
    0 and 1) whose learning rate is the one FOLDER/tuned.json names for their model."""
    rows = run_sweep(CONFIG, tmp_path, workers=0)
    tuned_rows = [r for r in rows if r.config["phase"] == "tune"]
    compared = [r for r in rows if r.config["phase"] == "eval"]
    assert len(tuned_rows) == 4 and {r.seed for r in tuned_rows} == {10_007}
    assert len(compared) == 4 and {r.seed for r in compared} == {0, 1}
    choices, provenance = read_table(tmp_path / TUNED)
    assert provenance["tune_seed"] == 10_007 and set(choices) == {"adding/6/rnn", "adding/6/lstm"}
    for row in compared:
        chosen = choices[setting_key("adding", 6, row.model)].settings
        assert chosen is not None and row.config["spec"]["train"]["lr"] == chosen["lr"]
    assert run_sweep(CONFIG, tmp_path, workers=0, resume=True) == rows  # a resumed sweep has nothing to do


def test_a_setting_where_every_candidate_diverges_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    """Reference: issue 13's bad input: a grid in which every candidate diverges marks the model "diverged at
    tuning"; its runs are recorded as diverged without training, the other model's runs go on."""
    config = SweepConfig("boom", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=1, max_steps=20,
                         train={"eval_every": 10, "batch_size": 4, "clip": 0.0}, model={"hidden_size": 8},
                         task_options={"adding": {"test_size": 16}}, tune={"lr": (1e30, 1e31)})
    rows = run_sweep(config, tmp_path, workers=0)
    compared = [r for r in rows if r.config["phase"] == "eval"]
    assert {r.status for r in compared} == {"diverged"}
    assert all(r.error == "diverged at tuning: every tuning candidate diverged" and r.steps == 0 for r in compared)
    choices, _ = read_table(tmp_path / TUNED)
    assert all(choice.diverged for choice in choices.values())


def test_the_table_round_trips_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    rows = run_sweep(CONFIG, tmp_path / "sweep", workers=0)
    choices, provenance = read_table(tmp_path / "sweep" / TUNED)
    write_table(tmp_path / "copy.json", choices, provenance)
    assert read_table(tmp_path / "copy.json") == (choices, provenance)
    assert all(c.best is None or math.isfinite(c.best) for choice in choices.values() for c in choice.candidates)
    (tmp_path / "bad.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(ValueError, match=r"bad\.json: not a table of tuned settings"):
        read_table(tmp_path / "bad.json")
    given = SweepConfig("given", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=1, max_steps=5,
                        tuned={key: dict(c.settings) for key, c in choices.items() if c.settings})
    assert {p.experiment.train.lr for p in expand(given)} <= {1e-3, 1e-2} and rows
