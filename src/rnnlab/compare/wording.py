"""How the recommendation and the claims say lengths, models and numbers in a sentence."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rnnlab.compare.results import length_name, model_name

Length = int | None


def longest(lengths: Sequence[Length]) -> Length:
    known = [length for length in lengths if length is not None]
    return max(known) if known else None


def num(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


def lengths_said(task: str, lengths: Sequence[Length]) -> str:
    """'T=25, T=50 and T=100', or '' for a task without a length."""
    names = [length_name(task, length) for length in lengths if length is not None]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def span(task: str, lengths: Sequence[Length]) -> str:
    """'T=25 to T=400', 'T=25', or '' for a task without a length."""
    known = sorted(length for length in lengths if length is not None)
    if len(known) <= 1:
        return lengths_said(task, known)
    return f"{length_name(task, known[0])} to {length_name(task, known[-1])}"


def the(model: str) -> str:
    """A model named in a sentence: 'the RNN'."""
    return f"the {model_name(model)}"


def at_lengths(task: str, lengths: Sequence[Length]) -> str:
    said = lengths_said(task, lengths)
    return f" at {said}" if said else ""


def names(models: Sequence[str]) -> str:
    names = [model_name(model) for model in models]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
