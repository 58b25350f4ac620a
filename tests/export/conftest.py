"""Fixtures of the export tests: small models of every registered name, inputs with padded rows, rnnlab's own
outputs for them (the reference every exported model is checked against), and a Python that cannot import
rnnlab."""

import subprocess
import sys
from collections.abc import Callable

import pytest
import torch
from torch import Tensor

from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec, SequenceModel


def _small_model(name: str, io: IOSpec, bidirectional: bool = True) -> SequenceModel:
    """Two layers (bidirectional where the family allows): every path of the loop over time is exercised."""
    config = ModelConfig(name, hidden_size=6, num_layers=2, bidirectional=bidirectional and name != "transformer",
                         num_heads=2, ff_mult=2, max_len=16)
    return build_model(config, io).eval()


def _batch(io: IOSpec, B: int, T: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Inputs (B, T[, D]) and lengths (B,): the first row full, the others shorter, at random."""
    generator = torch.Generator().manual_seed(seed)
    inputs = (torch.randint(0, io.input_size, (B, T), generator=generator) if io.tokens
              else torch.randn(B, T, io.input_size, generator=generator))
    lengths = torch.randint(1, T + 1, (B,), generator=generator)
    lengths[0] = T
    return inputs, lengths


@torch.no_grad()
def _reference(model: SequenceModel, inputs: Tensor, lengths: Tensor | None) -> Tensor:
    return model(inputs, None, lengths)[0]


def _run_without_rnnlab(code: str, cwd) -> str:
    """Run `code` in a fresh Python in which `import rnnlab` fails; returns its stdout."""
    guarded = "import sys\nsys.modules['rnnlab'] = None  # any import of rnnlab now raises ImportError\n" + code
    done = subprocess.run([sys.executable, "-c", guarded], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def small_model() -> Callable[..., SequenceModel]:
    return _small_model


@pytest.fixture
def batch() -> Callable[..., tuple[Tensor, Tensor]]:
    return _batch


@pytest.fixture
def reference() -> Callable[..., Tensor]:
    return _reference


@pytest.fixture
def without_rnnlab() -> Callable[..., str]:
    return _run_without_rnnlab
