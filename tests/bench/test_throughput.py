"""The interleaved runner on tiny shapes: records complete and consistent with their own times.

No assertion here is about speed: the benchmark shows speed, the tests check the bookkeeping.
"""

import statistics

import pytest
import torch

from rnnlab.bench.shapes import QUICK_SHAPES
from rnnlab.bench.throughput import BenchSettings, run_benchmark
from rnnlab.bench.timing import paired_ratio

TINY = BenchSettings(shapes=QUICK_SHAPES, cells=("lstm", "gru", "transformer"), repeats=3, min_time_s=0.0,
                     gemm_size=64)


@pytest.fixture(scope="module")
def report():
    return run_benchmark(TINY)


def test_one_record_per_case_shape_and_mode(report):
    keys = [(m.shape, m.mode, m.cell, m.implementation) for m in report.measurements]
    assert len(keys) == len(set(keys)) == 2 * 2 * (5 + 5 + 2)  # shapes x modes x (lstm, gru, transformer cases)
    assert all(len(m.round_seconds) == TINY.repeats for m in report.measurements)


def test_throughput_is_positive_and_follows_from_the_times(report):
    shapes = {s.name: s for s in report.shapes}
    for m in report.measurements:
        assert m.seconds == statistics.median(m.round_seconds) > 0
        assert m.tokens == shapes[m.shape].tokens
        assert m.tokens_per_s == pytest.approx(m.tokens / m.seconds)
        assert m.gflop_per_s == pytest.approx(m.flops / m.seconds / 1e9)
        assert m.peak_fraction == pytest.approx(m.gflop_per_s / report.gemm_peak_gflops)


def test_ratios_are_paired_with_the_torch_baseline(report):
    """Reference: the median over rounds of this case's time over the torch case's time in the same round."""
    found = {(m.shape, m.mode, m.cell, m.implementation): m for m in report.measurements}
    for (shape, mode, cell, _), m in found.items():
        baseline = found[(shape, mode, cell, "torch")]
        assert m.time_vs_torch == pytest.approx(paired_ratio(m.round_seconds, baseline.round_seconds))
        assert m.time_vs_torch > 0
    assert all(m.time_vs_torch == 1.0 for m in report.measurements if m.implementation == "torch")


def test_training_is_three_forward_passes_of_flops(report):
    found = {(m.shape, m.mode, m.cell, m.implementation): m for m in report.measurements}
    for (shape, mode, cell, implementation), m in found.items():
        if mode == "train":
            assert m.flops == 3 * found[(shape, "infer", cell, implementation)].flops


def test_memory_is_measured(report):
    for m in report.measurements:
        assert m.peak_bytes is not None and m.peak_bytes > 0
        assert (m.saved_bytes is not None and m.saved_bytes > 0) if m.mode == "train" else m.saved_bytes is None


def test_report_describes_the_run(report):
    assert report.clock == "cpu"  # one thread on the CPU
    assert report.mm_gflops > 0 and report.gemm_peak_gflops >= report.mm_gflops
    assert report.as_dict()["measurements"][0]["tokens_per_s"] > 0


def test_thread_count_is_restored():
    threads = torch.get_num_threads()
    run_benchmark(BenchSettings(shapes=QUICK_SHAPES[1:], cells=("rnn",), modes=("infer",), repeats=1,
                                min_time_s=0.0, measure_memory=False, gemm_size=64, threads=threads + 1))
    assert torch.get_num_threads() == threads


def test_progress_counts_every_run():
    events = []
    settings = BenchSettings(shapes=QUICK_SHAPES[1:], cells=("rnn",), modes=("infer",), repeats=2, min_time_s=0.0,
                             gemm_size=64)
    run_benchmark(settings, events.append)
    assert [e.done for e in events] == list(range(1, events[-1].total + 1))
    assert events[-1].total == 5 * (1 + 2 + 1)  # 5 cases x (calibration, 2 rounds, memory)


@pytest.mark.parametrize("change, message", [
    ({"cells": ("lru",)}, "unknown cell 'lru'"),
    ({"modes": ("eval",)}, "unknown mode 'eval'"),
    ({"repeats": 0}, "must be at least 1"),
    ({"clock": "cpu", "device": "cuda"}, "cannot time asynchronous GPU work"),
])
def test_bad_settings_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        BenchSettings(**change)


def test_auto_is_named_for_the_mode_it_ran_in(monkeypatch):
    """Reference: auto_backend's rule, which for the LSTM differs with and without gradients (here, with the
    compiled core taken as available: compiled in training, oneDNN's kernel in inference)."""
    from rnnlab.models.recurrent import RecurrentLayer

    monkeypatch.setattr(RecurrentLayer, "_compiled_runs", lambda self, x: True)
    def stand_in(self, x, state=None, lengths=None):  # the core itself need not be built for the label
        return x[..., :1] * next(self.parameters()).sum(), None

    monkeypatch.setattr(RecurrentLayer, "forward", stand_in)
    report = run_benchmark(BenchSettings(shapes=QUICK_SHAPES[:1], cells=("lstm",), repeats=1, min_time_s=0.0,
                                         measure_memory=False, gemm_size=64))
    runs = {m.mode: m.runs for m in report.measurements if m.implementation == "auto"}
    assert runs == {"train": "auto → compiled", "infer": "auto → fused"}
