"""Optimisers by name and the learning-rate schedule, against the formulas of the papers they cite."""

import math

import pytest
import torch
from torch import nn

from rnnlab.train.optim import DECAYS, OPTIMIZERS, lr_factor, make_optimizer, set_lr


@pytest.mark.parametrize("decay", DECAYS)
def test_warmup_rises_linearly_to_one(decay):
    """Reference: Goyal et al. 2017, a linear ramp step / warmup_steps from 0, reaching 1 at the last
    warm-up step, whatever decay follows."""
    warmup, total = 8, 40
    factors = [lr_factor(step, total, warmup, decay) for step in range(1, warmup + 1)]
    assert factors == pytest.approx([step / warmup for step in range(1, warmup + 1)], abs=1e-12)
    assert factors[-1] == 1.0


def test_constant_stays_at_one_after_warmup():
    """Reference: the definition of `constant`: the base learning rate from warm-up to the last step."""
    assert [lr_factor(step, 30, 5, "constant") for step in range(5, 31)] == [1.0] * 26
    assert [lr_factor(step, 30, 0, "constant") for step in range(1, 31)] == [1.0] * 30


@pytest.mark.parametrize("warmup", [0, 4])
def test_linear_decay_falls_to_zero_at_the_last_step(warmup):
    """Reference: a straight line from 1 at the end of warm-up to 0 at `total_steps`, written out as
    (total - step) / (total - warmup)."""
    total = 20
    for step in range(warmup + 1, total + 1):
        assert lr_factor(step, total, warmup, "linear") == pytest.approx((total - step) / (total - warmup), abs=1e-12)
    assert lr_factor(total, total, warmup, "linear") == 0.0
    assert lr_factor(total + 5, total, warmup, "linear") == 0.0  # past the end it stays at 0


@pytest.mark.parametrize("warmup", [0, 3])
def test_cosine_follows_half_a_cosine_to_zero(warmup):
    """Reference: Loshchilov & Hutter 2017 (SGDR, eq. 5 with η_min = 0, one cycle): 0.5 (1 + cos(π p)) with
    p = (step − warmup) / (total − warmup), computed here independently with math.cos."""
    total = 17
    for step in range(warmup + 1, total + 1):
        progress = (step - warmup) / (total - warmup)
        expected = 0.5 * (1.0 + math.cos(math.pi * progress))
        assert lr_factor(step, total, warmup, "cosine") == pytest.approx(expected, abs=1e-12)
    assert lr_factor(total, total, warmup, "cosine") == pytest.approx(0.0, abs=1e-15)
    middle = warmup + (total - warmup) / 2
    if middle == int(middle):
        assert lr_factor(int(middle), total, warmup, "cosine") == pytest.approx(0.5)


def test_unknown_decay_raises():
    with pytest.raises(ValueError, match=r"unknown decay 'step'; choose one of constant, linear, cosine"):
        lr_factor(10, 20, 0, "step")  # type: ignore[arg-type]


EXPECTED_CLASS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop,
                  "sgd": torch.optim.SGD}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_name_builds_its_torch_optimizer(name):
    """Reference: the torch.optim class of that name (exact type), holding every parameter once, with the
    requested lr and weight decay, and momentum where the algorithm has one (SGD, RMSprop)."""
    model = nn.Linear(3, 2)
    optimizer = make_optimizer(name, model.parameters(), lr=0.25, weight_decay=0.125, momentum=0.5)
    assert type(optimizer) is EXPECTED_CLASS[name]
    (group,) = optimizer.param_groups
    assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]
    assert group["lr"] == 0.25
    assert group["weight_decay"] == 0.125
    if name in ("sgd", "rmsprop"):
        assert group["momentum"] == 0.5
    else:
        assert "momentum" not in group


def test_every_expected_class_is_reachable():
    """The table above and OPTIMIZERS name the same set, so no optimiser goes untested."""
    assert set(OPTIMIZERS) == set(EXPECTED_CLASS)


def test_unknown_optimizer_raises_listing_the_valid_names():
    with pytest.raises(ValueError, match="unknown optimizer 'lion'; choose one of adam, adamw, rmsprop, sgd"):
        make_optimizer("lion", nn.Linear(1, 1).parameters(), 1e-3, 0.0, 0.0)  # type: ignore[arg-type]


def test_set_lr_sets_every_group():
    layer = nn.Linear(2, 2)
    optimizer = torch.optim.SGD([{"params": [layer.weight]}, {"params": [layer.bias], "lr": 5.0}], lr=1.0)
    set_lr(optimizer, 0.01)
    assert [group["lr"] for group in optimizer.param_groups] == [0.01, 0.01]
