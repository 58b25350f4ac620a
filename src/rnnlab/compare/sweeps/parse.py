"""Reading a sweep from TOML (the format: sweeps/config.py): every error is one line naming the file and the key.

    config = load_sweep(Path("sweeps/adding.toml"))
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rnnlab.compare.sweeps.checks import as_list, as_table, is_int
from rnnlab.compare.sweeps.config import TUNE_SEED, SweepConfig


def load_sweep(path: Path) -> SweepConfig:
    """Read a sweep from TOML; every error is one line naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise ValueError(f"{path}: cannot read it: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: bad TOML: {error}") from None
    try:
        return parse_sweep(data, default_name=path.stem)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def parse_sweep(data: Mapping[str, Any], default_name: str | None = None) -> SweepConfig:
    """A SweepConfig from TOML-shaped data (lists, tables); errors start with the key."""
    keys = [f.name for f in dataclasses.fields(SweepConfig)]
    for key in data:
        if key not in keys:
            raise ValueError(f"{key}: unknown key; the keys are {', '.join(keys)}")
    for key in ("models", "tasks"):
        if key not in data:
            raise ValueError(f"{key}: missing; name at least one")
    name = data.get("name", default_name)
    if not isinstance(name, str):
        raise ValueError(f"name: expected text, got {name!r}")
    lengths = data.get("lengths", [])
    if isinstance(lengths, Mapping):
        lengths = {task: as_list(f"lengths.{task}", value, int) for task, value in lengths.items()}
    else:
        lengths = as_list("lengths", lengths, int)
    seeds = data.get("seeds", 1)
    tables = {key: as_table(key, data.get(key, {})) for key in ("train", "model", "grid", "task_options", "tune",
                                                              "tuned")}
    return SweepConfig(
        name=name, models=as_list("models", data["models"], str), tasks=as_list("tasks", data["tasks"], str),
        lengths=lengths, seeds=seeds if is_int(seeds) else as_list("seeds", seeds, int),
        budget=data.get("budget"), max_steps=data.get("max_steps"), max_seconds=data.get("max_seconds"),
        train=tables["train"], model=tables["model"],
        grid={key: as_list(f"grid.{key}", values, object) for key, values in tables["grid"].items()},
        task_options={task: as_table(f"task_options.{task}", options)
                      for task, options in tables["task_options"].items()},
        tune={key: as_list(f"tune.{key}", values, object) for key, values in tables["tune"].items()},
        tune_seed=data.get("tune_seed", TUNE_SEED), tune_steps=data.get("tune_steps"),
        tuned={key: as_table(f"tuned.{key}", settings) for key, settings in tables["tuned"].items()},
        stop_at_break=data.get("stop_at_break", False),
    )
