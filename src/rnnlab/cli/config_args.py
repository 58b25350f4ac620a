"""Command-line flags derived from typed configs, so every config field is reachable without a list
of flags kept by hand: field `hidden_size` of ModelConfig becomes `--hidden-size`, Literal fields get
their choices, booleans get `--name / --no-name`, and the field's default is the flag's default. Where the
flag's default is None (a flag left out falls back to something else), `shown` says in words what it is.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from typing import Any


def _flag(prefix: str, name: str) -> str:
    return "--" + (prefix + name).replace("_", "-")


def _dest(prefix: str, name: str) -> str:
    return (prefix + name).replace("-", "_")


def _unwrap_optional(kind: Any) -> tuple[Any, bool]:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(options) == 1:
            return options[0], True
    return kind, False


def add_config_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup, cls: type, *,
                         prefix: str = "", skip: tuple[str, ...] = (), help_for: dict[str, str] | None = None,
                         defaults: dict[str, Any] | None = None, shown: dict[str, str] | None = None) -> None:
    """Add one flag per field of the frozen dataclass `cls` (nested dataclasses are skipped); the help says
    `(default: shown[name])`, else the flag's default."""
    hints = typing.get_type_hints(cls)
    example = cls() if all(f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
                           for f in dataclasses.fields(cls)) else None
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        kind, optional = _unwrap_optional(hints[field.name])
        if dataclasses.is_dataclass(kind):
            continue
        default = (defaults or {}).get(field.name, getattr(example, field.name, None))
        said = (shown or {}).get(field.name, default)
        text = f"{(help_for or {}).get(field.name, '')} (default: {said})".strip().replace("%", "%%")
        flag, dest = _flag(prefix, field.name), _dest(prefix, field.name)
        if kind is bool:  # BooleanOptionalAction says "(default: ...)" itself when the default is not None
            plain = (help_for or {}).get(field.name, "").replace("%", "%%")
            parser.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=default,
                                help=text if default is None else plain)
        elif typing.get_origin(kind) is typing.Literal:
            parser.add_argument(flag, dest=dest, choices=typing.get_args(kind), default=default, help=text)
        elif kind in (int, float, str):
            parse = kind if not optional else _optional(kind)
            parser.add_argument(flag, dest=dest, type=parse, default=default, help=text)


def _optional(kind: type) -> Any:
    def parse(text: str) -> Any:
        return None if text.lower() in ("none", "") else kind(text)

    parse.__name__ = kind.__name__
    return parse
