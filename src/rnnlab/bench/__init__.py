"""Speed and memory of every recurrent backend, plain torch.nn and a Transformer, measured side by side.

    report = run_benchmark(BenchSettings(shapes=select_shapes(["s1", "s4"])))
    write_report(report, Path("bench-results/bench.md"))

Modules: shapes (what sizes), cases (what runs), flops (what it must compute), timing (clocks and
the GEMM yardstick), memory (peak and saved bytes), throughput (the interleaved runner and its
records), table (Markdown, JSON and rows for the terminal), suites (named sets of shapes and cells).
"""

from rnnlab.bench.cases import CELLS, KNOWN_CELLS, BenchCase, cases_for
from rnnlab.bench.shapes import FULL_SHAPES, QUICK_SHAPES, SCAN_SHAPES, SHAPES, BenchShape, select_shapes
from rnnlab.bench.suites import SUITES, BenchSuite
from rnnlab.bench.table import free_path, to_json, to_markdown, write_report
from rnnlab.bench.throughput import MODES, BenchReport, BenchSettings, Measurement, Mode, Progress, run_benchmark

__all__ = [
    "CELLS",
    "FULL_SHAPES",
    "KNOWN_CELLS",
    "MODES",
    "QUICK_SHAPES",
    "SCAN_SHAPES",
    "SHAPES",
    "SUITES",
    "BenchCase",
    "BenchReport",
    "BenchSettings",
    "BenchShape",
    "BenchSuite",
    "Measurement",
    "Mode",
    "Progress",
    "cases_for",
    "free_path",
    "run_benchmark",
    "select_shapes",
    "to_json",
    "to_markdown",
    "write_report",
]
