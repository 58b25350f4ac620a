"""The quick comparison: equal parameter budgets, equal time, one row per model."""

import pytest

from rnnlab.compare.quick import QuickConfig, QuickRow, run_quick
from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.models.registry import ModelConfig, build_model, count_parameters, hidden_size_for_budget


def test_run_quick_rows_within_budget():
    """Reference: hidden_size_for_budget and count_parameters called directly for each model: every row
    has the largest hidden size within the budget, its model's parameter count, and a run that ended
    by time (1 s) or by solving the task, with its progress reported through on_eval."""
    config = QuickConfig(models=("rnn", "lstm"), length=10, seconds=1.0, budget=2000)
    reported: dict[str, list[int]] = {}
    rows = run_quick(config, lambda name, record: reported.setdefault(name, []).append(record.step))
    io = AddingTask(AddingConfig(length=10)).io
    assert [row.model for row in rows] == ["rnn", "lstm"]
    for row in rows:
        assert isinstance(row, QuickRow)
        assert row.hidden_size == hidden_size_for_budget(ModelConfig(row.model), io, config.budget)
        assert row.parameters == count_parameters(build_model(ModelConfig(row.model, hidden_size=row.hidden_size), io))
        assert row.parameters <= config.budget
        final = row.result.final
        assert final.seconds >= config.seconds or row.result.solved
        assert reported[row.model] == [r.step for r in row.result.records]
        assert row.sequences_per_second == pytest.approx(final.sequences / final.seconds)
