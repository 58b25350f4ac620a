"""The stopwatch's clocks and the paired ratio."""

import time

import torch

from rnnlab.bench.timing import Stopwatch, mm_gflops, paired_ratio

CPU = torch.device("cpu")


def test_paired_ratio_is_the_median_of_per_round_ratios():
    """Reference: by hand, ratios 2, 2 and 3 per round: median 2 (the ratio of medians would be 4 / 2 = 2
    here too, but 9 / 3 in the last round must not pull it)."""
    assert paired_ratio([2.0, 4.0, 9.0], [1.0, 2.0, 3.0]) == 2.0


def test_stopwatch_runs_the_step_as_often_as_asked():
    calls = []
    Stopwatch("wall", CPU).time(lambda: calls.append(1), repetitions=7)
    assert len(calls) == 7


def test_cpu_clock_does_not_count_waiting():
    """Reference: time.sleep gives up the CPU: the wall clock sees the wait, the process's CPU time does not."""
    cpu, wall = Stopwatch("cpu", CPU), Stopwatch("wall", CPU)
    assert wall.time(lambda: time.sleep(0.05), 1) >= 0.05
    assert cpu.time(lambda: time.sleep(0.05), 1) < 0.05
    assert cpu.cpu_share < 1.0


def test_gemm_rate_is_positive():
    assert mm_gflops(Stopwatch("cpu", CPU), size=64, repeats=2) > 0
