"""Autograd functions around the core: one layer in one direction, from the projected input on.

The input projection W x + b_ih stays outside (`run.project_input`: one matrix product over
all steps, with its own autograd), so these functions see x_proj (B, T, G·H) and return its gradient; the
core's backward pass returns dL/d(U h + b_hh) per step, from which one product over all steps gives dU:

    dU = Σ_t d(U h_t−1 + b_hh)ᵀ h_t−1        (G·H, H)        db_hh = Σ_t d(U h_t−1 + b_hh)

Without gradients (inference, `torch.no_grad`) the forward pass saves nothing.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from rnnlab.models.compiled.abi import SAVED_GATES, call, recurrence
from rnnlab.models.precision import full_precision


@dataclass(frozen=True)
class Direction:
    """What is fixed for one call: the library, the cell, and how the loop walks the sequences."""

    core: ctypes.CDLL
    cell: str  # a key of abi.CELL_CODES
    lengths: Tensor | None  # (B,) int64 on the CPU, or None: every sequence is T steps long
    steps: int  # the longest length: the loop stops there
    reverse: bool  # the backward direction of a bidirectional layer
    padded: bool  # some sequence is shorter than T: outputs and gradients there stay zero


def _zeros_or_empty(direction: Direction, *shape: int, like: Tensor) -> Tensor:
    """Zeros where some positions are never written (padding), else uninitialised memory."""
    return like.new_zeros(shape) if direction.padded else like.new_empty(shape)


def matrix_forward(direction: Direction, x_proj: Tensor, h0: Tensor, c0: Tensor | None, weight_hh: Tensor,
                   bias_hh: Tensor, save: bool) -> tuple[Tensor, Tensor, Tensor | None, dict[str, Tensor | None]]:
    """RNN, GRU, LSTM forward: outputs (B, T, H), h_T, c_T, and what backward needs (empty unless `save`)."""
    B, T, GH = x_proj.shape
    H = h0.shape[-1]
    out = _zeros_or_empty(direction, B, T, H, like=x_proj)
    h = h0.clone(memory_format=torch.contiguous_format)
    c = None if c0 is None else c0.clone(memory_format=torch.contiguous_format)
    steps = direction.steps
    saved: dict[str, Tensor | None] = {"h_before": None, "c_before": None, "gates": None}
    if save:
        saved["h_before"] = x_proj.new_empty(steps, B, H)
        saved["c_before"] = None if c is None else x_proj.new_empty(steps, B, H)
        S = SAVED_GATES[direction.cell]
        saved["gates"] = x_proj.new_empty(steps, B, S * H) if S else None
    r = recurrence(x_proj, H, steps, direction.lengths, direction.reverse, weight_hh=weight_hh, bias_hh=bias_hh, h=h,
                   c=c, out=out, scratch=x_proj.new_empty(B, GH), **saved)
    call(direction.core.rnnlab_forward, direction.cell, r)
    return out, h, c, saved


class MatrixRecurrence(torch.autograd.Function):
    """(x_proj, h0, c0, U, b_hh) -> (outputs, h_T, c_T) for the RNN, GRU and LSTM; c0 and c_T are None
    except for the LSTM."""

    @staticmethod
    def forward(ctx: Any, direction: Direction, x_proj: Tensor, h0: Tensor, c0: Tensor | None, weight_hh: Tensor,
                bias_hh: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        out, h, c, saved = matrix_forward(direction, x_proj, h0, c0, weight_hh, bias_hh, save=True)
        ctx.direction = direction
        ctx.shape = x_proj.shape
        ctx.save_for_backward(out, weight_hh, saved["h_before"], saved["c_before"], saved["gates"])
        return out, h, c

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_out: Tensor, d_h: Tensor, d_c: Tensor | None
                 ) -> tuple[None, Tensor, Tensor, Tensor | None, Tensor | None, Tensor | None]:
        direction: Direction = ctx.direction
        out, weight_hh, h_before, c_before, gates = ctx.saved_tensors
        B, T, GH = ctx.shape
        H = out.shape[-1]
        d_h = d_h.clone(memory_format=torch.contiguous_format)  # dL/dh_T in, dL/dh_0 out
        d_c = None if c_before is None or d_c is None else d_c.clone(memory_format=torch.contiguous_format)
        d_x_proj = _zeros_or_empty(direction, B, T, GH, like=out)
        d_hidden_proj = out.new_empty(direction.steps, B, GH)
        r = recurrence(d_x_proj, H, direction.steps, direction.lengths, direction.reverse, weight_hh=weight_hh,
                       out=out, h_before=h_before, c_before=c_before, gates=gates,
                       d_out=d_out.contiguous(), d_h=d_h, d_c=d_c, d_x_proj=d_x_proj, d_hidden_proj=d_hidden_proj)
        call(direction.core.rnnlab_backward, direction.cell, r)
        d_weight = d_bias = None
        if ctx.needs_input_grad[4] or ctx.needs_input_grad[5]:
            d_hidden = d_hidden_proj.view(-1, GH)  # (steps·B, G·H)
            with full_precision("cpu"):  # U's gradient in its own dtype, even under a bf16 autocast
                d_weight = d_hidden.t() @ h_before.view(-1, H)  # (G·H, H): one product over all steps
            d_bias = d_hidden.sum(0)
        return None, d_x_proj, d_h, d_c, d_weight, d_bias


def elementwise_forward(direction: Direction, x_proj: Tensor, h0: Tensor) -> tuple[Tensor, Tensor]:
    """minGRU, minLSTM forward: outputs (B, T, H) and h_T."""
    B, T, _ = x_proj.shape
    H = h0.shape[-1]
    out = _zeros_or_empty(direction, B, T, H, like=x_proj)
    h = h0.clone(memory_format=torch.contiguous_format)
    r = recurrence(x_proj, H, direction.steps, direction.lengths, direction.reverse, h=h, out=out)
    call(direction.core.rnnlab_forward, direction.cell, r)
    return out, h


class ElementwiseRecurrence(torch.autograd.Function):
    """(x_proj, h0) -> (outputs, h_T) for minGRU and minLSTM. Saves x_proj, the outputs and h0, from
    which the backward pass recomputes the gates."""

    @staticmethod
    def forward(ctx: Any, direction: Direction, x_proj: Tensor, h0: Tensor) -> tuple[Tensor, Tensor]:
        out, h = elementwise_forward(direction, x_proj, h0)
        ctx.direction = direction
        ctx.save_for_backward(x_proj, h0, out)
        return out, h

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_out: Tensor, d_h: Tensor) -> tuple[None, Tensor, Tensor]:
        direction: Direction = ctx.direction
        x_proj, h0, out = ctx.saved_tensors
        d_h = d_h.clone(memory_format=torch.contiguous_format)
        d_x_proj = _zeros_or_empty(direction, *x_proj.shape, like=x_proj)
        r = recurrence(x_proj, h0.shape[-1], direction.steps, direction.lengths, direction.reverse, h0=h0, out=out,
                       d_out=d_out.contiguous(), d_h=d_h, d_x_proj=d_x_proj)
        call(direction.core.rnnlab_backward, direction.cell, r)
        return None, d_x_proj, d_h
