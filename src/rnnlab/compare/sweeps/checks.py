"""The value checks behind a sweep's one-line errors (sweeps/config.py, sweeps/parse.py): each raises ValueError
starting with the key it checks."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_list(key: str, value: Any, kind: type) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key}: expected a list, got {value!r}")
    for item in value:
        check_type(key, item, kind)
    return tuple(value)


def as_table(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{key}: expected a table, got {value!r}")
    return dict(value)


def check_type(key: str, value: Any, hint: Any) -> None:
    """Raise unless `value` fits the annotation `hint` (int, float, bool, str, Literal, or a union of them)."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    for option in options:
        if (option is object or (option is type(None) and value is None)
                or (typing.get_origin(option) is typing.Literal and value in typing.get_args(option))
                or (option is bool and isinstance(value, bool)) or (option is int and is_int(value))
                or (option is float and isinstance(value, int | float) and not isinstance(value, bool))
                or (option is str and isinstance(value, str))):
            return
    raise ValueError(f"{key}: expected {' or '.join(describe(o) for o in options if o is not type(None))}, "
                     f"got {value!r}")


def describe(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(hint))
    return {bool: "true or false", int: "an integer", float: "a number", str: "text"}.get(hint, str(hint))


def check_names(key: str, names: Any, known: Mapping[str, Any], what: str) -> None:
    if not isinstance(names, tuple):
        raise ValueError(f"{key}: expected a tuple of names, got {names!r}")
    if not names:
        raise ValueError(f"{key}: name at least one {what}")
    for name in names:
        if name not in known:
            raise ValueError(f"{key}: unknown {what} {name!r}; choose one of {', '.join(known)}")
    no_repeats(key, names)


def check_lengths(key: str, lengths: Any) -> None:
    if not isinstance(lengths, tuple) or any(not is_int(n) or n <= 0 for n in lengths):
        raise ValueError(f"{key}: expected positive integers, got {lengths!r}")
    no_repeats(key, lengths)


def no_repeats(key: str, values: tuple[Any, ...]) -> None:
    repeated = next((v for i, v in enumerate(values) if v in values[:i]), None)
    if repeated is not None:
        raise ValueError(f"{key}: {repeated!r} is given twice")
