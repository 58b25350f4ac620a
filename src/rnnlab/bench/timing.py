"""Clocks and yardsticks: how long a step takes, and how fast this machine multiplies matrices."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Literal

import torch

GEMM_SIZE = 2048


class Stopwatch:
    """Times repeated calls on one clock, CPU or wall; keeps both totals to tell how busy the machine was."""

    def __init__(self, clock: Literal["cpu", "wall"], device: torch.device) -> None:
        self.clock = clock
        self.device = device
        self.cpu_total = self.wall_total = 0.0

    def time(self, step: Callable[[], object], repetitions: int) -> float:
        """Seconds that `repetitions` calls of `step` take, on this stopwatch's clock."""
        self._sync()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repetitions):
            step()
        self._sync()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall_total += wall
        self.cpu_total += cpu
        return cpu if self.clock == "cpu" else wall

    @property
    def cpu_share(self) -> float:
        """CPU time over wall time so far: 1.0 for one thread that had a core to itself."""
        return self.cpu_total / self.wall_total if self.wall_total else 1.0

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)


def paired_ratio(times: Sequence[float], reference: Sequence[float]) -> float:
    """Median over rounds of times[r] / reference[r]: two things timed side by side, round by round."""
    return statistics.median(t / r for t, r in zip(times, reference, strict=True))


def mm_gflops(stopwatch: Stopwatch, size: int = GEMM_SIZE, repeats: int = 5) -> float:
    """torch.mm of two size² float32 matrices (on the CPU: MKL), GFLOP/s, median of `repeats`."""
    a = torch.randn(size, size, device=stopwatch.device)
    b = torch.randn(size, size, device=stopwatch.device)
    return _gflops(stopwatch, lambda: torch.mm(a, b), 2 * size**3, repeats)


def onednn_gflops(stopwatch: Stopwatch, size: int = GEMM_SIZE, repeats: int = 5) -> float:
    """The same product through oneDNN, the library behind nn.LSTM's CPU kernel. CPU only.

    MKL may take a narrower vector path on AMD processors than oneDNN's own kernels do; then
    oneDNN, and nn.LSTM with it, beats torch.mm's rate, and this is the machine's real peak.
    """
    a = torch.randn(size, size).to_mkldnn()
    b = torch.randn(size, size).to_mkldnn()
    return _gflops(stopwatch, lambda: torch._C._nn.mkldnn_linear(a, b, None), 2 * size**3, repeats)  # a bᵀ


def _gflops(stopwatch: Stopwatch, product: Callable[[], object], flops: int, repeats: int) -> float:
    product()  # warm up
    seconds = statistics.median(stopwatch.time(product, 1) for _ in range(repeats))
    return flops / seconds / 1e9
