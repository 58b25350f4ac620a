"""Our runs beside published results (compare/literature.py): each contrast's direction on synthetic runs whose
answer is known, and "not comparable" (with the reason) where the setting was not run."""

from collections.abc import Sequence

from rnnlab.compare.literature import compare_with_literature, hochreiter_1997, jozefowicz_2015, le_2015
from rnnlab.compare.report.literature import literature_section
from rnnlab.compare.results import RunResult


def runs(length: int, model: str, solved: int, metrics: Sequence[float] | None = None, task: str = "adding",
         steps_to_solve: int = 2000) -> list[RunResult]:
    out = []
    for seed in range(3):
        ok = seed < solved
        value = metrics[seed] if metrics else (0.001 + 0.0001 * seed if ok else 0.165 + 0.001 * seed)
        out.append(RunResult(task, length, model, seed, 17_000, "solved" if ok else "not solved", value, value, "mse",
                             True, 10.0, steps_to_solve=steps_to_solve if ok else None, steps=4000, batch_size=32,
                             baseline=1 / 6, threshold=0.01))
    return out


def test_nothing_run_is_not_comparable_and_the_section_is_left_out() -> None:
    comparisons = compare_with_literature(runs(10, "rnn", 3))
    assert {c.direction for c in comparisons} == {"not comparable"} and all(c.why for c in comparisons)
    assert literature_section(comparisons) is None


def test_hochreiter_1997_agrees_when_the_lstm_solves_adding_at_100() -> None:
    """Reference: their table 7 (T=100, 74,000 sequences): our LSTM solves T=100 in 2,000 steps of 32."""
    found = hochreiter_1997(runs(100, "lstm", 3))
    assert found.direction == "agrees" and "64,000 training sequences" in found.ours
    assert hochreiter_1997(runs(100, "lstm", 0)).direction == "disagrees"  # 128,000 sequences spent, unsolved


def test_le_2015_needs_t_150_and_compares_the_tanh_rnn_with_the_lstm_and_irnn() -> None:
    """Reference: their figure 2: tanh RNN fails at T ≥ 150, LSTM and IRNN solve."""
    assert le_2015(runs(100, "rnn", 0) + runs(100, "lstm", 3)).direction == "not comparable"
    agrees = runs(150, "rnn", 0) + runs(150, "lstm", 3) + runs(150, "irnn", 2)
    assert le_2015(agrees).direction == "agrees"
    assert le_2015(runs(150, "rnn", 3) + runs(150, "lstm", 3)).direction == "disagrees"


def test_jozefowicz_2015_orders_the_forget_biases_beyond_the_noise() -> None:
    """Reference: their section 4: bias 1 beats bias 0; level metrics are inconclusive, never agreement."""
    better = runs(100, "lstm", 3) + runs(100, "lstm-fb0", 0)
    assert jozefowicz_2015(better).direction == "agrees"
    same = runs(100, "lstm", 3) + runs(100, "lstm-fb0", 3)
    assert jozefowicz_2015(same).direction == "inconclusive"
    assert jozefowicz_2015(runs(100, "lstm-fb0", 0) + runs(100, "lstm", 0, [0.1, 0.2, 0.3])).direction != "agrees"


def test_the_section_lists_every_contrast_with_a_summary() -> None:
    section = literature_section(compare_with_literature(runs(150, "rnn", 0) + runs(150, "lstm", 3)))
    assert section is not None and "2 agrees" in section.markdown and "3 not comparable" in section.markdown
    assert section.html.count("<tr") == 6  # the header and five contrasts
