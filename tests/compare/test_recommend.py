"""The recommendation rule (compare/recommend.py) on synthetic result tables whose answer is known by
construction: the rule as its module docstring states it is the reference."""

import math
from collections.abc import Sequence
from dataclasses import replace

import pytest

from rnnlab.compare.recommend import BreakPoint, Rule, recommend, recommend_all
from rnnlab.compare.results import RunResult

LENGTHS = (25, 50, 100, 200)
# Training throughput at T=25 (it falls as 1/T) and parameters at one budget; the RNN is the cheapest.
COST = {"rnn": (4000.0, 4_400), "lstm": (1600.0, 17_000), "gru": (2000.0, 13_000)}


def table(solved: dict[str, Sequence[int]], lengths: Sequence[int | None] = LENGTHS, seeds: int = 3,
          cost: dict[str, tuple[float, int]] = COST, task: str = "adding") -> list[RunResult]:
    """`solved[model][k]`: how many of the seeds solved at lengths[k]; solved seeds reach MSE 0.0004 in
    41 s, the others stay at 0.166, near the memoryless baseline 1/6."""
    runs = []
    for k, length in enumerate(lengths):
        for model, counts in solved.items():
            throughput, parameters = cost[model]
            for seed in range(seeds):
                ok = seed < counts[k]
                runs.append(RunResult(
                    task, length, model, seed, parameters, "solved" if ok else "not solved",
                    0.0004 if ok else 0.166, 0.0004 if ok else 0.16, "mse", True, 60.0,
                    seconds_to_solve=41.0 if ok else None, steps_to_solve=1200 if ok else None,
                    throughput=throughput * 25 / (length or 25), baseline=1 / 6, threshold=0.01))
    return runs


def test_the_rnn_is_recommended_when_it_solves_everything_and_is_cheapest() -> None:
    """Reference: every model adequate at every length; the RNN has the highest throughput."""
    rec = recommend(table({"rnn": (3, 3, 3, 3), "lstm": (3, 3, 3, 3), "gru": (3, 3, 3, 3)}), "adding")
    assert rec.model == "rnn"
    assert rec.headline.startswith("Use the RNN for adding (T=25 to T=200)")
    assert all(b.length is None for b in rec.break_points)
    assert "the RNN trains fastest" in rec.evidence[0] and "1,600 sequences/s" not in rec.evidence[0]
    assert rec.rule == Rule().text() and "within 20%" in rec.rule


def test_the_lstm_is_recommended_when_the_rnn_breaks_and_the_evidence_cites_numbers() -> None:
    """Reference: the RNN solves T=25 and 50 only, the LSTM every length: the LSTM is the only model
    adequate everywhere; the RNN's break point is T=100; the RNN's cost advantage is stated."""
    rec = recommend(table({"rnn": (3, 3, 0, 0), "lstm": (3, 3, 3, 3)}), "adding")
    assert rec.model == "lstm"
    assert "the only model adequate at every length" in rec.headline
    assert rec.break_points == (BreakPoint("rnn", 100, 50), BreakPoint("lstm", None, 200))
    text = " ".join(rec.evidence)
    assert "RNN breaks at T=100 (solves up to T=50)" in text
    assert "At T=200 (baseline 0.167, solved below 0.01): RNN solved 0/3 seeds, MSE 0.166 ± 0;" in text
    assert "LSTM solved 3/3 seeds, MSE 0.0004 ± 0 (median 41 s, 1,200 steps to solve)" in text
    assert "The RNN would be cheaper (2.5× the training throughput of the LSTM) but is adequate only at T=25 " \
           "and T=50" in text
    assert dict(rec.cheapest_per_length) == {25: "rnn", 50: "rnn", 100: "lstm", 200: "lstm"}


def test_the_lengths_the_user_cares_about_decide() -> None:
    """Reference: the same table restricted to T ≤ 50, where the RNN is adequate and cheapest."""
    runs = table({"rnn": (3, 3, 0, 0), "lstm": (3, 3, 3, 3)})
    assert recommend(runs, "adding", lengths=(25, 50)).model == "rnn"


def test_a_throughput_tie_goes_to_fewer_parameters() -> None:
    """Reference: throughputs within Rule.tie (5%) are tied; the GRU has fewer parameters than the LSTM."""
    cost = {"lstm": (2000.0, 17_000), "gru": (1950.0, 13_000)}
    rec = recommend(table({"lstm": (3, 3, 3, 3), "gru": (3, 3, 3, 3)}, cost=cost), "adding")
    assert rec.model == "gru" and "train equally fast (within 5%)" in rec.evidence[0]
    assert recommend(table({"lstm": (3,) * 4, "gru": (3,) * 4}, cost=cost), "adding", rule=Rule(tie=0.0)).model \
        == "lstm"


def test_without_throughputs_fewer_parameters_decide() -> None:
    """Reference: Rule: a model whose throughput was not measured ranks after those whose was; with none
    measured, the parameter count decides."""
    runs = table({"lstm": (3,) * 4, "gru": (3,) * 4})
    rec = recommend([replace(r, throughput=None) for r in runs], "adding")
    assert rec.model == "gru" and "no throughput was measured" in rec.evidence[0]
    partly = [replace(r, throughput=None) if r.model == "gru" else r for r in runs]
    assert recommend(partly, "adding").model == "lstm"


def test_a_complete_tie_goes_to_the_model_listed_first() -> None:
    """Reference: equal throughput and parameters: min() keeps the first model, so the answer is stable."""
    cost = {"lstm": (2000.0, 17_000), "gru": (2000.0, 17_000)}
    assert recommend(table({"lstm": (3,) * 4, "gru": (3,) * 4}, cost=cost), "adding").model == "lstm"
    assert recommend(table({"gru": (3,) * 4, "lstm": (3,) * 4}, cost=cost), "adding").model == "gru"


@pytest.mark.parametrize(("seeds", "rnn_solved", "adequate"), [(5, 4, True), (3, 2, False), (5, 3, False)])
def test_the_tolerance_forgives_one_seed_in_five_but_not_one_in_three(seeds, rnn_solved, adequate) -> None:
    """Reference: adequate iff solved fraction ≥ best − 0.2: 4/5 vs 5/5 yes; 2/3 vs 3/3 and 3/5 vs 5/5 no."""
    rec = recommend(table({"rnn": (rnn_solved,) * 4, "lstm": (seeds,) * 4}, seeds=seeds), "adding")
    assert rec.model == ("rnn" if adequate else "lstm")


def test_nothing_solved_is_said_plainly_with_the_best_attempt() -> None:
    """Reference: no seed of any model solved: no recommendation, the best mean MSE named (the LSTM's,
    set lower by hand)."""
    runs = table({"rnn": (0,) * 4, "lstm": (0,) * 4}, lengths=(200, 400))
    runs = [r if r.model == "rnn" else replace(r, final_metric=0.05) for r in runs]
    rec = recommend(runs, "adding")
    assert rec.model is None
    assert rec.headline == ("No model solved adding at any tested length (T=200 to T=400) within the budget; "
                            "the best was the LSTM with MSE 0.05 at T=200 (baseline 0.167).")
    assert rec.break_points == (BreakPoint("rnn", 200, None), BreakPoint("lstm", 200, None))


def test_unsolved_long_lengths_are_reported_beside_the_recommendation() -> None:
    """Reference: at T=200 no model solved, so T=200 is left out of the choice and named in the headline."""
    rec = recommend(table({"rnn": (3, 0, 0, 0), "lstm": (3, 3, 3, 0), "gru": (3, 3, 3, 0)}), "adding")
    assert rec.model == "gru"  # the GRU outpaces the LSTM (2,000 vs 1,600 sequences/s at T=25)
    assert "(T=25 to T=100)" in rec.headline
    assert "no model solved adding at T ≥ 200 within the budget" in rec.headline


def test_without_a_model_adequate_everywhere_the_most_adequate_is_recommended_with_care() -> None:
    """Reference: the LSTM is adequate at 3 of 4 lengths (not T=200, where only the GRU solved), the GRU
    at 2: the LSTM, with the length it misses named."""
    rec = recommend(table({"lstm": (3, 3, 3, 0), "gru": (3, 0, 0, 3)}), "adding")
    assert rec.model == "lstm"
    assert "with care" in rec.headline and "adequate at 3 of 4, not at T=200" in rec.headline


def test_diverged_and_failed_seeds_count_against_a_model_and_are_named() -> None:
    """Reference: a seed that diverged or failed did not solve; the evidence says how many."""
    runs = table({"rnn": (3,) * 4, "lstm": (3,) * 4})
    broken = {("rnn", 0): "diverged", ("rnn", 1): "failed"}
    runs = [replace(r, status=broken[(r.model, r.seed)], final_metric=math.nan)
            if (r.model, r.seed) in broken else r for r in runs]
    rec = recommend(runs, "adding")
    assert rec.model == "lstm"
    assert "RNN solved 1/3 seeds, MSE 0.0004 (median 41 s, 1,200 steps to solve) [1 diverged, 1 failed]" \
        in " ".join(rec.evidence)


def test_a_task_without_a_length_and_several_tasks() -> None:
    """Reference: a task with no knob gets a recommendation without lengths; recommend_all keeps the order
    in which the tasks first appear."""
    runs = table({"rnn": (3,), "lstm": (3,)}, task="adding", lengths=(50,)) + \
        table({"rnn": (0,), "lstm": (2,)}, task="mnist5k", lengths=(None,))
    adding, mnist = recommend_all(runs)
    assert (adding.task, adding.model, mnist.task, mnist.model) == ("adding", "rnn", "mnist5k", "lstm")
    assert mnist.headline == "Use the LSTM for mnist5k: the only model adequate at every length where any model " \
                             "solved."
    assert not any(sentence.startswith("Break points") for sentence in mnist.evidence)
    with pytest.raises(ValueError, match="no runs of task 'copy'"):
        recommend(runs, "copy")
