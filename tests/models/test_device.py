"""Device selection: reference is torch.cuda.is_available() on this machine."""

import pytest
import torch

from rnnlab.models.device import resolve_device


def test_auto_takes_cuda_only_when_present() -> None:
    """`auto` is CUDA exactly when torch sees a GPU, else the CPU."""
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")
def test_cuda_without_gpu_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolve_device("cuda")


def test_unknown_device_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu-please")
