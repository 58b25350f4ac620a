"""Shared fixtures: every test starts from the same global random state."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed() -> None:
    """Random inputs and weights are drawn from a fixed seed, so a failure reproduces."""
    torch.manual_seed(0)


def pytest_configure(config: pytest.Config) -> None:
    """One torch thread: tiny tensors on a shared 2-core machine run 4-10x faster than with two."""
    torch.set_num_threads(1)
