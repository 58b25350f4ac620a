"""Mixed precision: bfloat16 for the large matrix products, float32 for the recurrence.

    with autocast("bf16", device):        # a training or inference step (TrainConfig.precision,
        outputs, state = model(x)          # rnnlab bench --precision bf16)
    bf16_support().describe()             # 'AVX2, no bf16 units: bf16 GEMM 9.8 GFLOP/s against float32 71 (0.14x)'

Under "bf16", `torch.autocast` runs matrix products in bfloat16: a recurrent layer's input projection over
all steps, output heads, the Transformer's projections and attention. A recurrent layer keeps its state and
its cell's elementwise update in float32: its loop, the fused kernels and the compiled core run with autocast
off (`full_precision`), on the input projection cast back to float32. The per-step product U h stays float32
too: it is small (at s1, 32x128 by 128x512, bf16 was no faster even with AMX: PERFORMANCE.md) and its
rounding would compound over T steps. Losses autocast to float32 on their own.

bf16 pays only where the CPU has bf16 units (AVX512-BF16, AMX tiles) or on a recent GPU; elsewhere PyTorch
emulates it, slower than float32. `bf16_support` says which from the CPU flags and a quick GEMM rate probe,
and `autocast` warns once when bf16 is asked for where it is emulated.
"""

from __future__ import annotations

import time
import warnings
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import torch

Precision = Literal["fp32", "bf16"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "bf16")
BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # /proc/cpuinfo flags of CPUs with bf16 arithmetic
PROBE_SIZE = 256  # side of the probe's matrices: 34 MFLOP, under 1 ms in float32, ~60 ms where bf16 is emulated


def autocast(precision: Precision, device: torch.device) -> AbstractContextManager[object]:
    """The context a step runs in: nothing for "fp32", bfloat16 autocast for "bf16"."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision == "fp32":
        return nullcontext()
    support = bf16_support(device.type)
    if not support.native:
        _warn_once(f"precision 'bf16' on a device without bf16 units ({support.describe()}): PyTorch emulates "
                   "bfloat16 here, so expect it to be slower than fp32, not faster")
    return torch.autocast(device.type, dtype=torch.bfloat16)


def full_precision(device_type: str) -> AbstractContextManager[object]:
    """Autocast off inside, where it is on: for a recurrence, whose state and update stay float32."""
    if torch.is_autocast_enabled(device_type):
        return torch.autocast(device_type, enabled=False)
    return nullcontext()


@dataclass(frozen=True)
class Bf16Support:
    """What the device offers for bfloat16, and what a GEMM probe measured."""

    device: str  # "cpu" or "cuda"
    capability: str  # torch.backends.cpu.get_cpu_capability() ("AVX2", "AVX512", ...) or the GPU's name
    native: bool  # bf16 units: CPU flags avx512_bf16 / amx_bf16, or CUDA compute capability 8.0 and up
    fp32_gflops: float  # PROBE_SIZE² matrix product
    bf16_gflops: float

    @property
    def speedup(self) -> float:
        return self.bf16_gflops / self.fp32_gflops

    def describe(self) -> str:
        units = "bf16 units" if self.native else "no bf16 units"
        return (f"{self.capability}, {units}: bf16 GEMM {self.bf16_gflops:.1f} GFLOP/s against float32 "
                f"{self.fp32_gflops:.1f} ({self.speedup:.2f}x)")


@cache
def bf16_support(device_type: str = "cpu") -> Bf16Support:
    """Detect bf16 units and measure the GEMM rates once per process (a fraction of a second)."""
    device = torch.device(device_type)
    if device.type == "cuda":
        capability, native = torch.cuda.get_device_name(device), torch.cuda.get_device_capability(device) >= (8, 0)
    else:
        capability, native = torch.backends.cpu.get_cpu_capability(), _cpu_has_bf16_units()
    fp32, bf16 = (_gemm_gflops(device, dtype) for dtype in (torch.float32, torch.bfloat16))
    return Bf16Support(device.type, capability, native, fp32, bf16)


def _cpu_has_bf16_units() -> bool:
    try:
        flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        return False
    return any(flag in flags.split() for flag in BF16_FLAGS)


def _gemm_gflops(device: torch.device, dtype: torch.dtype, repeats: int = 5) -> float:
    a = torch.randn(PROBE_SIZE, PROBE_SIZE, device=device).to(dtype)
    b = torch.randn(PROBE_SIZE, PROBE_SIZE, device=device).to(dtype)
    torch.mm(a, b)  # warm up
    best = float("inf")
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        started = time.perf_counter()
        torch.mm(a, b)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        best = min(best, time.perf_counter() - started)
    return 2 * PROBE_SIZE**3 / best / 1e9


_warned = False


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, RuntimeWarning, stacklevel=3)
