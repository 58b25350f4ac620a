"""The scan suite on a GPU: minGRU and minLSTM's parallel scan against the loops and the LSTM kernel.

    PYTHONPATH=src python3 benchmarks/gpu_scan.py                 # CUDA if present; prints Markdown
    PYTHONPATH=src python3 benchmarks/gpu_scan.py --out gpu.md    # also writes it (never overwrites)

Two parts, both printed as Markdown:

1. Agreement: the same weights on backend="scan" and backend="readable" (the loop over `cell.step`),
   float64 and float32, T = 4096 on CUDA: the largest output and gradient differences. Exit code 1 if
   one is above its tolerance.
2. Speed and memory: `rnnlab bench --suite scan` on this device (B=16, D=32, H=128, T = 128 to 4096),
   wall clock, every case interleaved round by round; the tables of benchmarks/README.md.

Without a GPU it runs on the CPU at tiny sizes, in seconds, so that a test can smoke it; numbers
from that run mean nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from rnnlab.bench import QUICK_SHAPES, SCAN_SHAPES, SUITES, BenchSettings, run_benchmark, select_shapes, to_markdown
from rnnlab.models.cells import HiddenState
from rnnlab.models.device import resolve_device
from rnnlab.models.layer_config import SCAN_CELLS
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer

TOLERANCE = {torch.float64: 1e-9, torch.float32: 1e-3}  # relative to the largest value compared


def agreement(cell: str, dtype: torch.dtype, device: torch.device, steps: int) -> tuple[float, float]:
    """Largest |scan − readable| of the outputs and of all gradients, each over the largest |readable|."""
    torch.manual_seed(0)
    layers = [RecurrentLayer(RecurrentConfig(cell, 8, 16, num_layers=2, backend=backend))  # type: ignore[arg-type]
              for backend in ("scan", "readable")]
    layers[1].load_state_dict(layers[0].state_dict())
    x = torch.randn(4, steps, 8, device=device, dtype=dtype)
    h0 = torch.randn(2, 4, 16, device=device, dtype=dtype)
    lengths = torch.tensor([steps, steps // 2, 1, steps - 3])
    results = []
    for layer in layers:
        layer.to(device, dtype)
        inputs = [x.clone().requires_grad_(), h0.clone().requires_grad_()]
        out, final = layer(inputs[0], HiddenState(inputs[1]), lengths=lengths)
        grads = torch.autograd.grad(out.pow(2).sum() + final.h.sum(), [*inputs, *layer.parameters()])
        results.append((out, grads))
    (out, grads), (out_ref, grads_ref) = results
    out_error = float((out - out_ref).abs().max().detach() / out_ref.abs().max().detach())
    grad_error = max(float((g - r).abs().max() / r.abs().max()) for g, r in zip(grads, grads_ref))
    return out_error, grad_error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The scan suite on CUDA (tiny sizes on the CPU); prints Markdown.")
    parser.add_argument("--device", default="auto", help="auto (CUDA if present), cuda or cpu")
    parser.add_argument("--shapes", help="comma-separated shape names (default: t128,t512,t1024,t4096 on CUDA, "
                                         "q1 on the CPU)")
    parser.add_argument("--repeats", type=int, help="interleaved rounds (default: 3 on CUDA, 2 on the CPU)")
    parser.add_argument("--out", type=Path, help="also write the Markdown here (.md; never overwritten)")
    args = parser.parse_args(argv)
    if args.out is not None and args.out.exists():
        parser.error(f"{args.out} exists; results are never overwritten")
    device = resolve_device(args.device)
    cuda = device.type == "cuda"
    shapes = select_shapes(args.shapes.split(",")) if args.shapes else SCAN_SHAPES if cuda else QUICK_SHAPES[:1]
    name = torch.cuda.get_device_name(device) if cuda else "CPU, tiny sizes: a smoke test"
    lines = [f"# Scan suite on {device} ({name}), torch {torch.__version__}", "",
             "## Agreement: backend scan against the readable loop", "",
             "Same weights, 2 layers, H = 16, variable lengths, a random initial state; differences over the "
             "largest value compared.", "",
             "| cell | dtype | T | outputs | gradients | tolerance | ok |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    steps = 4096 if cuda else 64
    failed = False
    for cell in SCAN_CELLS:
        for dtype, tolerance in TOLERANCE.items():
            out_error, grad_error = agreement(cell, dtype, device, steps)
            ok = max(out_error, grad_error) < tolerance
            failed |= not ok
            lines.append(f"| {cell} | {str(dtype).removeprefix('torch.')} | {steps} | {out_error:.1e} | "
                         f"{grad_error:.1e} | {tolerance:.0e} | {'ok' if ok else 'FAIL'} |")
    settings = BenchSettings(shapes=shapes, cells=SUITES["scan"].cells, repeats=args.repeats or (3 if cuda else 2),
                             threads=1, device=str(device), clock="wall" if cuda else "auto",
                             min_time_s=BenchSettings.min_time_s if cuda else 0.0,
                             gemm_size=BenchSettings.gemm_size if cuda else 64)
    report = run_benchmark(settings)
    text = "\n".join(lines) + "\n\n" + to_markdown(report)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("x", encoding="utf-8") as file:
            file.write(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
