r"""Gradient flow over time: how ‖∂L/∂h_t‖ shrinks or grows with the distance from the loss.

Bengio, Simard & Frasconi (1994) and Pascanu, Mikolov & Bengio (2013, eq. 3-5) write the gradient that
reaches step t from a loss at step T as a product of Jacobians,

    ∂L/∂h_t = ∂L/∂h_T · ∏_{k=t+1}^{T} ∂h_k/∂h_{k−1}

so its norm moves by roughly a constant factor per step: below 1 it vanishes, above 1 it explodes. This
module measures that factor on a model and a batch.

    flow = gradient_flow(model, task.sample(32, generator))
    flow.hidden.norms[k]    # mean over the batch of ‖∂L/∂h_t‖ at lag k = T−1−t
    flow.hidden.factor      # the fitted per-step factor: < 1 vanishing, > 1 exploding
    flow.cell_state         # the LSTM's ‖∂L/∂c_t‖, the cell path (Hochreiter & Schmidhuber 1997); else None

The loss sits at the last step only, so that lag k means "k steps before the loss": for a per-sequence
model it is the model's output (which reads the last step), for a per-step model the output at step T
alone, `outputs[:, -1]`; the outputs at earlier steps never enter it. The default loss is the sum of
that last output over the batch and the output units: task-independent, and a sum rather than a mean,
so each example's gradient is its own. Examples do not interact, so the per-example norms are exact.

The helpers at the bottom (`evaluating`, `encoded_inputs`, `recurrent_core`, ...) are shared by the
other probes in this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, cast

import torch
from torch import Tensor, nn

from rnnlab.data.tasks.base import Batch
from rnnlab.models.cells import LSTMState
from rnnlab.models.recurrent import RecurrentLayer, StepView
from rnnlab.models.sequence import SequenceModel

VANISH_RATIO = 1e-6  # a gradient below this fraction of its value at lag 0 counts as vanished
LossFn = Callable[[Tensor], Tensor]  # the output at the last step, (B, O) -> a scalar


@dataclass(frozen=True)
class GradientNorms:
    """‖∂L/∂v_t‖ for one quantity v, ordered by lag k = T−1−t (k = 0 is the step the loss reads)."""

    quantity: str  # "h" hidden state, "c" LSTM cell, "x" encoded inputs (features or embeddings)
    norms: tuple[float, ...]  # norms[k]: mean over the batch of the L2 norm at step t = T−1−k
    log_factor: float | None  # least-squares slope of ln‖∂L/∂v_t‖ against lag; None: < 2 nonzero norms
    factor: float | None  # exp(log_factor), the per-step multiplier: < 1 vanishing, > 1 exploding
    vanish_lag: int | None  # first lag with norm < VANISH_RATIO · norms[0]; None if none within T

    @classmethod
    def from_norms(cls, quantity: str, norms: Sequence[float]) -> GradientNorms:
        slope = decay_rate(norms)
        return cls(quantity, tuple(norms), slope, None if slope is None else math.exp(slope),
                   vanish_lag(norms))


@dataclass(frozen=True)
class GradientFlow:
    """Where the gradient of a last-step loss goes, step by step back in time.

    For a stack of layers `hidden` and `cell_state` are the top layer's; for a bidirectional model, the
    top layer's forward direction (the backward direction reads the sequence the other way round).
    """

    label: str  # the model, as plots and tables name it
    cell: str  # "rnn", "lstm" or "gru"
    steps: int  # T, the sequence length
    batch_size: int  # B, the examples the norms are averaged over
    per_step: bool  # the loss reads outputs[:, -1] (True) or the per-sequence output (False)
    hidden: GradientNorms  # ‖∂L/∂h_t‖
    cell_state: GradientNorms | None  # ‖∂L/∂c_t‖, the LSTM's cell path; None for the RNN and GRU
    inputs: GradientNorms  # ‖∂L/∂x_t‖, x = the encoder's output (raw features, or embeddings)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # nested records become dicts, tuples stay tuples (JSON arrays)


def gradient_flow(model: SequenceModel, batch: Batch, loss_fn: LossFn | None = None, *,
                  label: str | None = None) -> GradientFlow:
    """‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖, ‖∂L/∂x_t‖) at every step for a loss at the last step, with the decay fit.

    `loss_fn(last_outputs)` maps the output at the last step, (B, O), to a scalar; default: its sum. To
    use a task's loss, close over the targets, e.g. `lambda y: F.mse_loss(y, batch.targets, reduction="sum")`.
    The model runs in eval mode (restored afterwards) through its readable loop, whatever its backend;
    gradients come from `torch.autograd.grad`, so no parameter's `.grad` changes.
    """
    layer = recurrent_core(model, "‖∂L/∂h_t‖")
    T = check_sequences(batch, minimum_steps=2)
    c = layer.config
    top_forward = (c.num_layers - 1) * c.directions  # cell_index of the top layer's forward direction
    views: list[StepView] = []

    def keep_top(view: StepView) -> None:
        if view.cell_index == top_forward:
            views.append(view)

    with evaluating(model), torch.enable_grad(), encoded_inputs(model) as encoded, layer.observing(keep_top):
        outputs, _ = model(batch.sequence.to(model_device(model)))
        last = outputs[:, -1] if model.io.per_step else outputs  # (B, O)
        loss = last.sum() if loss_fn is None else loss_fn(last)
        hidden = [view.after.h for view in views]  # T tensors (B, H)
        cells = [cast(LSTMState, view.after).c for view in views] if c.cell == "lstm" else []
        grads = torch.autograd.grad(loss, [encoded[0], *hidden, *cells], allow_unused=True,
                                    materialize_grads=True)
    x_grad, h_grads, c_grads = grads[0], grads[1:T + 1], grads[T + 1:]
    return GradientFlow(
        label=label or model_label(model), cell=c.cell, steps=T, batch_size=batch.sequence.shape[0],
        per_step=model.io.per_step,
        hidden=GradientNorms.from_norms("h", by_lag(torch.stack(h_grads, dim=1))),
        cell_state=GradientNorms.from_norms("c", by_lag(torch.stack(c_grads, dim=1))) if c_grads else None,
        inputs=GradientNorms.from_norms("x", by_lag(x_grad)),
    )


def by_lag(grads: Tensor) -> tuple[float, ...]:
    """Per-step gradients (B, T, F) -> the mean over the batch of their L2 norms, by lag (T,)."""
    norms = grads.detach().double().norm(dim=-1).mean(dim=0)  # (T,), index t
    return tuple(float(v) for v in norms.flip(0))


def decay_rate(norms: Sequence[float]) -> float | None:
    """The least-squares slope of ln‖g‖ against lag: the log of the per-step factor.

    Only positive, finite norms enter the fit (a norm that is exactly zero or overflowed has no log);
    None when fewer than two remain.
    """
    points = [(float(lag), math.log(n)) for lag, n in enumerate(norms) if n > 0 and math.isfinite(n)]
    if len(points) < 2:
        return None
    lags, logs = torch.tensor(points, dtype=torch.float64).unbind(1)
    lag_offsets = lags - lags.mean()
    return float((lag_offsets * (logs - logs.mean())).sum() / lag_offsets.pow(2).sum())


def vanish_lag(norms: Sequence[float], ratio: float = VANISH_RATIO) -> int | None:
    """The first lag at which the norm falls below `ratio` times its value at lag 0; None if it never does."""
    return next((lag for lag, n in enumerate(norms) if n < ratio * norms[0]), None)


# Shared by the probes of this package.


def recurrent_core(model: nn.Module, asked: str) -> RecurrentLayer:
    """The model's RecurrentLayer, or a ValueError that says what to use instead."""
    if not isinstance(model, SequenceModel):
        raise ValueError(f"{asked} needs a SequenceModel (encoder, core, head), got {type(model).__name__}")
    if not isinstance(model.core, RecurrentLayer):
        raise ValueError(f"{asked} needs a recurrent core, but {type(model.core).__name__} has no recurrent "
                         "state h_t; use input_sensitivity (∂y_T/∂x_t, rnnlab.diagnostics.memory) instead")
    return model.core


def check_sequences(batch: Batch, minimum_steps: int = 1) -> int:
    """The batch's sequence length T; a ValueError for variable lengths or too few steps."""
    T = batch.sequence.shape[1]
    if batch.lengths is not None and bool((batch.lengths != T).any()):
        raise ValueError("this probe puts the loss at the last step and needs sequences of equal length; "
                         "got a batch with `lengths` (pad-free batches only)")
    if T < minimum_steps:
        raise ValueError(f"this probe needs sequences of at least {minimum_steps} steps, got {T}")
    return T


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode for the duration (no dropout), then every submodule's own mode back."""
    modes = {module: module.training for module in model.modules()}
    model.eval()
    try:
        yield
    finally:
        for module, training in modes.items():
            module.training = training


@contextmanager
def encoded_inputs(model: SequenceModel) -> Iterator[list[Tensor]]:
    """Make the encoder's output x (B, T, E) a leaf that takes gradients, and collect it (one per call).

    ∂/∂x_t then reads the same on every core and backend, the Transformer and fused kernels included:
    x is the raw features where the encoder is the identity, the embeddings for tokens.
    """
    seen: list[Tensor] = []

    def make_leaf(module: nn.Module, args: Any, output: Tensor) -> Tensor:
        leaf = output.detach().requires_grad_()
        seen.append(leaf)
        return leaf

    handle = model.encoder.register_forward_hook(make_leaf)
    try:
        yield seen
    finally:
        handle.remove()


def model_device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def model_label(model: nn.Module) -> str:
    """A short name for plots: the core's cell and options ("lstm", "rnn-relu", "transformer")."""
    core = getattr(model, "core", None)
    if isinstance(core, RecurrentLayer):
        c = core.config
        options = [*c.lstm_options, *(["relu"] if c.nonlinearity == "relu" else [])]
        return "-".join([c.cell, *options])
    if core is not None:
        return type(core).__name__.removeprefix("Causal").lower()
    return type(model).__name__.lower()
