"""A short check for a machine with a CUDA GPU: every backend on cuDNN agrees with the readable path.

    python benchmarks/gpu_check.py            # exits 1 if any check fails

It builds each recurrent model on `device="auto"`, runs the readable and fused (cuDNN) backends on the
same weights in float64 and float32, compares outputs, final states and gradients, and times one
training step of each. Then it times the fused path against nn.RNN/LSTM/GRU at T = 128 (B = 64, H = 256),
median of 20 training steps, and says whether our weights sit in one cuDNN buffer (models/cudnn_weights.py:
without it the fused path measured 1.1-1.5x slower than nn.LSTM/GRU on an H100). CI never needs it; run it
when a GPU is at hand.
"""

from __future__ import annotations

import statistics
import sys
import time

import torch

from rnnlab.models.device import resolve_device
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer


def check(cell: str, dtype: torch.dtype, device: torch.device) -> tuple[float, float, float]:
    torch.manual_seed(0)
    config = RecurrentConfig(cell, 16, 32, num_layers=2, bidirectional=True, backend="readable")  # type: ignore[arg-type]
    readable = RecurrentLayer(config).to(device, dtype)
    fused = RecurrentLayer(RecurrentConfig(cell, 16, 32, num_layers=2, bidirectional=True,  # type: ignore[arg-type]
                                           backend="fused")).to(device, dtype)
    fused.load_state_dict(readable.state_dict())
    x = torch.randn(8, 50, 16, device=device, dtype=dtype)
    lengths = torch.randint(1, 51, (8,))
    results = []
    for layer in (readable, fused):
        started = time.perf_counter()
        out, state = layer(x, lengths=lengths)
        out.sum().backward()
        if device.type == "cuda":
            torch.cuda.synchronize()
        results.append((out.detach(), state.h.detach(), [p.grad.clone() for p in layer.parameters()],
                        time.perf_counter() - started))
    (o1, h1, g1, t1), (o2, h2, g2, t2) = results
    error = max((o1 - o2).abs().max().item(), (h1 - h2).abs().max().item(),
                max((a - b).abs().max().item() for a, b in zip(g1, g2)))
    return error, t1, t2


def against_torch(cell: str, device: torch.device, steps: int = 20) -> tuple[float, bool]:
    """Median training-step time of the fused layer over nn.RNN/LSTM/GRU's, same shape; and whether the
    layer's weights were packed into one buffer."""
    torch.manual_seed(0)
    B, T, D, H = 64, 128, 64, 256
    ours = RecurrentLayer(RecurrentConfig(cell, D, H, backend="fused")).to(device)  # type: ignore[arg-type]
    theirs = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, batch_first=True).to(device)
    x = torch.randn(B, T, D, device=device)
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for step in range(steps + 3):  # three warm-up steps, then interleaved
        for name, module in (("ours", ours), ("theirs", theirs)):
            started = time.perf_counter()
            module(x)[0].sum().backward()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if step >= 3:
                times[name].append(time.perf_counter() - started)
    ratio = statistics.median(times["ours"]) / statistics.median(times["theirs"])
    weights = [w for cell_ in ours.cell_stack for w in (cell_.x_to_gates.weight, cell_.h_to_gates.weight)]
    return ratio, len({w.untyped_storage().data_ptr() for w in weights}) == 1


def main() -> int:
    device = resolve_device("auto")
    print(f"device: {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else 'no GPU'})")
    failed = False
    for cell in ("rnn", "lstm", "gru"):
        for dtype, tolerance in ((torch.float64, 1e-8), (torch.float32, 1e-3)):
            error, t_readable, t_fused = check(cell, dtype, device)
            ok = error < tolerance
            failed |= not ok
            print(f"{cell:5} {dtype!s:14} max |readable - fused| = {error:.2e}  "
                  f"{'ok' if ok else 'FAIL'}  step: readable {t_readable * 1e3:.1f} ms, fused {t_fused * 1e3:.1f} ms")
    for cell in ("rnn", "lstm", "gru"):
        ratio, packed = against_torch(cell, device)
        print(f"{cell:5} training step at T=128: fused / nn.{cell.upper()} = {ratio:.2f}; "
              f"weights in one buffer: {packed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
