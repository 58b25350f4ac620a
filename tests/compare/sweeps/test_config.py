"""Sweeps: the TOML file, its one-line errors, the expansion into runs, and the equal-parameter budget."""

import dataclasses
import re
from pathlib import Path

import pytest
import torch

from rnnlab.compare.sweeps.config import SweepConfig, expand
from rnnlab.compare.sweeps.parse import load_sweep, parse_sweep
from rnnlab.data.tasks.adding import AddingConfig
from rnnlab.models.registry import MODELS, ModelConfig, TransformerFamily, build_model, count_parameters
from rnnlab.models.sequence import IOSpec

FULL = """
name = "lengths"
models = ["rnn", "lstm"]
tasks = ["adding", "mnist5k"]
seeds = [0, 7]
budget = 2000
max_steps = 30
max_seconds = 5

[lengths]
adding = [6, 10]

[train]
eval_every = 10
batch_size = 8

[model]
num_layers = 1

[grid]
lr = [0.001, 0.01]

[task_options.adding]
test_size = 32
"""

MINIMAL = 'models = ["lstm"]\ntasks = ["adding"]\nmax_steps = 10\n'


def tiny(**changes) -> SweepConfig:
    config = SweepConfig("tiny", ("rnn", "lstm"), ("adding",), lengths=(6,), seeds=2, max_steps=10,
                         train={"eval_every": 5, "batch_size": 4}, model={"hidden_size": 8},
                         task_options={"adding": {"test_size": 16}})
    return dataclasses.replace(config, **changes)


def test_toml_parses_to_the_config_and_round_trips(tmp_path):
    """Reference: the same sweep written as a SweepConfig by hand; to_json reads back to it unchanged."""
    path = tmp_path / "sweep.toml"
    path.write_text(FULL)
    config = load_sweep(path)
    assert config == SweepConfig(
        name="lengths", models=("rnn", "lstm"), tasks=("adding", "mnist5k"), lengths={"adding": (6, 10)},
        seeds=(0, 7), budget=2000, max_steps=30, max_seconds=5, train={"eval_every": 10, "batch_size": 8},
        model={"num_layers": 1}, grid={"lr": (0.001, 0.01)}, task_options={"adding": {"test_size": 32}})
    assert parse_sweep(config.to_json()) == config
    assert config.lengths_for("adding") == (6, 10)
    assert config.lengths_for("mnist5k") == (None,)  # no knob
    assert config.seed_values == (0, 7)
    path.write_text(MINIMAL)
    minimal = load_sweep(path)
    assert minimal.name == "sweep"  # the file's stem
    assert minimal.seed_values == (0,)
    assert parse_sweep(minimal.to_json()) == minimal
    assert minimal.digest() != config.digest() and minimal.digest() == load_sweep(path).digest()


@pytest.mark.parametrize(("text", "message"), [
    ('models = ["lstmm"]\ntasks = ["adding"]\nmax_steps = 10',
     "models: unknown model 'lstmm'; choose one of " + ", ".join(MODELS)),
    ('models = ["lstm"]\ntasks = ["adder"]\nmax_steps = 10', "tasks: unknown task 'adder'; choose one of "),
    ('models = ["lstm"\ntasks = ["adding"]', "bad TOML: "),
    ('models = "lstm"\ntasks = ["adding"]\nmax_steps = 10', "models: expected a list, got 'lstm'"),
    (MINIMAL + "modles = 1", "modles: unknown key; the keys are name, models, "),
    (MINIMAL.replace("10", '"10"'), "max_steps: expected an integer, got '10'"),
    (MINIMAL + "[train]\nlr = 'fast'", "train.lr: expected a number, got 'fast'"),
    (MINIMAL + "[train]\nlr = -1", "train.lr: lr must be positive, got -1"),
    (MINIMAL + "[train]\nlrr = 0.1", "train.lrr: unknown field; choose one of "),
    (MINIMAL + "[train]\nseed = 3", "train.seed: set by the sweep's seeds, not here"),
    (MINIMAL + "[grid]\noptimizer = ['adamm']", "grid.optimizer: expected one of 'adam', 'adamw', 'rmsprop', 'sgd'"),
    (MINIMAL + "[grid]\nlr = 0.1", "grid.lr: expected a list, got 0.1"),
    (MINIMAL + "[grid]\nlr = [0.1, 0.1]", "grid.lr: 0.1 is given twice"),
    (MINIMAL + "[task_options.adding]\ntest_sizee = 3", "task_options.adding: task 'adding' has no option test_sizee"),
    (MINIMAL + "budget = 2000\n[model]\nhidden_size = 8", "budget: give a budget or a hidden_size, not both"),
    (MINIMAL.replace("adding", "mnist5k") + "lengths = {mnist5k = [3]}",
     "lengths.mnist5k: task 'mnist5k' has no length"),
    (MINIMAL + "max_seconds = -1", "max_seconds: must be positive, got -1"),
    (MINIMAL + "[model]\ninit = 'x'", "model.init: initialisation options are not part of sweeps yet"),
    (MINIMAL + "seeds = 0", "seeds: give a positive count or non-negative seeds, got 0"),
    (MINIMAL.replace("max_steps = 10\n", ""), "max_steps: give max_steps, max_seconds or both"),
])
def test_errors_are_one_line_naming_file_and_key(tmp_path, text, message):
    """Reference: the key each malformed file gets wrong, after the file's path."""
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as raised:
        load_sweep(path)
    assert str(raised.value).startswith(f"{path}: {message}")
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"^\S+missing.toml: cannot read it: No such file"):
        load_sweep(tmp_path / "missing.toml")


def test_expansion_counts_every_combination_in_a_fixed_order():
    """Reference: models × (2 adding lengths + mnist5k's one) × seeds × grid values, counted by hand;
    ids are filesystem-safe, unique, repeatable, and change with any setting of the run."""
    config = SweepConfig("grid", ("rnn", "lstm"), ("adding", "mnist5k"), lengths=(6, 10), seeds=2, max_steps=10,
                         model={"hidden_size": 8}, grid={"lr": (0.001, 0.01)})
    plans = expand(config)
    assert len(plans) == 2 * (2 + 1) * 2 * 2
    ids = [plan.run_id for plan in plans]
    assert ids == [plan.run_id for plan in expand(config)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", run_id) for run_id in ids)
    assert re.fullmatch(r"adding-6-rnn-H8-lr0.001-s0-[0-9a-f]{8}", ids[0])
    assert re.fullmatch(r"mnist5k-lstm-H8-lr0.01-s1-[0-9a-f]{8}", ids[-1])
    # Every model of one setting before the next setting: task, length, seed, grid point, model.
    assert [(p.task, p.length, p.seed, p.grid["lr"], p.model) for p in plans[:5]] == [
        ("adding", 6, 0, 0.001, "rnn"), ("adding", 6, 0, 0.001, "lstm"), ("adding", 6, 0, 0.01, "rnn"),
        ("adding", 6, 0, 0.01, "lstm"), ("adding", 6, 1, 0.001, "rnn")]
    first = plans[0].experiment
    assert (first.task_config.length, first.model.hidden_size, first.train.seed, first.train.steps,
            first.train.lr) == (6, 8, 0, 10, 0.001)
    assert plans[-1].length is None and plans[-1].experiment.task_config.dataset == "mnist5k"
    other = expand(dataclasses.replace(config, task_options={"adding": {"test_size": 16}}))[0].run_id
    assert other != ids[0] and other[:-8] == ids[0][:-8]  # the readable part is the same, the hash is not


def test_a_task_left_out_of_the_lengths_runs_at_its_default():
    """Reference: AddingConfig's default length."""
    plans = expand(tiny(lengths={}))
    assert {plan.length for plan in plans} == {AddingConfig().length}


@pytest.mark.parametrize("budget", [2000, 20_000])
def test_equal_budget_gives_the_largest_hidden_size_within_it(budget):
    """Reference: count_parameters of the models actually built: each model's hidden size fits the budget and
    the next size up (the next multiple of the head count for the Transformer) does not."""
    config = SweepConfig("budget", ("rnn", "lstm", "gru", "transformer"), ("adding",), lengths=(10,),
                         budget=budget, max_steps=10)
    io = IOSpec(input_size=2, output_size=1, per_step=False)
    for plan in expand(config):
        torch.manual_seed(0)
        assert plan.parameters == count_parameters(build_model(plan.experiment.model, io)) <= budget
        step = plan.experiment.model.num_heads if isinstance(MODELS[plan.model], TransformerFamily) else 1
        bigger = build_model(ModelConfig(plan.model, hidden_size=plan.hidden_size + step), io)
        assert count_parameters(bigger) > budget


def test_a_budget_below_the_smallest_model_names_the_key():
    with pytest.raises(ValueError, match=r"^budget: adding, lstm: a budget of 10 parameters is below"):
        expand(SweepConfig("small", ("lstm",), ("adding",), budget=10, max_steps=10))


def test_configs_built_in_python_are_checked_too():
    with pytest.raises(ValueError, match=r"^models: 'lstm' is given twice$"):
        tiny(models=("lstm", "lstm"))
    with pytest.raises(ValueError, match=r"^lengths: 'copy' is not one of the sweep's tasks$"):
        tiny(lengths={"copy": (3,)})
    with pytest.raises(ValueError, match=r"^grid.hidden_size: also set in \[model\]"):
        tiny(grid={"hidden_size": (4, 8)})


def test_the_shipped_sweeps_load_and_expand():
    """Every sweep file under sweeps/ is valid (what a user runs with `rnnlab compare sweeps/NAME.toml`)."""
    folder = Path(__file__).resolve().parents[2] / "sweeps"
    for path in sorted(folder.glob("*.toml")):
        assert expand(load_sweep(path)), path
