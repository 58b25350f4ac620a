"""Throughput and memory of every case, measured side by side in one process.

The machine may be shared, so absolute times drift; ratios measured together do not. For each
(shape, mode) every case runs once per round, in an order that rotates from round to round, and a
case's time is the median over rounds. Its time against the torch baseline is the median of the
per-round ratios (paired: both ran within the same round). Each timed run repeats the step enough
times to last `min_time_s`, so that timer and launch costs vanish from single-step shapes.

The clock: on the CPU with one thread, the process's CPU time (`time.process_time`). It equals wall
time on an idle machine, and a busy neighbour cannot inflate it by taking the core away from us
(on a shared 2-core machine that inflated wall times 3x). With more threads, or on CUDA, wall time.

    report = run_benchmark(BenchSettings(shapes=select_shapes(["s1", "s4"]), cells=("lstm",)))
    for m in report.measurements:
        m.cell, m.implementation, m.tokens_per_s, m.time_vs_torch
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

import torch
from torch import Tensor, nn

from rnnlab.bench.cases import CELLS, KNOWN_CELLS, TORCH, cases_for, what_runs
from rnnlab.bench.flops import TRAINING_FLOP_FACTOR
from rnnlab.bench.memory import measure_memory
from rnnlab.bench.shapes import FULL_SHAPES, BenchShape
from rnnlab.bench.timing import GEMM_SIZE, Stopwatch, mm_gflops, onednn_gflops, paired_ratio
from rnnlab.models.precision import PRECISIONS, Precision, autocast, bf16_support

Mode = Literal["train", "infer"]
MODES: tuple[Mode, ...] = ("train", "infer")
Clock = Literal["auto", "cpu", "wall"]


@dataclass(frozen=True)
class BenchSettings:
    shapes: tuple[BenchShape, ...] = FULL_SHAPES
    cells: tuple[str, ...] = CELLS
    modes: tuple[Mode, ...] = MODES
    repeats: int = 5  # timed rounds; the median of 5 shrugs off two disturbed rounds
    threads: int = 1  # 1: stable on a shared machine (PERFORMANCE.md: 2 threads can be 2-9x slower)
    device: str = "cpu"
    min_time_s: float = 0.1  # per timed run: long enough that timer and Python overhead vanish
    clock: Clock = "auto"  # auto: CPU time on the CPU with one thread, else wall time (module docstring)
    measure_memory: bool = True  # one extra, untimed run per case under the memory profiler
    gemm_size: int = GEMM_SIZE  # side of the yardstick's matrices; smaller only for smoke tests
    seed: int = 0
    precision: Precision = "fp32"  # bf16: every step under bfloat16 autocast (models/precision.py)

    def __post_init__(self) -> None:
        for cell in self.cells:
            if cell not in KNOWN_CELLS:
                raise ValueError(f"unknown cell {cell!r}; choose from {', '.join(KNOWN_CELLS)}")
        for mode in self.modes:
            if mode not in MODES:
                raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        if not (self.shapes and self.cells and self.modes):
            raise ValueError("choose at least one shape, one cell and one mode")
        if min(self.repeats, self.threads, self.gemm_size) < 1:
            raise ValueError(f"repeats, threads and gemm_size must be at least 1, got {self.repeats}, "
                             f"{self.threads} and {self.gemm_size}")
        if self.min_time_s < 0:
            raise ValueError(f"min_time_s must not be negative, got {self.min_time_s}")
        if self.clock not in ("auto", "cpu", "wall"):
            raise ValueError(f"unknown clock {self.clock!r}; choose auto, cpu or wall")
        if self.clock == "cpu" and torch.device(self.device).type != "cpu":
            raise ValueError("the CPU clock cannot time asynchronous GPU work; use clock='wall'")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")

    @property
    def timing_clock(self) -> Literal["cpu", "wall"]:
        if self.clock != "auto":
            return self.clock
        return "cpu" if torch.device(self.device).type == "cpu" and self.threads == 1 else "wall"


@dataclass(frozen=True)
class Measurement:
    """One case at one shape in one mode. Times are per step: a training or an inference step."""

    shape: str
    mode: Mode
    cell: str
    implementation: str
    runs: str  # what executed, e.g. "nn.LSTM" or "auto → fused"
    tokens: int  # B·T per step
    round_seconds: tuple[float, ...]  # one per round, rounds aligned across the cases of a shape and mode
    time_vs_torch: float | None  # median over rounds of this time / the torch baseline's; None: no baseline
    flops: int | None  # analytic, per step (training: 3x forward)
    gemm_peak_gflops: float  # the machine's best matrix-multiply rate in this run (BenchReport)
    peak_bytes: int | None  # see memory.py; None when memory was not measured
    saved_bytes: int | None  # training only

    @property
    def seconds(self) -> float:
        return statistics.median(self.round_seconds)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds

    @property
    def gflop_per_s(self) -> float | None:
        return None if self.flops is None else self.flops / self.seconds / 1e9

    @property
    def peak_fraction(self) -> float | None:
        """Share of the measured GEMM rate this step reaches."""
        rate = self.gflop_per_s
        return None if rate is None else rate / self.gemm_peak_gflops

    def as_dict(self) -> dict[str, Any]:
        derived = {"seconds": self.seconds, "tokens_per_s": self.tokens_per_s, "gflop_per_s": self.gflop_per_s,
                   "peak_fraction": self.peak_fraction}
        return asdict(self) | derived


@dataclass(frozen=True)
class BenchReport:
    started: str  # local time, ISO 8601
    wall_seconds: float
    torch_version: str
    device: str
    threads: int
    repeats: int
    clock: str  # "cpu" or "wall": what the times count
    gemm_size: int
    cpu_share: float  # CPU time / wall time over the timed runs: 1.0 for one thread on an idle machine
    mm_gflops: float  # torch.mm, gemm_size² float32 (on CPU: MKL), the better of the start and the end
    onednn_gflops: float | None  # the same product through oneDNN (CPU only), which kernels like nn.LSTM use
    shapes: tuple[BenchShape, ...]
    measurements: tuple[Measurement, ...] = field(default=())
    precision: str = "fp32"
    precision_note: str = ""  # for bf16: what the device offers and a GEMM probe measured (Bf16Support.describe)

    @property
    def gemm_peak_gflops(self) -> float:
        """The best GEMM rate measured: the yardstick for `Measurement.peak_fraction`."""
        return max(self.mm_gflops, self.onednn_gflops or 0.0)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"gemm_peak_gflops": self.gemm_peak_gflops,
                               "measurements": [m.as_dict() for m in self.measurements]}


class Progress(NamedTuple):
    done: int  # runs finished, of `total`
    total: int
    what: str  # e.g. "s2 train lstm/fused"


def run_benchmark(settings: BenchSettings, progress: Callable[[Progress], None] | None = None) -> BenchReport:
    """Time every case of `settings`; `progress`, if given, hears after every run."""
    device = torch.device(settings.device)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    stopwatch = Stopwatch(settings.timing_clock, device)
    counter = _Counter(settings, progress)
    clock = time.perf_counter()
    started = datetime.now().isoformat(timespec="seconds")
    has_onednn = device.type == "cpu" and torch.backends.mkldnn.is_available()
    try:
        torch.manual_seed(settings.seed)
        note = "" if settings.precision == "fp32" else bf16_support(device.type).describe()
        # GEMM rates at the start and at the end, keeping the better: a neighbour busy during one of
        # them should not lower the yardstick.
        size = settings.gemm_size
        mm = mm_gflops(stopwatch, size)
        onednn = onednn_gflops(stopwatch, size) if has_onednn else None
        measured = [m for shape in settings.shapes
                    for m in _measure_shape(shape, settings, device, stopwatch, counter)]
        mm = max(mm, mm_gflops(stopwatch, size))
        onednn = None if onednn is None else max(onednn, onednn_gflops(stopwatch, size))
    finally:
        torch.set_num_threads(threads_before)
    report = BenchReport(started, time.perf_counter() - clock, torch.__version__, _device_name(device),
                         settings.threads, settings.repeats, stopwatch.clock, settings.gemm_size,
                         stopwatch.cpu_share, mm, onednn, settings.shapes, precision=settings.precision,
                         precision_note=note)
    return replace(report, measurements=tuple(replace(m, gemm_peak_gflops=report.gemm_peak_gflops)
                                              for m in measured))


class _Counter:
    """Counts runs (warm-up, timed rounds, memory) and tells the listener after each."""

    def __init__(self, settings: BenchSettings, listener: Callable[[Progress], None] | None) -> None:
        per_case = 1 + settings.repeats + int(settings.measure_memory)  # calibrate, rounds, memory
        cases = sum(len(cases_for(shape, settings.cells)) for shape in settings.shapes)
        self.total = cases * len(settings.modes) * per_case
        self.done = 0
        self.listener = listener

    def tick(self, what: str) -> None:
        self.done += 1
        if self.listener is not None:
            self.listener(Progress(self.done, self.total, what))


def _measure_shape(shape: BenchShape, settings: BenchSettings, device: torch.device, stopwatch: Stopwatch,
                   counter: _Counter) -> list[Measurement]:
    cases = cases_for(shape, settings.cells)
    modules = [case.build().to(device) for case in cases]
    x = torch.randn(shape.batch, shape.time, shape.input_size, device=device)  # (B, T, D)
    records = []
    for mode in settings.modes:
        for module in modules:
            module.train(mode == "train")
            module.zero_grad(set_to_none=True)
        steps = [_step(module, x, mode, settings.precision) for module in modules]
        labels = [f"{shape.name} {mode} {case.name}" for case in cases]
        times = _interleaved_times(steps, labels, settings, stopwatch, counter)
        for i, (case, module) in enumerate(zip(cases, modules)):
            memory = None
            if settings.measure_memory:
                module.zero_grad(set_to_none=True)
                exclude = [*module.parameters(), *module.buffers(), x]
                memory = measure_memory(steps[i], device, exclude, training=mode == "train")
                counter.tick(f"{labels[i]} memory")
            baseline = next((j for j, other in enumerate(cases) if other.cell == case.cell
                             and other.implementation == TORCH), None)
            ratio = None if baseline is None else paired_ratio(times[i], times[baseline])
            flops = None if case.forward_flops is None else \
                case.forward_flops * (TRAINING_FLOP_FACTOR if mode == "train" else 1)
            with torch.inference_mode(mode == "infer"):  # `auto` may choose differently without gradients
                runs = what_runs(case, module, x)
            records.append(Measurement(
                shape.name, mode, case.cell, case.implementation, runs, shape.tokens,
                tuple(times[i]), ratio, flops, math.nan,  # GEMM peak: set once the end-of-run rate is known
                None if memory is None else memory.peak_bytes, None if memory is None else memory.saved_bytes))
    return records


def _step(module: nn.Module, x: Tensor, mode: Mode, precision: Precision = "fp32") -> Callable[[], None]:
    """One training step (zero gradients, forward, backward of the summed outputs) or one inference, under
    the precision's autocast (the backward pass outside it, as in training)."""
    def train() -> None:
        module.zero_grad(set_to_none=True)
        with autocast(precision, x.device):
            total = _outputs(module(x)).float().sum()
        total.backward()

    def infer() -> None:
        with torch.inference_mode(), autocast(precision, x.device):
            module(x)

    return train if mode == "train" else infer


def _outputs(result: Tensor | tuple[Tensor, Any]) -> Tensor:
    return result[0] if isinstance(result, tuple) else result


def _interleaved_times(steps: list[Callable[[], None]], labels: list[str], settings: BenchSettings,
                       stopwatch: Stopwatch, counter: _Counter) -> list[list[float]]:
    """Seconds per step: for each step, one entry per round; within a round every step runs once."""
    inner = []
    for step, label in zip(steps, labels):
        inner.append(_calibrate(step, settings.min_time_s, stopwatch))
        counter.tick(f"{label} warm-up")
    times: list[list[float]] = [[] for _ in steps]
    for round_ in range(settings.repeats):
        for k in range(len(steps)):
            i = (round_ + k) % len(steps)  # rotate, so no case always runs first or after a given one
            times[i].append(stopwatch.time(steps[i], inner[i]) / inner[i])
            counter.tick(labels[i])
    return times


def _calibrate(step: Callable[[], None], min_time_s: float, stopwatch: Stopwatch) -> int:
    """Warm the step up; return how many repetitions make a timed run last at least `min_time_s`."""
    first = stopwatch.time(step, 1)  # includes one-off costs: kernel selection, allocator growth
    if first >= min_time_s:
        return 1
    second = stopwatch.time(step, 1)
    return max(1, math.ceil(min_time_s / max(second, 1e-9)))


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    return f"cpu: {model}, {os.cpu_count()} cores"
