"""Sliding windows over prepared features, and forecasts rolled out one model call at a time.

A window at origin t (the last observed step), context length L, S forecast steps:

    context  steps t−L+1 .. t   inputs [z − o, past, known, calendar, 0]
    future   steps t+1 .. t+S   inputs [0,     0,    known, calendar, 1]    only when the layout has
                                                                            known-future inputs
    targets  z_{t+1} − o, ..., z_{t+S} − o         o = z_t when layout.relative, else 0

Worked example (L = 3, S = 2, target only, not relative), z = 10, 11, 12, 13, 14, 15:
origin t = 3 reads (11, 12, 13) and learns (14, 15); training origins run from L − 1 = 2 to the last
whose targets stay inside the training span.

Two multi-step strategies share `roll_out`:
    direct          one call forecasts all S steps (the model has S·K outputs);
    autoregressive  the model forecasts `chunk` steps (1), its point forecast is written into the
                    target column, past-only covariates are held at their last observed value, and the
                    window moves on, until S steps are covered.
Before the first call the future's target and past-covariate values are erased from the window, so a
forecast never reads what happens after its origin.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from rnnlab.data.forecasting.heads import Forecast
from rnnlab.data.forecasting.prepare import FRACTIONS, Layout, Spans, chronological_spans


def training_origins(spans: Spans, context: int, steps: int) -> Tensor:
    """Origins t whose context (t−L+1 ≥ 0) and targets (t+S ≤ end of train − 1) lie in the training span."""
    return torch.arange(context - 1, spans.train.stop - steps)


def evaluation_origins(span: range, context: int, horizon: int, stride: int) -> Tensor:
    """Rolling origins for a span: the first forecasts the span's first step, then every `stride` steps,
    as long as all `horizon` targets lie inside the span. The context may reach back into earlier spans."""
    return torch.arange(max(span.start - 1, context - 1), span.stop - horizon, stride)


def window_rows(features: Tensor, origins: Tensor, context: int, steps: int) -> Tensor:
    """features (N, F), origins (B,) -> rows t−L+1 .. t+S of each window (B, L+S, F)."""
    index = origins.unsqueeze(1) + torch.arange(-context + 1, steps + 1)  # (B, L+S)
    return features[index]


def window_inputs(rows: Tensor, context: int, layout: Layout) -> tuple[Tensor, Tensor]:
    """Window rows (B, L+S, F) -> model inputs (B, L[+S], D) and the offsets o (B,) (see the module docstring)."""
    observed = rows[:, :context].clone()  # (B, L, F)
    offset = observed[:, -1, 0].clone() if layout.relative else observed.new_zeros(len(rows))  # (B,)
    observed[:, :, 0] -= offset.unsqueeze(1)
    if not layout.has_future:
        return observed, offset
    future = rows[:, context:].clone()  # (B, S, F)
    future[:, :, :1 + len(layout.past)] = 0  # target and past-only covariates are unknown at the origin
    steps = torch.cat([observed, future], dim=1)  # (B, L+S, F)
    flag = torch.zeros(*steps.shape[:2], 1, dtype=steps.dtype)  # (B, L+S, 1)
    flag[:, context:] = 1
    return torch.cat([steps, flag], dim=2), offset  # (B, L+S, F+1)


def window_targets(rows: Tensor, context: int, offset: Tensor) -> Tensor:
    """Window rows (B, L+S, F) -> scaled targets relative to the offsets (B, S)."""
    return rows[:, context:, 0] - offset.unsqueeze(1)


def padded_steps(steps: int, chunk: int) -> int:
    """Future rows a roll-out of `steps` in calls of `chunk` reads: whole chunks."""
    return -(-steps // chunk) * chunk


def roll_out(predict: Callable[[Tensor], Forecast], rows: Tensor, context: int, steps: int, chunk: int,
             layout: Layout) -> Forecast:
    """Forecast `steps` steps after each window's origin, `chunk` per model call, in scaled units (B, steps).

    rows (B, L + padded_steps(steps, chunk), F): the windows' rows; the future part supplies only known
    covariates and calendar features. `predict(inputs (B, T, D))` gives each call's forecast relative to
    the window's offset (B, chunk).
    """
    if rows.shape[1] < context + padded_steps(steps, chunk):
        raise ValueError(f"a roll-out of {steps} steps in chunks of {chunk} needs {context} + "
                         f"{padded_steps(steps, chunk)} rows per window, got {rows.shape[1]}")
    observed = 1 + len(layout.past)  # target and past covariates: columns known only up to the origin
    buffer = rows.clone()
    buffer[:, context:, :observed] = 0  # erase the future: nothing after the origin is ever read
    held = rows[:, context - 1, 1:observed]  # (B, P): past covariates at the origin
    parts = []
    for start in range(0, steps, chunk):
        n = min(chunk, steps - start)
        inputs, offset = window_inputs(buffer[:, start:start + context + chunk], context, layout)
        shift = offset.unsqueeze(1)  # (B, 1)
        forecast = predict(inputs).map(shift.add).steps(n)  # (B, n), back from relative to scaled units
        fed = slice(context + start, context + start + n)
        buffer[:, fed, 0] = forecast.mean
        buffer[:, fed, 1:observed] = held.unsqueeze(1)
        parts.append(forecast)
    return Forecast.cat(parts)


def windows_fit(n: int, context: int, horizon: int, chunk: int, season: int) -> bool:
    """Whether n rows leave a training window, a forecast in each evaluation span, and MASE's scale."""
    spans = chronological_spans(n)
    return (spans.train.stop >= context + chunk and spans.train.stop > season
            and len(spans.validation) >= horizon and len(spans.test) >= horizon)


def rows_needed(context: int, horizon: int, chunk: int, season: int) -> int:
    """A row count from which every larger series fits too (⌊·⌋ in the span cuts costs at most a row each)."""
    train, validation, test = FRACTIONS
    return max(math.ceil((context + chunk + 1) / train), math.ceil((season + 2) / train),
               math.ceil((horizon + 1) / validation), math.ceil(horizon / test))


def check_rows(name: str, n: int, context: int, horizon: int, chunk: int, season: int) -> None:
    """One line naming the series and the rows it needs when its spans cannot hold the windows asked for."""
    if windows_fit(n, context, horizon, chunk, season):
        return
    need = rows_needed(context, horizon, chunk, season)
    raise ValueError(f"{name} has {n} rows, too few for context {context} and horizon {horizon} (season "
                     f"{season}): the 70/10/20 % train/validation/test spans need {need} rows; give more rows "
                     "or lower --set context=/horizon=")
