"""Memory of one step: the allocator's peak replayed from the profiler, and the bytes saved for backward."""

import torch

from rnnlab.bench.memory import measure_memory, peak_bytes

CPU = torch.device("cpu")


def test_peak_is_the_most_held_at_once():
    """Reference: the tensors' own sizes. 4 MB and 2 MB live together, then the 4 MB go before 1 MB
    more arrives: the peak is 6 MB, not the 7 MB allocated in all."""
    def step() -> None:
        big = torch.empty(1000, 1000)  # 4,000,000 bytes
        kept = torch.empty(500, 1000)  # 2,000,000 bytes
        del big
        late = torch.empty(250, 1000)  # 1,000,000 bytes
        del kept, late

    assert peak_bytes(step, CPU) == 6_000_000


def test_saved_bytes_are_what_backward_keeps():
    """Reference: autograd's formula for exp (torch/csrc/autograd/derivatives.yaml: `grad * result`):
    ExpBackward saves its output, 1000 float32 = 4000 bytes; the parameter itself is not counted."""
    weight = torch.zeros(1000, requires_grad=True)

    def step() -> None:
        torch.exp(weight).sum().backward()

    use = measure_memory(step, CPU, exclude=[weight], training=True)
    assert use.saved_bytes == 4000
    assert use.peak_bytes >= 4000  # the saved output and the gradient, at least


def test_inference_has_no_saved_bytes():
    x = torch.randn(10, 10)
    use = measure_memory(lambda: torch.tanh(x), CPU, exclude=[x], training=False)
    assert use.saved_bytes is None
    assert use.peak_bytes == 400  # the output, 100 float32
