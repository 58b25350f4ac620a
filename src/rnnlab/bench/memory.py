"""Memory one benchmark step needs, measured in a separate, untimed run of the step.

Peak bytes: the most memory the step holds at once above what was live before it (activations,
tensors saved for backward, temporaries, gradients; not the parameters or the input).

- CUDA: `torch.cuda.max_memory_allocated` minus the allocation at the start.
- CPU: PyTorch's profiler with `profile_memory=True` records every allocation and free made
  through PyTorch's CPU allocator, in order, with its size. Replaying them gives the live-bytes
  curve and its maximum. (tracemalloc cannot: torch allocates outside Python's allocator, and the
  process's resident size moves with the C allocator's caching, not with tensors.) Not seen:
  scratch memory that oneDNN or MKL allocate for themselves inside a kernel.

Saved bytes (training only): the distinct storages that autograd saves for the backward pass,
seen through `torch.autograd.graph.saved_tensors_hooks`, parameters and input excluded. This is
the activation memory that grows with B·T, the part that decides how long a sequence fits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
from torch import Tensor
from torch.profiler import ProfilerActivity, profile


class MemoryUse(NamedTuple):
    peak_bytes: int
    saved_bytes: int | None  # None when the step does not run backward


def measure_memory(step: Callable[[], object], device: torch.device, exclude: Iterable[Tensor],
                   training: bool) -> MemoryUse:
    """Run `step` once and report its memory; `exclude` (parameters, inputs) is not counted as saved."""
    excluded = {tensor.untyped_storage().data_ptr() for tensor in exclude}
    saved: dict[int, int] = {}  # storage address -> bytes

    def pack(tensor: Tensor) -> Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in excluded:
            saved[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        peak = peak_bytes(step, device)
    return MemoryUse(peak, sum(saved.values()) if training else None)


def peak_bytes(step: Callable[[], object], device: torch.device) -> int:
    """The maximum of bytes allocated by PyTorch while `step` runs, above the level at its start."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        start = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - start
    # Kineto logs every profiler start and stop on stderr at its default level; quiet it unless the
    # user has chosen a level. It is read when the profiler first starts in a process.
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    return _replay_peak(prof)


def _replay_peak(prof: profile) -> int:
    assert prof.profiler is not None and prof.profiler.kineto_results is not None
    records = [event for event in prof.profiler.kineto_results.events()
               if event.name() == "[memory]" and event.device_type() == torch.autograd.DeviceType.CPU]
    records.sort(key=lambda event: event.start_ns())  # stable: same-time records keep their order
    live = peak = 0
    for record in records:
        live += record.nbytes()  # type: ignore[attr-defined]  # missing from torch's stubs; negative for a free
        peak = max(peak, live)
    return peak
