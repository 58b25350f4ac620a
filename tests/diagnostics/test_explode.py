"""Exploding-gradient diagnostics: spike counts on hand-made norm series whose answers are worked out
by hand below, divergence, clipping, and the plot."""

import json
import math

import pytest

from rnnlab.diagnostics.explode import (
    GradientNormRecorder,
    GradientNormSeries,
    explosion_summary,
    spike_indices,
)
from rnnlab.diagnostics.plots_training import plot_gradient_norms

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_hand_placed_spikes_are_counted_exactly() -> None:
    """Reference: the rule by hand. On a flat series of 1s the running median is 1, so 20 and 50 are
    spikes (> 10), the second 50 too (one spike in the window leaves the median at 1), and exactly
    10 is not (the rule is strictly greater)."""
    norms = [1.0] * 100
    norms[30], norms[60], norms[61], norms[80] = 20.0, 50.0, 50.0, 10.0
    assert spike_indices(norms) == [30, 60, 61]


def test_flat_series_has_no_spikes() -> None:
    """Reference: a constant series never exceeds 10x its own median."""
    assert spike_indices([3.0] * 200) == []
    assert spike_indices([]) == []


def test_first_steps_use_the_history_they_have() -> None:
    """Reference: the docstring's rule. Step 0 has no history; step 1 compares with step 0 alone."""
    assert spike_indices([5.0]) == []
    assert spike_indices([1.0, 20.0]) == [1]


def test_a_level_shift_stops_counting_once_the_median_moves() -> None:
    """Reference, by hand: after ten 1s come 100s. At step 10 + j the history holds ten 1s and j 100s
    (all within the window of 50), whose median is 1 while j < 10 and (1 + 100) / 2 at j = 10, so
    exactly the first ten 100s are spikes."""
    norms = [1.0] * 10 + [100.0] * 200
    assert spike_indices(norms, factor=10.0, window=50) == list(range(10, 20))


def test_window_limits_the_history() -> None:
    """Reference, by hand: at step 6 a window of 3 sees three 10s (median 10, and 80 < 100), while a
    window of 50 sees 1, 1, 1, 10, 10, 10 (median 5.5, and 80 > 55). The 10s at steps 3-5 are never
    spikes: 10 is not more than 10 x 1."""
    norms = [1.0, 1.0, 1.0, 10.0, 10.0, 10.0, 80.0]
    assert spike_indices(norms, factor=10.0, window=3) == []
    assert spike_indices(norms, factor=10.0, window=50) == [6]


def test_non_finite_norms_are_divergence_not_spikes() -> None:
    """Reference: the docstring's rule. NaN and inf are never spikes and stay out of the median, so a 30
    after a NaN is still compared with the 1s before it. The first non-finite step (1-based) is the
    divergence when the series does not name one."""
    norms = [1.0] * 5 + [math.nan, 30.0] + [1.0] * 13 + [math.inf]
    assert spike_indices(norms) == [6]
    summary = explosion_summary(GradientNormSeries("no clip", norms))
    assert summary.diverged and summary.diverged_at == 6
    assert summary.max_norm == 30.0 and summary.median_norm == 1.0
    assert summary.spikes == 1 and summary.spike_steps == (7,)
    assert summary.clipped_fraction is None
    json.dumps(summary.to_json())


def test_the_series_divergence_step_wins() -> None:
    """Reference: the trainer's own diverged_at, passed in, is reported as it is."""
    summary = explosion_summary(GradientNormSeries("run", [1.0, 2.0, math.nan], diverged_at=3, first_step=101))
    assert summary.diverged_at == 3
    assert explosion_summary(GradientNormSeries("run", [1.0, 2.0])).diverged is False


def test_clipped_fraction_counts_steps_above_the_clip() -> None:
    """Reference, by hand: 2 of the 4 finite norms exceed 1.0; the NaN step is not counted."""
    series = GradientNormSeries("clip 1.0", [0.5, 2.0, 3.0, 0.9, math.nan], clip=1.0)
    assert explosion_summary(series).clipped_fraction == 0.5


def test_recorder_collects_an_on_step_series() -> None:
    """Reference: the trainer's on_step(step, loss, grad_norm) calls, replayed by hand."""
    recorder = GradientNormRecorder()
    for step, norm in [(1, 0.5), (2, 4.0), (3, 0.7)]:
        recorder(step, 1.0, norm)
    series = recorder.series("clip 1.0", clip=1.0)
    assert series.norms == (0.5, 4.0, 0.7) and series.steps == [1, 2, 3]
    assert json.loads(json.dumps(series.to_json()))["norms"] == [0.5, 4.0, 0.7]
    recorder(5, 1.0, 1.0)
    with pytest.raises(ValueError, match="not consecutive"):
        recorder.series("gap")


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="window"):
        spike_indices([1.0], window=0)
    with pytest.raises(ValueError, match="clip"):
        GradientNormSeries("x", [1.0], clip=0.0)


def test_plot_writes_a_png(tmp_path) -> None:
    """Reference: the PNG file signature."""
    calm = [1.0 + 0.1 * math.sin(k) for k in range(120)]
    wild = [1.0 + 0.1 * math.cos(k) for k in range(80)] + [40.0, 1.0, 1.0, 1e4, math.inf]
    calm[50] = 30.0
    path = plot_gradient_norms([GradientNormSeries("clip 1.0", calm, clip=1.0),
                                GradientNormSeries("no clip", wild)], tmp_path / "norms.png",
                               setting="adding task, T=50, LSTM h=8")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
