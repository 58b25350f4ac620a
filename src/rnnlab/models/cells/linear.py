r"""What minGRU and minLSTM share: a state update that is linear in h, with gates from the input alone.

    h' = a ⊙ h + b          a ∈ (0, 1) and b > 0, functions of x only

Because a and b do not read h, they are known for every step before the loop starts, and the whole
sequence can be computed at once by a parallel scan (`models/scan.py`). A subclass writes `step` as
its paper's equations, and `log_coefficients` as the same a and b in log space for the scan;
tests/models/test_scan.py proves the two agree. Both use the positive activation g of Feng et al.
(2024, section 3 and appendix A), which keeps the candidate state positive so that log b exists:

    g(v) = v + ½   for v ≥ 0          continuous at 0 (σ(0) = ½), and g'(0) = 1 from the right
         = σ(v)    for v < 0
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.models.cells.base import HiddenState, RecurrentCell


def g(v: Tensor) -> Tensor:
    """Feng et al.'s positive activation: v + ½ for v ≥ 0, σ(v) below."""
    return torch.where(v >= 0, v + 0.5, v.sigmoid())


def log_g(v: Tensor) -> Tensor:
    """log g(v), computed without forming g: log(v + ½) for v ≥ 0, −softplus(−v) = log σ(v) below.

    relu keeps the unused branch finite where v < −½, so its gradient (multiplied by 0) stays 0, not NaN.
    """
    return torch.where(v >= 0, (F.relu(v) + 0.5).log(), -F.softplus(-v))


class LinearRecurrentCell(RecurrentCell[HiddenState]):
    """A cell with h' = a(x) ⊙ h + b(x): `step` for one step, `log_coefficients` for a parallel scan."""

    state_type = HiddenState
    recurrent_matrix = False  # the gates never see h

    def log_coefficients(self, x_proj: Tensor) -> tuple[Tensor, Tensor]:
        """log a and log b from the projected input, x_proj (..., G·H) -> each (..., H)."""
        raise NotImplementedError
