"""A task option given on the command line (`--set max_vocab=lots`) checked against its config field's type, so
that a wrong kind of value is one line naming the option, not an error from deep inside the config.

    check_options(TextCSVConfig, {"max_vocab": "lots"})
    ValueError: --set max_vocab=lots: max_vocab takes a whole number
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any


def _fits(value: Any, hint: Any) -> bool:
    if hint is Any or hint is object:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is typing.Literal:
        return value in typing.get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:  # `--set label_column=1` reads as a number; the configs make such values text
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    return True  # a structured field (a tuple, a nested config): its own config checks it


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(o) for o in typing.get_args(hint))
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(str(v) for v in typing.get_args(hint))
    names = {bool: "True or False", int: "a whole number", float: "a number", str: "text", type(None): "None"}
    return names.get(hint, str(hint))


def check_options(config_type: type, options: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first option whose value does not fit its field's type (names that are not
    fields are left to the config, which lists the fields there are)."""
    hints = typing.get_type_hints(config_type)
    for name, value in options.items():
        if name in hints and not _fits(value, hints[name]):
            raise ValueError(f"--set {name}={value}: {name} takes {_describe(hints[name])}")
