"""Training steps per second on 1 rank against N ranks, the same global batch: the run behind
benchmarks/results/scale-out.md.

    PYTHONPATH=src python benchmarks/scale_out.py benchmarks/results/scale-out.md           # 1 vs 2 ranks, CPU
    PYTHONPATH=src python benchmarks/scale_out.py /tmp/gpu.md --ranks 1,8 --device cuda --hidden 1024

Each round starts `torchrun --nproc-per-node N -m rnnlab train` once for every N, in an order that rotates
from round to round (so that no N always runs first on a machine whose load drifts), and reads the run's
result.json: steps over training seconds (evaluation and start-up excluded; rank 0's clock, which waits for
the slowest rank at every step). N = 1 runs one process, the path every run without torchrun takes. The load
average before each run is recorded beside it. It never overwrites a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_run(ranks: int, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    """Train once on `ranks` ranks; steps per second of training and the load average before it."""
    load = os.getloadavg()[0]
    out = folder / f"run-{ranks}-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks), "--master-addr",
               "127.0.0.1", "--master-port", str(free_port()), "-m", "rnnlab", "train", "--task", "adding",
               "--length", str(args.length), "--set", "test_size=64", "--model", args.model, "--hidden",
               str(args.hidden), "--batch-size", str(args.batch), "--steps", str(args.steps), "--eval-every",
               str(args.steps), "--no-stop-when-solved", "--device", args.device, "--threads", "1", "--out", str(out)]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{finished.stderr[-2000:]}")
    summary = json.loads((out / "result.json").read_text())
    return {"steps_per_second": summary["steps"] / summary["seconds"], "load": load}


def main() -> int:
    parser = argparse.ArgumentParser(description="Steps per second on 1 rank and on N, interleaved; Markdown.")
    parser.add_argument("out", type=Path, help="the Markdown file to write; the JSON goes beside it")
    parser.add_argument("--ranks", default="1,2", help="comma-separated rank counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--model", default="lstm")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--length", type=int, default=50, help="adding task length T")
    parser.add_argument("--batch", type=int, default=64, help="the global batch, split over the ranks")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    paths = [args.out.with_suffix(".md"), args.out.with_suffix(".json")]
    if existing := [str(path) for path in paths if path.exists()]:
        parser.error(f"{', '.join(existing)} exists; results are never overwritten")
    counts = [int(n) for n in args.ranks.split(",")]
    rounds: list[dict[int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(args.rounds):
            order = counts[index % len(counts):] + counts[:index % len(counts)]
            measured = {}
            for ranks in order:
                measured[ranks] = one_run(ranks, args, Path(scratch))
                print(f"round {index + 1}: {ranks} rank(s) {measured[ranks]['steps_per_second']:.1f} steps/s "
                      f"(load {measured[ranks]['load']:.1f})", file=sys.stderr)
            rounds.append(measured)
    base = counts[0]
    lines = [f"`python benchmarks/scale_out.py` on {platform.node() or 'this machine'}: {os.cpu_count()} CPUs, "
             f"torch {torch.__version__}, device {args.device}; {args.model} H={args.hidden} on the adding task "
             f"T={args.length}, global batch {args.batch}, {args.steps} steps, 1 torch thread per rank.", "",
             "| round | " + " | ".join(f"{n} rank(s): steps/s (load)" for n in counts) + " | "
             + " | ".join(f"{n} vs {base}" for n in counts[1:]) + " |",
             "| ---: | " + " | ".join("---:" for _ in counts) + " | " + " | ".join("---:" for _ in counts[1:]) + " |"]
    for index, measured in enumerate(rounds, 1):
        cells = [f"{measured[n]['steps_per_second']:.1f} ({measured[n]['load']:.1f})" for n in counts]
        ratios = [f"{measured[n]['steps_per_second'] / measured[base]['steps_per_second']:.2f}x" for n in counts[1:]]
        lines.append(f"| {index} | " + " | ".join(cells + ratios) + " |")
    medians = {n: statistics.median(r[n]["steps_per_second"] for r in rounds) for n in counts}
    lines.append("| median | " + " | ".join(f"{medians[n]:.1f}" for n in counts) + " | "
                 + " | ".join(f"{medians[n] / medians[base]:.2f}x" for n in counts[1:]) + " |")
    paths[0].write_text("\n".join(lines) + "\n")
    paths[1].write_text(json.dumps({"settings": vars(args) | {"out": str(args.out)}, "rounds": [
        {str(n): m for n, m in measured.items()} for measured in rounds]}, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
