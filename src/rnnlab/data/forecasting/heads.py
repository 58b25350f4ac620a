"""Forecast heads: what a model's K outputs per forecast step mean, their loss, and their intervals.

A model emits O = S · K numbers per window (S forecast steps, K per step), read as (B, S, K):

    point     K = 1   ŷ                          loss MSE: mean (y − ŷ)²;            no interval
    gaussian  K = 2   μ, log σ²                  loss Gaussian NLL: mean ½ (log σ² + (y − μ)² / σ²)
                                                 interval μ ± z σ, z = Φ⁻¹((1 + level) / 2)  (1.2816 at 80 %)
    quantile  K = 3   q_lo, q_0.5, q_hi           loss pinball: mean over τ of ρ_τ(y − q_τ),
                      τ = (1 − level)/2, 0.5,      ρ_τ(u) = max(τ u, (τ − 1) u)   (Koenker & Bassett 1978)
                          (1 + level)/2          interval [q_lo, q_hi]; point forecast q_0.5

The point forecast (ŷ, μ or the median) is what MAE, RMSE, MASE and sMAPE score and what an
autoregressive roll-out feeds back. Quantiles that cross are sorted before use. log σ² is clamped to
[-12, 12] so that an untrained head cannot overflow the NLL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal, Protocol

import torch
from torch import Tensor

HeadName = Literal["point", "gaussian", "quantile"]
HEADS: tuple[HeadName, ...] = ("point", "gaussian", "quantile")
LOG_VAR_LIMIT = 12.0


@dataclass(frozen=True)
class Forecast:
    """Point forecasts and (optionally) interval bounds, each (B, S)."""

    mean: Tensor
    lower: Tensor | None = None
    upper: Tensor | None = None

    def map(self, function: Callable[[Tensor], Tensor]) -> Forecast:
        """The same forecast through a monotone increasing map (shift, scale, exp): bounds stay bounds."""
        return Forecast(function(self.mean), None if self.lower is None else function(self.lower),
                        None if self.upper is None else function(self.upper))

    def steps(self, count: int) -> Forecast:
        """The first `count` forecast steps."""
        return self.map(lambda t: t[:, :count])

    def row(self, index: int) -> Forecast:
        """Window `index`'s forecast alone (1, S)."""
        return self.map(lambda t: t[index:index + 1])

    @staticmethod
    def cat(parts: list[Forecast], dim: int = 1) -> Forecast:
        """Forecasts joined along the steps (dim 1: consecutive chunks) or the windows (dim 0)."""
        def join(bounds: list[Tensor | None]) -> Tensor | None:
            return None if any(b is None for b in bounds) else torch.cat(bounds, dim=dim)  # type: ignore[arg-type]

        return Forecast(torch.cat([p.mean for p in parts], dim=dim), join([p.lower for p in parts]),
                        join([p.upper for p in parts]))


class Head(Protocol):
    name: HeadName
    outputs_per_step: int  # K

    def loss(self, outputs: Tensor, targets: Tensor) -> Tensor: ...

    def forecast(self, outputs: Tensor) -> Forecast: ...


def per_step(outputs: Tensor, k: int) -> Tensor:
    """(B, S·K) -> (B, S, K)."""
    return outputs.reshape(outputs.shape[0], -1, k)


class PointHead:
    name: HeadName = "point"
    outputs_per_step = 1

    def loss(self, outputs: Tensor, targets: Tensor) -> Tensor:
        return ((targets - outputs) ** 2).mean()

    def forecast(self, outputs: Tensor) -> Forecast:
        return Forecast(outputs)


class GaussianHead:
    name: HeadName = "gaussian"
    outputs_per_step = 2

    def __init__(self, level: float) -> None:
        self.z = NormalDist().inv_cdf((1 + level) / 2)  # no tensor here: tasks may be built on the meta device

    def loss(self, outputs: Tensor, targets: Tensor) -> Tensor:
        mu, log_var = per_step(outputs, 2).unbind(-1)  # each (B, S)
        log_var = log_var.clamp(-LOG_VAR_LIMIT, LOG_VAR_LIMIT)
        return (0.5 * (log_var + (targets - mu) ** 2 / log_var.exp())).mean()

    def forecast(self, outputs: Tensor) -> Forecast:
        mu, log_var = per_step(outputs, 2).unbind(-1)  # each (B, S)
        sigma = (0.5 * log_var.clamp(-LOG_VAR_LIMIT, LOG_VAR_LIMIT)).exp()
        return Forecast(mu, mu - self.z * sigma, mu + self.z * sigma)


class QuantileHead:
    name: HeadName = "quantile"
    outputs_per_step = 3

    def __init__(self, level: float) -> None:
        self.taus = ((1 - level) / 2, 0.5, (1 + level) / 2)

    def loss(self, outputs: Tensor, targets: Tensor) -> Tensor:
        q = per_step(outputs, 3)  # (B, S, 3)
        u = targets.unsqueeze(-1) - q  # (B, S, 3)
        taus = torch.tensor(self.taus, dtype=q.dtype, device=q.device)  # (3,)
        return torch.maximum(taus * u, (taus - 1) * u).mean()

    def forecast(self, outputs: Tensor) -> Forecast:
        lower, median, upper = per_step(outputs, 3).sort(dim=-1).values.unbind(-1)  # each (B, S)
        return Forecast(median, lower, upper)


def make_head(name: str, level: float) -> Head:
    """The head `name` with a central interval of nominal coverage `level` (e.g. 0.8)."""
    if not 0 < level < 1:
        raise ValueError(f"interval must lie in (0, 1), got {level}")
    if name == "point":
        return PointHead()
    if name == "gaussian":
        return GaussianHead(level)
    if name == "quantile":
        return QuantileHead(level)
    raise ValueError(f"unknown head {name!r}; choose one of {', '.join(HEADS)}")
