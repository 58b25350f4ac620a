"""The LSTM cell (Hochreiter & Schmidhuber 1997, forget gate of Gers et al. 2000) and its variants."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.cells.base import LSTMState, RecurrentCell


class LSTMGates(NamedTuple):
    i: Tensor  # input gate: what to write, (B, H)
    f: Tensor  # forget gate: what to keep, (B, H)
    g: Tensor  # candidate memory, (B, H)
    o: Tensor  # output gate: what to show, (B, H)


class LSTMCell(RecurrentCell[LSTMState]):
    r"""One LSTM step; with no options it equals `torch.nn.LSTMCell`.

        i  = σ(W_i x + U_i h + b_i)        input gate: what to write
        f  = σ(W_f x + U_f h + b_f)        forget gate: what to keep
        g  = tanh(W_g x + U_g h + b_g)     candidate memory
        o  = σ(W_o x + U_o h + b_o)        output gate: what to show
        c' = f ⊙ c + i ⊙ g
        h' = o ⊙ tanh(c')

    Options (each off by default; the fused kernels support none of them):

    - ``peephole`` (Gers & Schmidhuber 2000): the gates also see the cell, through diagonal weights p:
      i and f add p_i ⊙ c and p_f ⊙ c; o adds p_o ⊙ c' (the new cell).
    - ``cifg``, coupled input-forget gate (Greff et al. 2017): i = 1 − f, so there is no input gate
      and the weights hold three blocks (f, g, o) instead of four.
    - ``layer_norm`` (Ba et al. 2016, LN-LSTM): W x and U h are each layer-normalised before the bias
      is added, and the cell is normalised before the output nonlinearity: h' = o ⊙ tanh(LN(c')).
    """

    state_type = LSTMState

    def __init__(self, input_size: int, hidden_size: int, *, peephole: bool = False, cifg: bool = False,
                 layer_norm: bool = False) -> None:
        self.peephole = peephole
        self.cifg = cifg
        self.layer_norm = layer_norm
        self.gate_names = ("f", "g", "o") if cifg else ("i", "f", "g", "o")
        super().__init__(input_size, hidden_size)

    def build_extra_parameters(self) -> None:
        H, blocks = self.hidden_size, len(self.gate_names)
        if self.peephole:
            if not self.cifg:  # under CIFG there is no input gate to peek
                self.peep_i = nn.Parameter(torch.empty(H))
            self.peep_f = nn.Parameter(torch.empty(H))
            self.peep_o = nn.Parameter(torch.empty(H))
        if self.layer_norm:
            self.ln_x = nn.LayerNorm(blocks * H)
            self.ln_h = nn.LayerNorm(blocks * H)
            self.ln_c = nn.LayerNorm(H)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        bound = self.hidden_size**-0.5
        for name, p in self.named_parameters():
            if not name.startswith("ln_"):
                nn.init.uniform_(p, -bound, bound, generator=generator)
        if self.layer_norm:
            for norm in (self.ln_x, self.ln_h, self.ln_c):
                norm.reset_parameters()

    def project_input(self, x: Tensor) -> Tensor:
        if not self.layer_norm:
            return self.x_to_gates(x)  # (..., G·H)
        return self.ln_x(F.linear(x, self.x_to_gates.weight)) + self.x_to_gates.bias

    def project_hidden(self, h: Tensor) -> Tensor:
        if not self.layer_norm:
            return self.h_to_gates(h)  # (B, G·H)
        return self.ln_h(F.linear(h, self.h_to_gates.weight)) + self.h_to_gates.bias

    def gates_from_projection(self, x_proj: Tensor, state: LSTMState) -> LSTMGates:
        pre = x_proj + self.project_hidden(state.h)  # (B, G·H)
        if self.cifg:
            f_pre, g_pre, o_pre = pre.chunk(3, dim=-1)  # each (B, H)
            i_pre = None
        else:
            i_pre, f_pre, g_pre, o_pre = pre.chunk(4, dim=-1)  # each (B, H)
        if self.peephole:
            f_pre = f_pre + self.peep_f * state.c
            i_pre = None if i_pre is None else i_pre + self.peep_i * state.c
        f = f_pre.sigmoid()
        i = 1 - f if i_pre is None else i_pre.sigmoid()
        g = g_pre.tanh()
        if self.peephole:
            o_pre = o_pre + self.peep_o * (f * state.c + i * g)  # the output gate peeks at c'
        o = o_pre.sigmoid()
        return LSTMGates(i, f, g, o)

    def gates(self, x: Tensor, state: LSTMState) -> LSTMGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: LSTMState) -> tuple[Tensor, LSTMState]:
        i, f, g, o = self.gates_from_projection(x_proj, state)
        c = f * state.c + i * g  # (B, H)
        h = o * (self.ln_c(c) if self.layer_norm else c).tanh()  # (B, H)
        return h, LSTMState(h, c)

    def extra_repr(self) -> str:
        options = [name for name in ("peephole", "cifg", "layer_norm") if getattr(self, name)]
        return ", ".join([super().extra_repr(), *options])
