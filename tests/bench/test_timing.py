"""The stopwatch's clocks and the paired ratio."""

import threading

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


def wait_for_a_timer(seconds: float) -> None:
    """Block on an event that a timer thread sets after `seconds`: a wait that uses no CPU."""
    event = threading.Event()
    threading.Timer(seconds, event.set).start()
    event.wait()


def test_cpu_clock_does_not_count_waiting():
    """Reference: a step blocked on an event gives up the CPU: the wall clock sees the whole wait, the process's CPU
    time a small part of it. Relative, not a fixed number of seconds: a loaded machine lengthens the wait, and
    the process's other threads (a Dask scheduler, torch's) may spend a little CPU meanwhile."""
    cpu, wall = Stopwatch("cpu", CPU), Stopwatch("wall", CPU)
    waited = wall.time(lambda: wait_for_a_timer(0.2), 1)
    assert waited >= 0.2
    cpu.time(lambda: wait_for_a_timer(0.2), 1)
    assert cpu.wall_total >= 0.2 and cpu.cpu_share < 0.5  # CPU time under half the wall time of the wait


def test_gemm_rate_is_positive():
    assert mm_gflops(Stopwatch("cpu", CPU), size=64, repeats=2) > 0
