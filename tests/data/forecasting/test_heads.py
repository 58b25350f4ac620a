"""Heads against references: PyTorch's Gaussian NLL, a hand-worked pinball loss, the normal quantile."""

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.forecasting.heads import Forecast, make_head


def test_gaussian_nll_is_pytorchs_and_the_interval_uses_the_normal_quantile():
    """Reference: F.gaussian_nll_loss (full=False) = mean ½ (log σ² + (y − μ)² / σ²); Φ⁻¹(0.9) = 1.2816."""
    head = make_head("gaussian", 0.8)
    outputs = torch.randn(4, 3 * 2)  # B = 4, S = 3, K = 2
    targets = torch.randn(4, 3)
    mu, log_var = outputs.reshape(4, 3, 2).unbind(-1)
    torch.testing.assert_close(head.loss(outputs, targets), F.gaussian_nll_loss(mu, targets, log_var.exp()))
    forecast = head.forecast(torch.tensor([[2.0, 0.0]]))  # μ = 2, σ = 1
    assert forecast.mean.tolist() == [[2.0]]
    assert float(forecast.upper[0, 0]) - 2 == pytest.approx(1.2815516, abs=1e-6)
    assert float(forecast.lower[0, 0]) - 2 == pytest.approx(-1.2815516, abs=1e-6)


def test_pinball_loss_by_hand_and_crossing_quantiles_are_sorted():
    """Hand-worked: y = 1, quantiles (0, 1, 2) at τ = 0.1, 0.5, 0.9: ρ = 0.1·1, 0, (0.9 − 1)·(−1) -> mean 0.2/3."""
    head = make_head("quantile", 0.8)
    assert float(head.loss(torch.tensor([[0.0, 1.0, 2.0]]), torch.tensor([[1.0]]))) == pytest.approx(0.2 / 3)
    forecast = head.forecast(torch.tensor([[3.0, 1.0, 2.0]]))
    assert (forecast.lower.item(), forecast.mean.item(), forecast.upper.item()) == (1.0, 2.0, 3.0)


def test_point_head_and_unknown_names():
    head = make_head("point", 0.8)
    assert float(head.loss(torch.tensor([[1.0, 3.0]]), torch.tensor([[0.0, 0.0]]))) == 5.0
    assert head.forecast(torch.ones(1, 2)).lower is None
    with pytest.raises(ValueError, match="unknown head 'laplace'"):
        make_head("laplace", 0.8)
    with pytest.raises(ValueError, match="interval must lie in"):
        make_head("gaussian", 1.0)


def test_forecasts_join_along_steps_or_windows_and_map_monotonically():
    a = Forecast(torch.zeros(2, 1), torch.zeros(2, 1) - 1, torch.zeros(2, 1) + 1)
    assert Forecast.cat([a, a]).mean.shape == (2, 2) and Forecast.cat([a, a], dim=0).upper.shape == (4, 1)
    assert a.map(torch.exp).lower.tolist() == [[pytest.approx(0.3678794)]] * 2
