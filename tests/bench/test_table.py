"""Reports as tables and files, from hand-made records: Markdown, JSON, and never overwriting."""

import json

import pytest

from rnnlab.bench.shapes import BenchShape
from rnnlab.bench.table import (
    against_lstm_rows,
    choice_rows,
    free_path,
    result_rows,
    scan_choice_rows,
    to_markdown,
    write_report,
)
from rnnlab.bench.throughput import BenchReport, Measurement

SHAPE = BenchShape("s0", batch=2, time=5, input_size=3, hidden_size=4)


def measurement(implementation: str, rounds: tuple[float, ...], runs: str = "", cell: str = "gru") -> Measurement:
    return Measurement("s0", "train", cell, implementation, runs or implementation, tokens=10,
                       round_seconds=rounds, time_vs_torch=None, flops=1000, gemm_peak_gflops=100.0,
                       peak_bytes=2**20, saved_bytes=2**19)


@pytest.fixture
def report() -> BenchReport:
    return BenchReport("2026-11-27T12:00:00", 1.0, "2.13.0", "cpu: test", 1, 3, "cpu", 2048, 1.0, 50.0, 100.0,
                       (SHAPE,), (measurement("readable", (2.0, 2.0, 2.0)), measurement("fused", (1.0, 1.0, 1.5)),
                                  measurement("auto", (2.0, 2.0, 2.0), runs="auto → readable")))


def test_result_rows_show_each_measurement(report):
    rows = result_rows(report)
    assert len(rows) == 3
    assert rows[0][:6] == ("s0", "train", "gru", "readable", "readable", "2000")  # ms
    assert rows[0][6] == "5"  # tokens/s: 10 tokens in 2 s
    assert rows[0][-2:] == ("1.00", "0.5")  # MiB


def test_choice_rows_compare_readable_and_fused(report):
    """Reference: by hand, fused/readable per round 0.5, 0.5, 0.75: median 0.5; auto ran readable, the slower:
    auto over the faster per round 2, 2, 1.33: median 2. No compiled case in the run: its columns are empty."""
    assert choice_rows(report) == [("gru", "s0", "train", "2000", "1000", "", "0.50", "", "fused",
                                    "auto → readable", "2.00")]


def test_choice_rows_name_the_fastest_of_three():
    """Reference: by hand. Per round, fused/readable 0.5, 0.5, 0.5 and compiled/readable 0.25, 0.25, 0.5
    (medians 0.5 and 0.25): compiled is the fastest; auto ran compiled, over the best per round 1, 1, 1.
    A runner-up within 5 % is a tie."""
    times = {"readable": (4.0, 4.0, 4.0), "fused": (2.0, 2.0, 2.0), "compiled": (1.0, 1.0, 2.0)}
    measurements = [measurement(name, rounds) for name, rounds in times.items()]
    measurements.append(measurement("auto", (1.0, 1.0, 2.0), runs="auto → compiled"))
    report = BenchReport("2026-11-27T12:00:00", 1.0, "2.13.0", "cpu: test", 1, 3, "cpu", 2048, 1.0, 50.0, None,
                         (SHAPE,), tuple(measurements))
    assert choice_rows(report) == [("gru", "s0", "train", "4000", "2000", "1000", "0.50", "0.25", "compiled",
                                    "auto → compiled", "1.00")]
    tied = (*measurements[:2], measurement("compiled", (1.95, 1.95, 1.95)))  # 0.4875 against 0.5
    report = BenchReport("2026-11-27T12:00:00", 1.0, "2.13.0", "cpu: test", 1, 3, "cpu", 2048, 1.0, 50.0, None,
                         (SHAPE,), tied)
    assert choice_rows(report)[0][8] == "tie"


def test_scan_tables_only_with_a_scan_cell(report):
    """Reference: no minGRU/minLSTM/IndRNN in the run, so neither scan table is drawn."""
    assert scan_choice_rows(report) == [] and against_lstm_rows(report) == []
    assert "## Which backend for the scan cells?" not in to_markdown(report)


def test_scan_cells_against_their_loop_and_the_lstm_kernel():
    """Reference: by hand. scan/readable per round 0.5, 1, 0.5: median 0.5, auto ran the scan, as fast as
    the best. Against the fused LSTM (1, 2, 1 s): readable 4, 2, 4 -> 4; scan 2, 2, 2 -> 2; the LSTM 1."""
    measurements = (measurement("fused", (1.0, 2.0, 1.0), cell="lstm"),
                    measurement("readable", (4.0, 4.0, 4.0), cell="mingru"),
                    measurement("scan", (2.0, 4.0, 2.0), cell="mingru"),
                    measurement("auto", (2.0, 4.0, 2.0), runs="auto → scan", cell="mingru"))
    report = BenchReport("2026-11-27T12:00:00", 1.0, "2.13.0", "cpu: test", 1, 3, "cpu", 2048, 1.0, 50.0, None,
                         (SHAPE,), measurements)
    assert scan_choice_rows(report) == [("mingru", "s0", "train", "4000", "2000", "", "0.50", "", "scan",
                                         "auto → scan", "1.00")]
    rows = against_lstm_rows(report)
    assert [(row[2], row[3], row[6], row[7]) for row in rows] == [
        ("lstm", "fused", "1.00", ""), ("mingru", "readable", "4.00", "1.00"), ("mingru", "scan", "2.00", "0.50"),
        ("mingru", "auto", "2.00", "0.50")]
    text = to_markdown(report)
    assert "## Which backend for the scan cells?" in text and "## Against the LSTM kernel" in text


def test_markdown_has_both_tables(report):
    text = to_markdown(report)
    assert "## Results" in text and "## Which backend?" in text
    assert "| s0 | train | gru | readable |" in text
    assert "torch.mm 50.0, oneDNN 100.0" in text


def test_json_keeps_raw_and_derived_numbers(report, tmp_path):
    path = tmp_path / "r.json"
    write_report(report, path)
    data = json.loads(path.read_text())
    assert data["gemm_peak_gflops"] == 100.0
    assert data["measurements"][1]["round_seconds"] == [1.0, 1.0, 1.5]
    assert data["measurements"][1]["seconds"] == 1.0


def test_an_existing_file_is_never_overwritten(report, tmp_path):
    path = tmp_path / "r.md"
    path.write_text("earlier results")
    with pytest.raises(FileExistsError):
        write_report(report, path)
    assert path.read_text() == "earlier results"


def test_unknown_format_is_refused(report, tmp_path):
    with pytest.raises(ValueError, match=r"name a \.md or \.json file"):
        write_report(report, tmp_path / "r.csv")


def test_free_path_counts_past_existing_files(tmp_path):
    (tmp_path / "bench.md").write_text("")
    (tmp_path / "bench-2.md").write_text("")
    assert free_path(tmp_path / "bench.md") == tmp_path / "bench-3.md"
    assert free_path(tmp_path / "new.md") == tmp_path / "new.md"
