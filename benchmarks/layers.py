"""Every layer at every shape, trained and run, side by side: the run behind benchmarks/results/.

    python benchmarks/layers.py benchmarks/results/cpu-2core.md            # also writes cpu-2core.json
    python benchmarks/layers.py /tmp/lstm.md --cells lstm --shapes s1,s5 --repeats 3

A thin script over `rnnlab.bench`, doing what `rnnlab bench` does with the defaults the saved
results used, and keeping the raw per-round times as JSON beside the Markdown. It never overwrites
a file. Method and how to read the tables: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.bench import CELLS, FULL_SHAPES, BenchSettings, Progress, run_benchmark, select_shapes, write_report


def show(event: Progress) -> None:
    print(f"\r{event.done:>5}/{event.total} {event.what:<32}", end="", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark every layer side by side; write Markdown and JSON.")
    parser.add_argument("out", type=Path, help="the Markdown file to write; the JSON goes beside it")
    parser.add_argument("--shapes", default=",".join(s.name for s in FULL_SHAPES))
    parser.add_argument("--cells", default=",".join(CELLS))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    paths = [args.out.with_suffix(".md"), args.out.with_suffix(".json")]
    if existing := [str(path) for path in paths if path.exists()]:
        parser.error(f"{', '.join(existing)} exists; results are never overwritten")
    try:
        settings = BenchSettings(shapes=select_shapes(args.shapes.split(",")), cells=tuple(args.cells.split(",")),
                                 repeats=args.repeats)
    except ValueError as error:
        parser.error(str(error))
    report = run_benchmark(settings, show)
    print(file=sys.stderr)
    for path in paths:
        write_report(report, path)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
