"""Shared fixtures: every test starts from the same global random state."""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed() -> None:
    """Random inputs and weights are drawn from a fixed seed, so a failure reproduces."""
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """One torch thread in every test, restored after it (commands such as `demo` set their own): tiny
    tensors on a shared 2-core machine run 4-10x faster than with two."""
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(1)
