"""Model selection flags shared by the commands that compare models."""

from __future__ import annotations

from rnnlab.models.registry import MODELS


def parse_models(text: str) -> tuple[str, ...]:
    """'rnn, lstm,gru' -> ('rnn', 'lstm', 'gru'); a clear ValueError for unknown or missing names."""
    models = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in models if name not in MODELS]
    if unknown or not models:
        raise ValueError(f"unknown model {', '.join(unknown) or '(none given)'}; choose from {', '.join(MODELS)}")
    return models
