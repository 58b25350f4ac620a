"""Recipes (train/recipes.py, train/recipe_book.py): every recipe makes a valid experiment for every family, and
what a user gives wins over the recipe, which wins over the task's suggestions."""

import dataclasses

import pytest

from rnnlab.data.tasks.registry import TASKS, task_entry
from rnnlab.models.registry import build_encoder_decoder, traits
from rnnlab.train.experiment import make_experiment
from rnnlab.train.recipe_book import CPU_BUDGET, RECIPES, find_recipe
from rnnlab.train.recipes import MODEL_FIELDS, TRAIN_FIELDS, Recipe, Settings

FAMILIES = ("rnn", "lstm", "gru", "transformer")


def test_settings_name_fields_of_the_configs_they_go_to():
    """Reference: dataclasses.fields of ModelConfig and TrainConfig (make_experiment fills them)."""
    assert {f.name for f in dataclasses.fields(Settings)} <= MODEL_FIELDS | TRAIN_FIELDS


@pytest.mark.parametrize(("task", "name"), sorted(RECIPES))
def test_every_recipe_makes_a_valid_experiment_for_every_family(task, name):
    """Reference: the configs' own validation (ModelConfig, TrainConfig, the task config) accepts each
    recipe's settings, and each lands in the experiment; cpu recipes bound the training time, gpu ones do not."""
    assert task in TASKS
    recipe = find_recipe(task, name)
    for model in FAMILIES:
        experiment = make_experiment(task, model, recipe=name)
        settings = recipe.settings(model)
        for key, value in settings.model_options().items():
            assert getattr(experiment.model, key) == value, (model, key)
        for key, value in settings.train_options().items():
            assert getattr(experiment.train, key) == value, (model, key)
        for key, value in recipe.task_options.items():
            assert getattr(experiment.task_config, key) == value
        assert experiment.train.max_seconds == (CPU_BUDGET if name == "cpu" else None)
        assert experiment.train.plateau_evals > 0 and not experiment.train.stop_when_solved
    assert recipe.reaches


@pytest.mark.parametrize(("task", "name"), sorted(key for key, recipe in RECIPES.items() if recipe.common.attention))
def test_every_sequence_to_sequence_recipe_builds_every_family(task, name):
    """Reference: the model builder's own checks (a Transformer given the recurrent models' attention options
    is refused: the chatterbot study's Transformer failed so before the recipe put them back)."""
    for model in FAMILIES:
        experiment = make_experiment(task, model, recipe=name)
        built = build_encoder_decoder(experiment.model, 12, 14)
        assert sum(p.numel() for p in built.parameters()) > 0


def test_flags_win_over_the_recipe_which_wins_over_the_suggestions():
    """Reference: the precedence of make_experiment's docstring, on the de-en cpu recipe."""
    suggested = task_entry("de-en").suggested_training
    plain = make_experiment("de-en", "gru")
    assert plain.train.lr == suggested.lr and plain.model.attention == "none" and plain.task_config.tokenizer == "word"
    recipe = make_experiment("de-en", "gru", recipe="cpu")
    assert (recipe.model.attention, recipe.model.attention_placement) == ("additive", "bahdanau")
    assert recipe.task_config.tokenizer == "bpe" and recipe.task_config.beam_size == 5
    mine = make_experiment("de-en", "gru", recipe="cpu", model_options={"hidden_size": 32},
                           train_options={"lr": 0.01}, task_options={"beam_size": 2})
    assert (mine.model.hidden_size, mine.train.lr, mine.task_config.beam_size) == (32, 0.01, 2)
    assert mine.model.dropout == recipe.model.dropout  # what was not given stays the recipe's


def test_families_get_their_own_settings():
    """Reference: the sentiment recipe's table: the tanh RNN trains at a lower rate, the Transformer warms up."""
    recipe = find_recipe("sentiment", "cpu")
    assert recipe.settings("rnn").lr < recipe.settings("gru").lr == recipe.common.lr
    assert recipe.settings("transformer").warmup_steps > 0 and recipe.settings("lstm").warmup_steps is None
    assert traits("irnn").family == "elman" and recipe.settings("irnn") == recipe.settings("rnn")


def test_a_budget_sets_the_size_over_the_recipe():
    """Reference: hidden_size_for_budget: the recipe's H = 128 gives way to the H that meets the budget (de-en's
    sizes come from its config, so no data is read)."""
    experiment = make_experiment("de-en", "lstm", recipe="cpu", budget=3_000_000)
    assert 0 < experiment.model.hidden_size < find_recipe("de-en", "cpu").settings("lstm").hidden_size
    assert experiment.model.embed_size == 256  # the rest of the recipe stays


def test_an_unknown_recipe_names_the_tasks_that_have_one():
    with pytest.raises(ValueError, match=r"no 'cpu' recipe for task 'adding'; recipes exist for: .*de-en"):
        make_experiment("adding", "lstm", recipe="cpu")
    assert isinstance(find_recipe("text-csv", "cpu"), Recipe)
