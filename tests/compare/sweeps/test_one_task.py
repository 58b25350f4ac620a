"""One command, no sweep file (compare/sweeps/one_task.py): the sweep `rnnlab compare --task ...` runs."""

import pytest

from rnnlab.compare.sweeps.one_task import task_sweep
from rnnlab.data.tasks.registry import make_task
from rnnlab.models.registry import ModelConfig, build_model, count_parameters


def test_every_model_gets_the_budget_of_the_tasks_suggested_lstm_three_seeds_and_its_own_learning_rate() -> None:
    """Reference: the module docstring: the LSTM at the task's suggested width (adding: H=64) sets the budget;
    learning rates ×1/3, ×1, ×3 the task's suggestion (adding: 0.01); a plateau window of 10 evaluations."""
    config = task_sweep("adding", ("rnn", "lstm", "gru"), {"test_size": 50}, lengths=(20,))
    lstm = build_model(ModelConfig("lstm", hidden_size=64), make_task("adding", 20).io)
    assert config.budget == count_parameters(lstm) and config.seed_values == (0, 1, 2)
    assert config.tune == {"lr": (round(0.01 / 3, 8), 0.01, 0.03)} and config.train["plateau_evals"] == 10
    assert config.task_options == {"adding": {"test_size": 50}} and config.max_steps == 10_000
    fixed = task_sweep("adding", ("rnn",), steps=500, seeds=(4, 5), tune=False)
    assert fixed.tune == {} and fixed.max_steps == 500 and fixed.seed_values == (4, 5)


def test_an_unknown_task_or_option_is_one_error() -> None:
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        task_sweep("nope", ("rnn",))
    with pytest.raises(ValueError, match="has no option colour"):
        task_sweep("adding", ("rnn",), {"colour": 1})
