r"""The recurrent Jacobian J_t = ∂s_t/∂s_{t−1} along one example's trajectory: its singular values at each
step and the growth rate of their product.

Backpropagation through time multiplies the gradient by J_tᵀ once per step (Pascanu et al. 2013, eq. 5),
so σ_max(J_t) bounds what one step can do to it, and over a window of w steps

    λ = log σ_max(J_T ⋯ J_{T−w+1}) / w

is the average log growth per step: a finite-window estimate of the top Lyapunov exponent of the
linearised dynamics (Vogt et al. 2022). λ < 0: gradients vanish at rate e^λ per step; λ > 0: they explode.

The state s is h for the Elman RNN and the GRU, and (h, c) for the LSTM. The LSTM's gradient along the
cell path c → c' = f ⊙ c + i ⊙ g never passes through the h → h block, so the Jacobian that governs its
gradient flow is the full one on s = [h; c] (2H × 2H):

    J = [[∂h'/∂h, ∂h'/∂c],
         [∂c'/∂h, ∂c'/∂c]]          ∂c'/∂c = diag(f) when the gates do not peek at c

`singular_values`, `largest` and `growth_rate` are the full-state ones; `largest_hidden` is the h → h
block alone, the number an Elman-style analysis of the LSTM would report.

    spectrum = jacobian_spectrum(model, batch, example=0, steps=200)
    spectrum.largest[t]        # σ_max(J_t) along the trajectory
    spectrum.growth_rate       # λ over the last `window` steps
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor

from rnnlab.data.tasks.base import Batch
from rnnlab.diagnostics.gradients import (
    check_sequences,
    evaluating,
    model_device,
    model_label,
    recurrent_core,
)
from rnnlab.models.cells import RecurrentCell
from rnnlab.models.recurrent import LayerState, StepView
from rnnlab.models.sequence import SequenceModel

CHUNK = 128  # steps whose Jacobians are held at once: T · S² numbers would not fit for long sequences


@dataclass(frozen=True)
class JacobianSpectrum:
    """Singular values of J_t = ∂s_t/∂s_{t−1} along one example, t = 0 .. steps−1, for the top layer's
    forward cell (for a stack, the Jacobian of that cell's own recurrence; its input from below is held)."""

    label: str  # the model, as plots and tables name it
    cell: str  # "rnn", "lstm" or "gru"
    state: str  # what J maps: "h" (S = H) or "h,c" for the LSTM (S = 2H, h first)
    example: int  # which sequence of the batch the trajectory follows
    steps: int  # how many steps were analysed, from the start of the sequence
    singular_values: tuple[tuple[float, ...], ...]  # [t]: σ_1 ≥ ... ≥ σ_S of the full-state J_t
    largest: tuple[float, ...]  # [t]: σ_max(J_t), full state
    largest_hidden: tuple[float, ...]  # [t]: σ_max(∂h_t/∂h_{t−1}), the h → h block; = largest for rnn, gru
    window: int  # w: the product runs over the last w analysed steps
    growth_rate: float  # λ = log σ_max(J_{steps−1} ⋯ J_{steps−w}) / w; −inf if the product is exactly 0

    @property
    def growth_factor(self) -> float:
        """e^λ: the average factor per step by which the product grows a vector (at most)."""
        return math.exp(self.growth_rate)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def jacobian_spectrum(model: SequenceModel, batch: Batch, *, example: int = 0, steps: int | None = None,
                      window: int | None = None, label: str | None = None) -> JacobianSpectrum:
    """Follow sequence `example` of `batch` for its first `steps` steps (default: all) and take J_t at each.

    The model runs in eval mode (restored afterwards). Each J_t is `torch.func.jacrev` of the cell's own
    `step(x_proj_t, state)` at the state the trajectory reached, so it is exact, not a finite difference.
    `window` (default: all analysed steps) sets the product's length for `growth_rate`.
    """
    layer = recurrent_core(model, "the recurrent Jacobian ∂h_t/∂h_{t−1}")
    T = check_sequences(batch)
    B = batch.sequence.shape[0]
    if not 0 <= example < B:
        raise ValueError(f"example must index the batch of {B} sequences, got {example}")
    steps = T if steps is None else steps
    if not 1 <= steps <= T:
        raise ValueError(f"steps must be between 1 and the sequence length {T}, got {steps}")
    window = steps if window is None else window
    if not 1 <= window <= steps:
        raise ValueError(f"window must be between 1 and steps ({steps}), got {window}")

    cell, x_proj, before = trajectory(model, batch.sequence[example:example + 1, :steps])
    H = cell.hidden_size
    singular_values, largest_hidden = [], []
    product = torch.eye(len(before) * H, dtype=torch.float64, device=x_proj.device)  # (S, S), kept at norm 1
    log_scale = 0.0  # log of the scale divided out of `product`: J_{t}⋯J_{steps−w} = e^log_scale · product
    for start in range(0, steps, CHUNK):
        jacobians = step_jacobians(cell, x_proj[start:start + CHUNK],
                                   type(before)(*(part[start:start + CHUNK] for part in before))).double()
        singular_values.append(torch.linalg.svdvals(jacobians))  # (chunk, S)
        largest_hidden.append(torch.linalg.matrix_norm(jacobians[:, :H, :H], ord=2))  # (chunk,)
        product, log_scale = multiply_rescaled(product, log_scale, jacobians[max(0, steps - window - start):])
    top = float(torch.linalg.svdvals(product)[0])  # product has norm 1 (or is 0, with log_scale = −inf)
    growth_rate = (log_scale + math.log(top)) / window if log_scale > -math.inf else -math.inf
    sigmas = torch.cat(singular_values)  # (steps, S)
    return JacobianSpectrum(
        label=label or model_label(model), cell=layer.config.cell, state=",".join(before._fields),
        example=example, steps=steps, singular_values=tuple(tuple(row) for row in sigmas.tolist()),
        largest=tuple(sigmas[:, 0].tolist()), largest_hidden=tuple(torch.cat(largest_hidden).tolist()),
        window=window, growth_rate=growth_rate,
    )


def multiply_rescaled(product: Tensor, log_scale: float, jacobians: Tensor) -> tuple[Tensor, float]:
    """Left-multiply `product` by each of `jacobians` (K, S, S) in turn, dividing by the Frobenius norm after
    each so that a long product neither under- nor overflows; the logs of those norms add up in `log_scale`
    (−inf, and the product left as it is, once the product is exactly zero)."""
    for jacobian in jacobians:
        if log_scale == -math.inf:
            break
        product = jacobian @ product
        scale = float(torch.linalg.matrix_norm(product))
        if scale == 0:
            return product, -math.inf
        product, log_scale = product / scale, log_scale + math.log(scale)
    return product, log_scale


@torch.no_grad()
def trajectory(model: SequenceModel, inputs: Tensor) -> tuple[RecurrentCell, Tensor, LayerState]:
    """Run one sequence, inputs (1, T) or (1, T, D), and read the top layer's forward cell at each step.

    Returns the cell, its projected inputs x_proj (T, G·H) and the state before each step (fields (T, H)).
    """
    layer = recurrent_core(model, "a trajectory")
    c = layer.config
    top_forward = (c.num_layers - 1) * c.directions
    views: list[StepView] = []

    def keep_top(view: StepView) -> None:
        if view.cell_index == top_forward:
            views.append(view)

    with evaluating(model), layer.observing(keep_top):
        model(inputs.to(model_device(model)))
    x_proj = torch.cat([view.x_proj for view in views])  # (T, G·H)
    before = layer.state_type(*(torch.cat(parts) for parts in zip(*(view.before for view in views))))
    return layer.cell_stack[top_forward], x_proj, before


@torch.no_grad()  # jacrev differentiates inside regardless; this keeps the parameters out of the graph
def step_jacobians(cell: RecurrentCell, x_proj: Tensor, before: LayerState) -> Tensor:
    """J_t = ∂s_t/∂s_{t−1} at each step: x_proj (T, G·H), `before` fields (T, H) -> (T, S, S).

    s is the cell's whole state, its fields concatenated in order: h (S = H), or [h; c] for the LSTM
    (S = 2H). Row i of J_t is ∂s_t[i]/∂s_{t−1}, so J_t maps a perturbation of the state before the step
    to the change after it.
    """
    state_type, H = type(before), cell.hidden_size

    def step(x_t: Tensor, s: Tensor) -> Tensor:  # x_t (G·H,), s (S,) -> s' (S,)
        _, after = cell.step(x_t, state_type(*s.split(H)))
        return torch.cat(tuple(after))

    s_before = torch.cat(tuple(before), dim=-1).detach()  # (T, S)
    return torch.func.vmap(torch.func.jacrev(step, argnums=1))(x_proj.detach(), s_before)  # (T, S, S)
