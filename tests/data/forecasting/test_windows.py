"""Windows against the module docstring's hand-worked example; roll-outs against predictors whose forecasts
are known exactly."""

import pytest
import torch

from rnnlab.data.forecasting.heads import Forecast
from rnnlab.data.forecasting.prepare import Layout, chronological_spans
from rnnlab.data.forecasting.windows import (
    check_rows,
    evaluation_origins,
    roll_out,
    rows_needed,
    training_origins,
    window_inputs,
    window_rows,
    window_targets,
    windows_fit,
)

Z = torch.tensor([10.0, 11, 12, 13, 14, 15]).unsqueeze(1)  # (N, F=1): the target alone


def test_the_worked_example():
    """Docstring: L = 3, S = 2, z = 10..15; origin 3 reads (11, 12, 13) and learns (14, 15); relative:
    (−2, −1, 0) and (1, 2)."""
    rows = window_rows(Z, torch.tensor([3]), context=3, steps=2)
    inputs, offset = window_inputs(rows, 3, Layout("y"))
    assert inputs.squeeze().tolist() == [11, 12, 13] and offset.tolist() == [0]
    assert window_targets(rows, 3, offset).tolist() == [[14, 15]]
    inputs, offset = window_inputs(rows, 3, Layout("y", relative=True))
    assert inputs.squeeze().tolist() == [-2, -1, 0] and offset.tolist() == [13]
    assert window_targets(rows, 3, offset).tolist() == [[1, 2]]


def test_future_steps_carry_only_known_inputs_and_a_flag():
    """Columns [target, past, known]; the future rows keep the known covariate, zero the rest, flag 1."""
    features = torch.arange(18.0).reshape(6, 3)
    inputs, _ = window_inputs(window_rows(features, torch.tensor([2]), 2, 2), 2, Layout("y", ("p",), ("k",)))
    assert inputs[0].tolist() == [[3, 4, 5, 0], [6, 7, 8, 0], [0, 0, 11, 1], [0, 0, 14, 1]]


def test_origins():
    """Hand-worked for 100 rows (train 0..69, validation 70..79), L = 5, S = 3: training origins 4..66;
    validation origins 69 (forecasting 70..72), 72, 75 (forecasting 76..78), every 3 steps."""
    spans = chronological_spans(100)
    assert training_origins(spans, 5, 3).tolist() == list(range(4, 67))
    assert evaluation_origins(spans.validation, 5, 3, stride=3).tolist() == [69, 72, 75]


def step_up(inputs):
    """A 'model' that knows z rises by 1 a step: the next `chunk` values after the last context step."""
    last = inputs[:, 2, 0]  # context length 3 in these tests
    return Forecast(last.unsqueeze(1) + torch.arange(1.0, 3.0))  # 2 steps per call


def test_roll_out_feeds_forecasts_back_and_never_reads_the_future():
    """Reference: z continues 16, 17, ... The direct call (2 steps) and the roll-out in calls of 2 over 5
    steps both give it exactly; rows after the origin hold garbage, which must not matter."""
    rows = torch.cat([Z[1:4], torch.full((6, 1), -999.0)]).unsqueeze(0)  # context 11, 12, 13; then junk
    forecast = roll_out(step_up, rows, context=3, steps=5, chunk=2, layout=Layout("y"))
    assert forecast.mean.tolist() == [[14, 15, 16, 17, 18]]
    relative = roll_out(lambda inputs: Forecast(torch.tensor([[1.0, 2.0]]).expand(len(inputs), 2)), rows, 3, 5, 2,
                        Layout("y", relative=True))
    assert relative.mean.tolist() == [[14, 15, 16, 17, 18]]
    with pytest.raises(ValueError, match="needs 3 \\+ 6 rows per window"):
        roll_out(step_up, rows[:, :7], 3, 5, 2, Layout("y"))


def test_too_few_rows_say_how_many_are_needed():
    check_rows("ok.csv", 400, context=24, horizon=12, chunk=12, season=24)
    with pytest.raises(ValueError, match=r"short.csv has 50 rows, too few for context 24 and horizon 12 .* need "
                                         r"130 rows"):
        check_rows("short.csv", 50, context=24, horizon=12, chunk=12, season=24)
    # every series of at least rows_needed rows fits: the cuts at ⌊0.7n⌋ and ⌊0.8n⌋ are not monotone in n
    assert all(windows_fit(n, 24, 12, 12, 24) for n in range(rows_needed(24, 12, 12, 24), 2000))
