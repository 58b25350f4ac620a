"""Spans, scalers and features (reference: hand-worked statistics; and the no-look-ahead property: the
test and validation spans' values change nothing that training sees)."""

import numpy as np
import pytest
import torch

from rnnlab.data.forecasting.prepare import Layout, Scaler, chronological_spans, known_future, prepare
from rnnlab.data.forecasting.series import Series
from rnnlab.data.forecasting.windows import training_origins, window_inputs, window_rows, window_targets

LAYOUT = Layout("y", past=("p",), known=("k",), calendar=("hour",))


def hourly(values):
    start = float(np.datetime64("2024-01-01T00:00", "s").astype(np.int64))
    times = start + 3600 * torch.arange(len(values), dtype=torch.float64)
    return Series("test", values, ("y", "p", "k"), times, datetime=True)


def random_series(n=200, seed=0):
    generator = torch.Generator().manual_seed(seed)
    values = torch.randn(n, 3, generator=generator, dtype=torch.float64).cumsum(0) + 50
    return hourly(values)


def test_spans_are_disjoint_ordered_and_cover_every_row():
    """Reference: the fixed fractions 70 / 10 / 20 %: 100 rows -> 0..69, 70..79, 80..99."""
    spans = chronological_spans(100)
    assert (spans.train, spans.validation, spans.test) == (range(0, 70), range(70, 80), range(80, 100))
    for n in (10, 17, 999):
        s = chronological_spans(n)
        assert s.train.stop == s.validation.start and s.validation.stop == s.test.start and s.test.stop == n
        assert list(s.train) + list(s.validation) + list(s.test) == list(range(n))


def test_the_scaler_is_the_training_mean_and_population_std():
    """Hand-worked: 1, 2, 3, 4 -> mean 2.5, std √1.25; differences 1, 1, 1 -> std 0, scaled by 1."""
    scaler = Scaler.fit(torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64))
    assert float(scaler.center[0]) == 2.5 and float(scaler.scale[0]) == pytest.approx(1.25 ** 0.5)
    assert float(Scaler.fit_differences(torch.tensor([[1.0], [2.0], [3.0]])).scale[0]) == 1.0
    torch.testing.assert_close(scaler.transform(torch.tensor([7.0], dtype=torch.float64)),
                               torch.tensor([(7.0 - 2.5) / 1.25 ** 0.5], dtype=torch.float64))


@pytest.mark.parametrize("relative", [False, True])
def test_changing_the_test_and_validation_spans_changes_nothing_training_sees(relative):
    """The leakage test: multiply every value after the training span by 10 (and shift it); the scalers, the
    training rows' features and every training window (inputs and targets) stay exactly the same."""
    layout = Layout("y", ("p",), ("k",), ("hour",), relative=relative)
    original = random_series()
    changed_values = original.values.clone()
    train_end = chronological_spans(len(original)).train.stop
    changed_values[train_end:] = changed_values[train_end:] * 10 + 1000
    changed = hourly(changed_values)
    a, b = prepare(original, layout, season=24), prepare(changed, layout, season=24)
    assert torch.equal(a.target_scaler.center, b.target_scaler.center)
    assert torch.equal(a.target_scaler.scale, b.target_scaler.scale)
    assert torch.equal(a.features[:train_end], b.features[:train_end])
    assert a.to_original(torch.tensor([0.5])) == b.to_original(torch.tensor([0.5]))
    origins = training_origins(a.spans, context=12, steps=6)
    rows_a, rows_b = (window_rows(p.features, origins, 12, 6) for p in (a, b))
    inputs_a, offset_a = window_inputs(rows_a, 12, layout)
    inputs_b, offset_b = window_inputs(rows_b, 12, layout)
    assert torch.equal(inputs_a, inputs_b) and torch.equal(offset_a, offset_b)
    assert torch.equal(window_targets(rows_a, 12, offset_a), window_targets(rows_b, 12, offset_b))
    assert not torch.equal(a.features, b.features)  # the change did reach the later spans


def test_features_are_target_past_known_calendar():
    prepared = prepare(random_series(), LAYOUT, season=24)
    assert prepared.features.shape == (200, LAYOUT.n_features) == (200, 5)
    assert LAYOUT.input_size == 6  # and the flag marking forecast steps
    train = prepared.features[:140]
    torch.testing.assert_close(train[:, :3].mean(0), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(train[:, :3].std(0, correction=0), torch.ones(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(prepared.to_original(prepared.features[:, 0]), prepared.target)


def test_log_needs_positive_values_and_inverts_exactly():
    series = random_series()
    prepared = prepare(series, Layout("y", log=True), season=1)
    torch.testing.assert_close(prepared.to_original(prepared.features[:, 0]), prepared.target, rtol=1e-6, atol=0)
    values = series.values.clone()
    values[5, 0] = -1.0
    with pytest.raises(ValueError, match="log needs positive 'y' values; row 5 is -1"):
        prepare(hourly(values), Layout("y", log=True), season=1)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="test has no column 'nope'; its columns are y, p, k"):
        prepare(random_series(), Layout("y", past=("nope",)), season=1)
    with pytest.raises(ValueError, match="p named twice"):
        prepare(random_series(), Layout("y", past=("p",), known=("p",)), season=1)


def test_known_covariates_past_the_end_repeat_the_last_season():
    """Reference: with season 24, future step s takes the known covariate of row N − 24 + (s mod 24)."""
    prepared = prepare(random_series(), LAYOUT, season=24)
    future = prepared.series.times[-1] + 3600 * torch.arange(1, 30, dtype=torch.float64)
    rows = known_future(prepared, future)  # (29, F)
    assert torch.equal(rows[:, 2], prepared.features[200 - 24 + torch.arange(29) % 24, 2])
    assert torch.equal(rows[:, :2], torch.zeros(29, 2))  # target and past covariate: unknown
    torch.testing.assert_close(rows[0, 3:], prepared.features[200 - 24, 3:])  # the calendar's daily cycle
