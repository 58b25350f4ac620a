"""Optimisers and learning-rate schedules, chosen by name in `TrainConfig`.

Schedule: linear warm-up from 0 over `warmup_steps` (Goyal et al. 2017), then `decay`:
``constant``, ``linear`` to 0 at the last step, or ``cosine`` to 0 (Loshchilov & Hutter 2017).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import torch
from torch import nn

OptimizerName = Literal["adam", "adamw", "rmsprop", "sgd"]
DecayName = Literal["constant", "linear", "cosine"]
OPTIMIZERS: tuple[OptimizerName, ...] = ("adam", "adamw", "rmsprop", "sgd")
DECAYS: tuple[DecayName, ...] = ("constant", "linear", "cosine")


def make_optimizer(name: OptimizerName, parameters: Iterable[nn.Parameter], lr: float, weight_decay: float,
                   momentum: float) -> torch.optim.Optimizer:
    params = list(parameters)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=weight_decay, momentum=momentum)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, momentum=momentum)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def lr_factor(step: int, total_steps: int, warmup_steps: int, decay: DecayName) -> float:
    """Multiplier of the base learning rate at `step` (1-based)."""
    if warmup_steps > 0 and step <= warmup_steps:
        return step / warmup_steps
    if decay == "constant":
        return 1.0
    span = max(total_steps - warmup_steps, 1)
    progress = min(max(step - warmup_steps, 0) / span, 1.0)
    if decay == "linear":
        return 1.0 - progress
    if decay == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * progress))
    raise ValueError(f"unknown decay {decay!r}; choose one of {', '.join(DECAYS)}")


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
