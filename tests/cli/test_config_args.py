"""Flags derived from typed configs: one per field, typed, with the field's default, and back to the config."""

import argparse
import dataclasses
from dataclasses import dataclass
from typing import Literal, Optional

import pytest

from rnnlab.cli.config_args import add_config_arguments


@dataclass(frozen=True)
class Inner:
    depth: int = 1


@dataclass(frozen=True)
class Example:
    """One field of every kind the flags support, plus a nested config that gets no flag."""

    hidden_size: int = 16
    learning_rate: float = 0.5
    label: str = "plain"
    fast: bool = False
    shuffle: bool = True
    mode: Literal["a", "b", "c"] = "b"
    max_steps: Optional[int] = None  # noqa: UP045 - the Optional spelling is supported too
    budget: float | None = 2.5
    inner: Inner = dataclasses.field(default_factory=Inner)


def config_from_arguments(cls, args: argparse.Namespace, *, prefix: str = "", **fixed):
    """The inverse of add_config_arguments, the reference these tests read the flags back with: `cls` from
    the parsed flags (dest = prefix + field name), plus `fixed` values."""
    values = dict(fixed)
    for field in dataclasses.fields(cls):
        dest = (prefix + field.name).replace("-", "_")
        if field.name not in values and hasattr(args, dest):
            values[field.name] = getattr(args, dest)
    return cls(**values)


def parser_for(cls: type = Example, **options) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test")
    add_config_arguments(parser, cls, **options)
    return parser


def test_defaults_flow_through_and_rebuild_the_config():
    """Reference: the dataclass's own defaults (Example()): no flags given rebuilds it exactly."""
    args = parser_for().parse_args([])
    assert vars(args) == {"hidden_size": 16, "learning_rate": 0.5, "label": "plain", "fast": False, "shuffle": True,
                          "mode": "b", "max_steps": None, "budget": 2.5}
    assert config_from_arguments(Example, args) == Example()


def test_every_kind_of_flag():
    """Reference: the values written on the command line, typed as the fields are."""
    args = parser_for().parse_args([
        "--hidden-size", "64", "--learning-rate", "1e-3", "--label", "x y", "--fast", "--no-shuffle",
        "--mode", "c", "--max-steps", "300", "--budget", "none",
    ])
    config = config_from_arguments(Example, args)
    assert config == Example(hidden_size=64, learning_rate=1e-3, label="x y", fast=True, shuffle=False, mode="c",
                             max_steps=300, budget=None)
    assert type(config.hidden_size) is int and type(config.learning_rate) is float


@pytest.mark.parametrize("text", ["none", "None", "NONE"])
def test_optional_accepts_none(text):
    parser = parser_for()
    assert parser.parse_args(["--max-steps", "7"]).max_steps == 7
    assert parser.parse_args(["--max-steps", text]).max_steps is None
    assert parser.parse_args(["--budget", text]).budget is None


@pytest.mark.parametrize("argv", [["--mode", "d"], ["--hidden-size", "1.5"], ["--max-steps", "many"],
                                  ["--learning-rate", "fast"], ["--inner", "3"], ["--fast", "yes"]])
def test_bad_values_are_refused(argv, capsys):
    """Reference: argparse's own checks, exit code 2: choices for Literal fields, the field's type, and no
    flag for a nested config or a value after a boolean switch."""
    with pytest.raises(SystemExit) as caught:
        parser_for().parse_args(argv)
    assert caught.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_literal_fields_list_their_choices():
    help_text = parser_for().format_help()
    assert "{a,b,c}" in help_text
    assert "--shuffle, --no-shuffle" in help_text
    assert "--inner" not in help_text


def test_prefix_skip_help_and_defaults():
    """A prefix names flags and destinations (--init-depth -> init_depth); `skip` leaves fields out;
    `defaults` override the dataclass's (None: "not given"); `help_for` texts appear in the help."""
    parser = parser_for(prefix="opt_", skip=("label", "fast"), help_for={"mode": "which mode to run"},
                        defaults={"hidden_size": None, "mode": "a"})
    args = parser.parse_args(["--opt-learning-rate", "2"])
    assert args.opt_hidden_size is None and args.opt_mode == "a" and args.opt_learning_rate == 2.0
    assert not hasattr(args, "opt_label") and not hasattr(args, "opt_fast")
    assert "which mode to run" in parser.format_help()
    config = config_from_arguments(Example, args, prefix="opt_", hidden_size=3, label="fixed")
    assert config == Example(hidden_size=3, learning_rate=2.0, label="fixed", mode="a")


@dataclass(frozen=True)
class Required:
    name: str
    size: int = 4


def test_a_field_without_default_gets_none_and_fixed_supplies_it():
    args = parser_for(Required).parse_args(["--size", "9"])
    assert args.name is None
    assert config_from_arguments(Required, args, name="given") == Required("given", 9)


def test_flags_of_a_real_config():
    """Reference: TrainConfig's fields; every one becomes a flag with its default (the CLI's contract that
    every config field is reachable)."""
    from rnnlab.train.loop import TrainConfig

    parser = parser_for(TrainConfig)
    args = parser.parse_args([])
    assert config_from_arguments(TrainConfig, args) == TrainConfig()
    flags = {f"--{f.name.replace('_', '-')}" for f in dataclasses.fields(TrainConfig)}
    assert flags <= set(parser._option_string_actions)
    changed = parser.parse_args(["--optimizer", "sgd", "--decay", "cosine", "--max-seconds", "30",
                                 "--no-stop-when-solved"])
    assert config_from_arguments(TrainConfig, changed) == TrainConfig(optimizer="sgd", decay="cosine",
                                                                      max_seconds=30.0, stop_when_solved=False)
