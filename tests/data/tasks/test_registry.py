"""The task registry: every name builds, `--length` sets the knob each config documents, errors list the choices."""

import dataclasses
import inspect

import pytest

from rnnlab.data.tasks.registry import TASKS, make_task, task_entry
from rnnlab.models.registry import ModelConfig
from rnnlab.train.loop import TrainConfig

NAMES = list(TASKS)
WITH_KNOB = [name for name in NAMES if TASKS[name].knob is not None]
# A length every task accepts: selective copy needs room for its 16 tokens, temporal order at least 10 steps.
LENGTH = 20


def test_the_registered_tasks():
    assert {"adding", "copy", "temporal-order", "selective-copy", "mnist5k", "fashion"} <= set(NAMES)
    assert {"adding", "copy", "temporal-order", "selective-copy"} <= set(WITH_KNOB)
    assert all(entry.name == name for name, entry in TASKS.items())


USER_FILE_FIELDS = {"path", "corpus"}  # tasks on the user's own file: nothing to load until one is given


def reads_user_file(name):
    return bool(USER_FILE_FIELDS & {f.name for f in dataclasses.fields(task_entry(name).config_type)})


GENERATED = [n for n in NAMES if task_entry(n).dataset is None and not reads_user_file(n)]
REAL_DATA = [n for n in NAMES if task_entry(n).dataset is not None or reads_user_file(n)]


@pytest.mark.parametrize("name", GENERATED)
def test_builds_with_defaults(name):
    """Reference: the config class's own defaults (with the fields the name pins), and the Task protocol's
    attributes. Nothing is loaded: data sets load lazily, on the first batch."""
    entry = task_entry(name)
    config = entry.config()
    assert config == entry.config_type(**entry.fixed)
    task = make_task(name)
    assert task.config == config
    assert task.name.startswith(name)
    assert task.io.output_size > 0 and task.baseline
    assert entry.metric in task.baseline


@pytest.mark.parametrize("name", REAL_DATA)
def test_a_real_data_task_builds_without_touching_its_data(name, tmp_path, monkeypatch):
    """Building a task (what `rnnlab tasks`, sweeps and budgets do) must not fetch or parse a data set:
    with an empty cache and no way to download, every real-data task still builds."""
    from rnnlab.data import sources

    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))

    def no_download(*args, **kwargs):
        raise AssertionError(f"building {name!r} tried to download its data")

    monkeypatch.setattr(sources, "fetch_wheel", no_download)
    monkeypatch.setattr(sources.subprocess, "run", no_download)
    entry = task_entry(name)
    task = make_task(name)
    assert task.name.startswith(name) and task.config == entry.config()
    assert not any(tmp_path.iterdir())  # nothing written to the cache


@pytest.mark.parametrize("name", WITH_KNOB)
def test_length_sets_the_knob(name):
    """Reference: the config with only the knob changed, via dataclasses.replace on the defaults."""
    entry = task_entry(name)
    task = make_task(name, length=LENGTH)
    assert task.config == dataclasses.replace(entry.config_type(), **{entry.knob: LENGTH})
    assert str(LENGTH) in task.name


@pytest.mark.parametrize("name", NAMES)
def test_the_knob_is_the_field_documented_as_the_difficulty_knob(name):
    """Reference: the config's source, where the knob's field carries the comment "the difficulty knob"
    (and no other field does); a task without a knob has no such field."""
    entry = task_entry(name)
    source = inspect.getsource(entry.config_type)
    documented = [line.split(":")[0].strip() for line in source.splitlines()
                  if "# the difficulty knob" in line]
    assert documented == ([] if entry.knob is None else [entry.knob])


@pytest.mark.parametrize("name", [name for name in NAMES if TASKS[name].knob is None])
def test_a_task_without_a_knob_refuses_a_length(name):
    with pytest.raises(ValueError, match=f"task '{name}' has no length to set"):
        make_task(name, length=LENGTH)


def test_a_pinned_field_cannot_be_changed():
    """Reference: the entries' `fixed`: `fashion` is the pixel task on Fashion-MNIST and stays so."""
    assert make_task("fashion").config.dataset == "fashion"
    assert make_task("fashion", dataset="fashion").config.dataset == "fashion"
    with pytest.raises(ValueError, match="task 'fashion' always has dataset='fashion'"):
        make_task("fashion", dataset="mnist5k")


def test_copy_length_sets_the_delay():
    """Reference: CopyMemoryConfig's docstring: the delay T is the knob (Arjovsky et al. vary T); the
    number of symbols to remember stays 10."""
    task = make_task("copy", length=7)
    assert task.config.delay == 7 and task.config.length == 10


def test_options_set_fields_and_a_saved_config_rebuilds():
    """Reference: the config class called with the same fields. `copy` has a field named `length` (symbols
    to remember) besides its knob, and config(**fields) must not mistake it for the knob."""
    entry = task_entry("copy")
    fields = {"length": 3, "delay": 4, "vocab_size": 5, "test_size": 12, "solved_accuracy": 0.9}
    assert entry.config(**fields) == entry.config_type(**fields)
    assert entry.config(9, length=3) == entry.config_type(length=3, delay=9)
    assert make_task("adding", test_size=5).config.test_size == 5


def test_unknown_task_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown task 'copying'; choose one of ") as caught:
        task_entry("copying")
    assert str(caught.value).endswith(", ".join(NAMES))
    with pytest.raises(ValueError, match="unknown task"):
        make_task("")


def test_unknown_option_lists_the_valid_ones():
    with pytest.raises(ValueError, match="task 'adding' has no option lenght, size; its options are length, "
                                         "solved_mse, test_size"):
        make_task("adding", lenght=5, size=3)


def test_invalid_values_are_the_configs_errors():
    with pytest.raises(ValueError, match="at least 2"):
        make_task("adding", length=1)


@pytest.mark.parametrize("name", NAMES)
def test_suggestions_name_real_settings(name):
    """Reference: the fields of TrainConfig and ModelConfig, the only places suggestions go; and the metric
    is one the task reports."""
    entry = task_entry(name)
    assert set(entry.suggested_training.given()) <= {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(entry.suggested_model.given()) <= {f.name for f in dataclasses.fields(ModelConfig)}
    assert isinstance(entry.lower_is_better, bool)
