"""A benchmark report as tables: rows of text for the terminal, and Markdown or JSON files.

Two tables. *Results*: every measurement. *Which backend?*: for each recurrent cell, shape and mode,
the fused and the compiled backend's time over the readable one's, measured side by side, the fastest,
and how close the `auto` backend came to it: the evidence for `RecurrentLayer.backend_for`.

With minGRU, minLSTM or IndRNN in the run (`rnnlab bench --suite scan`), two more. *Which backend
for the scan cells?*: the same comparison with the parallel scan. *Against the LSTM kernel*: every recurrent case's
time over the fused LSTM's (PyTorch's own kernel) and over its own cell's readable loop, paired round
by round, with its memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from rnnlab.bench.throughput import BenchReport, Measurement
from rnnlab.bench.timing import paired_ratio
from rnnlab.models.layer_config import CELL_NAMES, FUSED_CELLS, SCAN_CELLS

RESULT_HEADER = ("shape", "mode", "cell", "impl", "runs", "ms/step", "tokens/s", "÷ torch", "GFLOP/s",
                 "% peak", "peak MiB", "saved MiB")
CHOICE_HEADER = ("cell", "shape", "mode", "readable ms", "fused ms", "compiled ms", "fused ÷ readable",
                 "compiled ÷ readable", "fastest", "auto ran", "auto ÷ best")
SCAN_CHOICE_HEADER = tuple(name.replace("fused", "scan") for name in CHOICE_HEADER)
AGAINST_LSTM_HEADER = ("shape", "mode", "cell", "impl", "runs", "tokens/s", "÷ lstm fused", "÷ own readable",
                       "peak MiB", "saved MiB")
TIE_MARGIN = 0.05  # ratios within 5 % of 1 are called a tie: rounds on a shared machine differ by about that
FORMATS = (".md", ".json")


def result_rows(report: BenchReport) -> list[tuple[str, ...]]:
    return [(m.shape, m.mode, m.cell, m.implementation, m.runs, _significant(m.seconds * 1e3),
             f"{m.tokens_per_s:,.0f}", _ratio(m.time_vs_torch), _significant(m.gflop_per_s), _percent(m.peak_fraction),
             _mebibytes(m.peak_bytes), _mebibytes(m.saved_bytes))
            for m in report.measurements]


def choice_rows(report: BenchReport) -> list[tuple[str, ...]]:
    """Readable against fused and compiled, per recurrent cell, shape and mode, with what `auto` ran."""
    return _choice_rows(report, FUSED_CELLS, "fused")


def scan_choice_rows(report: BenchReport) -> list[tuple[str, ...]]:
    """Readable against the parallel scan and compiled, per cell that has a scan, shape and mode, with what
    `auto` ran."""
    return _choice_rows(report, SCAN_CELLS, "scan")


def against_lstm_rows(report: BenchReport) -> list[tuple[str, ...]]:
    """Every recurrent case against the fused LSTM of its shape and mode, and against its own cell's
    readable loop: time ratios paired round by round (below 1: faster). Empty unless the run has a
    cell beyond rnn, lstm and gru."""
    if not any(m.cell in CELL_NAMES and m.cell not in FUSED_CELLS for m in report.measurements):
        return []
    found = {(m.cell, m.shape, m.mode, m.implementation): m for m in report.measurements}
    rows: list[tuple[str, ...]] = []
    for m in report.measurements:
        if m.cell not in CELL_NAMES:
            continue
        lstm = found.get(("lstm", m.shape, m.mode, "fused"))
        readable = found.get((m.cell, m.shape, m.mode, "readable"))
        rows.append((m.shape, m.mode, m.cell, m.implementation, m.runs, f"{m.tokens_per_s:,.0f}",
                     _ratio(None if lstm is None else paired_ratio(m.round_seconds, lstm.round_seconds)),
                     _ratio(None if readable is None else paired_ratio(m.round_seconds, readable.round_seconds)),
                     _mebibytes(m.peak_bytes), _mebibytes(m.saved_bytes)))
    return rows


def _choice_rows(report: BenchReport, cells: tuple[str, ...], fast: str) -> list[tuple[str, ...]]:
    found = {(m.cell, m.shape, m.mode, m.implementation): m for m in report.measurements}
    rows: list[tuple[str, ...]] = []
    for cell in cells:
        for shape in report.shapes:
            for mode in ("train", "infer"):
                readable, other, compiled, auto = (found.get((cell, shape.name, mode, name))
                                                   for name in ("readable", fast, "compiled", "auto"))
                if readable is None or (other is None and compiled is None):
                    continue
                candidates = {"readable": readable, fast: other, "compiled": compiled}
                ratios = {name: paired_ratio(m.round_seconds, readable.round_seconds)
                          for name, m in candidates.items() if m is not None}
                rows.append((cell, shape.name, mode, *(_milliseconds(m) for m in (readable, other, compiled)),
                             _ratio(ratios.get(fast)), _ratio(ratios.get("compiled")), _fastest(ratios),
                             *_auto_columns(auto, [m for m in candidates.values() if m is not None])))
    return rows


def to_markdown(report: BenchReport) -> str:
    r = report
    onednn = "" if r.onednn_gflops is None else f", oneDNN {r.onednn_gflops:.1f}"
    lines = [
        f"# rnnlab bench, {r.started}",
        "",
        f"- Machine: {r.device}; torch {r.torch_version}; {r.threads} thread(s).",
        f"- Clock: {r.clock} time; the process had {r.cpu_share:.0%} of the wall time on a CPU "
        "(100 % for one thread on an idle machine).",
        f"- GEMM {r.gemm_size}² float32, GFLOP/s: torch.mm {r.mm_gflops:.1f}{onednn}. "
        f"\"% peak\" is against the best, {r.gemm_peak_gflops:.1f}.",
        "- Precision: " + ("float32." if r.precision == "fp32" else f"{r.precision} autocast for the large "
                           f"products, recurrences in float32; {r.precision_note}."),
        f"- {r.repeats} interleaved rounds per case; times are medians over rounds; \"÷ torch\" and the ratios "
        "below are medians of per-round ratios. Wall time of the whole run: "
        f"{r.wall_seconds:.0f} s.",
        "- Shapes: " + "; ".join(f"{s.name} ({s.describe()})" for s in r.shapes) + ".",
        "- Training step: zero gradients, forward, backward of the summed outputs; FLOPs counted as 3x forward. "
        "Inference: forward under `torch.inference_mode()`. Memory: see benchmarks/README.md.",
        "",
        "## Results",
        "",
        *_markdown_table(RESULT_HEADER, result_rows(report)),
    ]
    choices = choice_rows(report)
    if choices:
        lines += ["", "## Which backend? (evidence for `RecurrentLayer.backend_for`)", "",
                  f"\"fastest\" is a tie when the runner-up is within {TIE_MARGIN:.0%}. \"auto ÷ best\": auto's "
                  "time over the fastest of readable, fused and compiled, per round.", "",
                  *_markdown_table(CHOICE_HEADER, choices)]
    scan_choices = scan_choice_rows(report)
    if scan_choices:
        lines += ["", "## Which backend for the scan cells? (evidence for `RecurrentLayer.backend_for`)", "",
                  f"\"fastest\" is a tie when the runner-up is within {TIE_MARGIN:.0%}. \"auto ÷ best\": auto's "
                  "time over the fastest of readable, scan and compiled, per round.", "",
                  *_markdown_table(SCAN_CHOICE_HEADER, scan_choices)]
    against = against_lstm_rows(report)
    if against:
        lines += ["", "## Against the LSTM kernel", "",
                  "Time per step over the fused LSTM's (`_VF.lstm`, what `nn.LSTM` runs) and over the same "
                  "cell's readable loop, medians of per-round ratios: below 1 is faster.", "",
                  *_markdown_table(AGAINST_LSTM_HEADER, against)]
    return "\n".join(lines) + "\n"


def to_json(report: BenchReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def write_report(report: BenchReport, path: Path) -> None:
    """Write `report` as Markdown (.md) or JSON (.json). Never overwrites: FileExistsError instead."""
    if path.suffix not in FORMATS:
        raise ValueError(f"cannot write {path}: name a {' or '.join(FORMATS)} file")
    text = to_markdown(report) if path.suffix == ".md" else to_json(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:  # "x": fail rather than overwrite
        file.write(text)


def free_path(path: Path) -> Path:
    """`path`, or the first of name-2, name-3, ... that does not exist yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _auto_columns(auto: Measurement | None, candidates: list[Measurement]) -> tuple[str, str]:
    """What auto ran, and its time over the fastest candidate's, round by round."""
    if auto is None:
        return "", ""
    best = [min(times) for times in zip(*(m.round_seconds for m in candidates), strict=True)]
    return auto.runs, _ratio(paired_ratio(auto.round_seconds, best))


def _fastest(over_readable: dict[str, float]) -> str:
    """The backend with the smallest time over readable's (readable's own is 1), or "tie" when the runner-up
    is within TIE_MARGIN of it."""
    ranked = sorted(over_readable.items(), key=lambda item: item[1])
    if len(ranked) > 1 and ranked[1][1] < ranked[0][1] * (1 + TIE_MARGIN):
        return "tie"
    return ranked[0][0]


def _milliseconds(m: Measurement | None) -> str:
    return "" if m is None else _significant(m.seconds * 1e3)


def _markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    numeric = [all(_is_number(row[k]) for row in rows) for k in range(len(header))]
    rule = ["---:" if is_number else "---" for is_number in numeric]
    return ["| " + " | ".join(cells) + " |" for cells in (header, rule, *rows)]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%") or "0")
    except ValueError:
        return False
    return True


def _significant(value: float | None) -> str:
    """About three significant digits, never in exponent notation: 2664, 57.2, 8.75, 0.141."""
    if value is None:
        return ""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _mebibytes(value: int | None) -> str:
    return "" if value is None else _significant(value / 2**20)
