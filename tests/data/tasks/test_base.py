"""The task contract of data/tasks/base.py, checked against every registered task."""

import dataclasses
import inspect

import pytest

from rnnlab.data.tasks.base import (
    ArtifactTask,
    BaselineTask,
    ClassifyingTask,
    PreparedTask,
    RestorableTask,
    SelfEvaluatingTask,
    SplitConfig,
    StatefulTask,
    StreamTask,
    Task,
    ThresholdTask,
    on_split,
)
from rnnlab.data.tasks.registry import TASKS

STREAMS = {"shakespeare-char", "text-file", "chorales-roll", "chorales-melody"}
PAIRS = {"de-en", "tsv", "chatterbot", "shakespeare-dialogue"}
FORECASTS = {"energy", "stocks", "weather", "csv-series"}
LABELLED = {"sentiment", "text-csv", "spoken-digits", "japanese-vowels", "digits8x8", "wav-folder"}
SYNTHETIC = {"adding", "copy", "temporal-order", "selective-copy"}
# Which registered task has which optional ability: the members each task class defines (language_model.py,
# chorales.py, translation.py, forecast.py, labelled.py, sentiment.py, pixel_mnist.py and the synthetic tasks).
ABILITIES = {
    StreamTask: STREAMS,
    StatefulTask: STREAMS,
    SelfEvaluatingTask: STREAMS | PAIRS | FORECASTS | LABELLED,
    PreparedTask: PAIRS | FORECASTS | LABELLED | {"arrays", "shakespeare-char", "text-file"},
    ArtifactTask: {"shakespeare-char", "text-file", "sentiment", "text-csv", "spoken-digits", "wav-folder"},
    RestorableTask: {"sentiment", "text-csv", "spoken-digits", "wav-folder"},
    ThresholdTask: SYNTHETIC | LABELLED | {"mnist5k", "fashion"},
    BaselineTask: STREAMS | PAIRS | FORECASTS | LABELLED,
    ClassifyingTask: LABELLED | {"arrays"},
}
WITHOUT_SPLIT = SYNTHETIC | {"mnist5k", "fashion"}  # generated data, or MNIST's fixed test split
TASK_MEMBERS = sorted(name for name in vars(Task) if not name.startswith("_"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every registered task at its defaults, built with an empty cache: building loads no data."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RNNLAB_CACHE", str(tmp_path_factory.mktemp("empty-cache")))
        yield {name: entry.build(entry.config()) for name, entry in TASKS.items()}


def test_the_table_names_registered_tasks():
    assert set().union(*ABILITIES.values(), WITHOUT_SPLIT) <= set(TASKS)
    assert TASK_MEMBERS == ["baseline", "io", "loss", "metrics", "name", "sample", "solved", "test_set"]


@pytest.mark.parametrize("name", TASKS)
def test_every_task_has_every_member_of_the_task_protocol(built, name):
    """Reference: the members of base.Task, looked up without running them (a property may load data)."""
    task = built[name]
    missing = [member for member in TASK_MEMBERS if not _has(task, member)]
    assert not missing, f"{name} lacks {missing}"
    assert dataclasses.is_dataclass(TASKS[name].config_type)  # base.TaskConfig


@pytest.mark.parametrize("ability", ABILITIES, ids=lambda ability: ability.__name__)
def test_each_optional_ability_is_detected_exactly_for_the_tasks_that_have_it(built, ability):
    """Reference: ABILITIES above; isinstance against the runtime-checkable protocol, as the trainer asks."""
    assert {name for name, task in built.items() if isinstance(task, ability)} == ABILITIES[ability]


def test_stateful_tasks_carry_state_and_thresholds_are_numbers(built):
    assert all(built[name].carries_state is True for name in ABILITIES[StatefulTask])
    thresholds = {name: built[name].solved_threshold for name in ABILITIES[ThresholdTask]}
    # adding.py, copy_memory.py, temporal_order.py: the papers' criteria; pixel_mnist.py's SOLVED_ACCURACY
    assert (thresholds["adding"], thresholds["copy"], thresholds["temporal-order"]) == (0.01, 0.99, 0.01)
    assert (thresholds["mnist5k"], thresholds["fashion"]) == (0.9, 0.85)
    assert all(type(value) is float for value in thresholds.values())


def test_real_data_configs_have_a_split_and_on_split_changes_only_it():
    """Reference: dataclasses.replace; the configs of generated tasks have no split."""
    for name, entry in TASKS.items():
        config = entry.config()
        assert isinstance(config, SplitConfig) == (name not in WITHOUT_SPLIT), name
        if isinstance(config, SplitConfig):
            assert config.split == "validation"
            assert on_split(config, "test") == dataclasses.replace(config, split="test")


def _has(task: Task, member: str) -> bool:
    try:
        inspect.getattr_static(task, member)
    except AttributeError:
        return False
    return True
