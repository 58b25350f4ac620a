"""The recommendation rule (compare/recommend.py, adequacy.py, ranking.py) on synthetic result tables whose
answer is known by construction: the rule as its module docstring states it is the reference, with the 95 %
intervals of compare/stats.py (Student t over seeds, Wilson on solved counts) worked out where a test depends
on them."""

import math
from collections.abc import Sequence
from dataclasses import replace

import pytest

from rnnlab.compare.adequacy import BreakPoint, Rule
from rnnlab.compare.recommend import recommend, recommend_all
from rnnlab.compare.results import RunResult
from rnnlab.compare.stats import wilson

LENGTHS = (25, 50, 100, 200)
# Training throughput at T=25 (it falls as 1/T) and parameters at one budget; the RNN is the cheapest.
COST = {"rnn": (4000.0, 4_400), "lstm": (1600.0, 17_000), "gru": (2000.0, 13_000)}
SOLVED = (0.0004, 0.0005, 0.0006)  # a solved seed's MSE, by seed: a small spread, as real seeds have
UNSOLVED = (0.166, 0.165, 0.167)  # near the memoryless baseline 1/6


def table(solved: dict[str, Sequence[int]], lengths: Sequence[int | None] = LENGTHS, seeds: int = 3,
          cost: dict[str, tuple[float, int]] = COST, task: str = "adding") -> list[RunResult]:
    """`solved[model][k]`: how many of the seeds solved at lengths[k]; solved seeds reach MSE 0.0004-0.0006
    in 41 s, the others stay near 0.166. Throughputs are the same for every seed (no timing noise)."""
    runs = []
    for k, length in enumerate(lengths):
        for model, counts in solved.items():
            throughput, parameters = cost[model]
            for seed in range(seeds):
                ok = seed < counts[k]
                final = SOLVED[seed % 3] if ok else UNSOLVED[seed % 3]
                runs.append(RunResult(
                    task, length, model, seed, parameters, "solved" if ok else "not solved",
                    final, final, "mse", True, 60.0,
                    seconds_to_solve=41.0 if ok else None, steps_to_solve=1200 if ok else None,
                    throughput=throughput * 25 / (length or 25), baseline=1 / 6, threshold=0.01))
    return runs


def test_the_rnn_is_recommended_when_it_solves_everything_and_is_cheapest() -> None:
    """Reference: every model adequate at every length (the same metrics, level); the RNN trains fastest."""
    rec = recommend(table({"rnn": (3, 3, 3, 3), "lstm": (3, 3, 3, 3), "gru": (3, 3, 3, 3)}), "adding")
    assert rec.model == "rnn" and rec.tied_with == ()
    assert rec.headline.startswith("Use the RNN for adding (T=25 to T=200)")
    assert all(b.length is None for b in rec.break_points)
    assert "the RNN trains fastest" in rec.evidence[0]
    assert rec.rule == Rule().text() and "95% intervals over seeds overlap" in rec.rule


def test_the_lstm_is_recommended_when_the_rnn_breaks_and_the_evidence_cites_numbers() -> None:
    """Reference: the RNN solves T=25 and 50 only, the LSTM every length: the LSTM is the only model adequate
    everywhere; the RNN's break point is T=100 with 0/3 seeds solved there (Wilson 0.00-0.56); its cost
    advantage is stated; the t-interval of SOLVED is 0.0005 ± 4.303 · 0.0001 / √3."""
    rec = recommend(table({"rnn": (3, 3, 0, 0), "lstm": (3, 3, 3, 3)}), "adding")
    assert rec.model == "lstm"
    assert "the only model adequate at every length" in rec.headline
    assert rec.break_points == (BreakPoint("rnn", 100, 50, (0, 3), wilson(0, 3)), BreakPoint("lstm", None, 200))
    text = " ".join(rec.evidence)
    assert "RNN breaks at T=100 (solves up to T=50; 0/3 seeds solved there, 95% interval 0.00–0.56)" in text
    assert "LSTM solved 3/3 seeds, MSE 0.0005 ± 0.0001 (95% interval 0.000252 to 0.000748)" in text
    assert "The RNN would be cheaper (2.5× the training throughput of the LSTM) but is adequate only at T=25 " \
           "and T=50" in text
    assert dict(rec.cheapest_per_length) == {25: "rnn", 50: "rnn", 100: "lstm", 200: "lstm"}


def test_the_lengths_the_user_cares_about_decide() -> None:
    """Reference: the same table restricted to T ≤ 50, where the RNN is adequate and cheapest."""
    runs = table({"rnn": (3, 3, 0, 0), "lstm": (3, 3, 3, 3)})
    assert recommend(runs, "adding", lengths=(25, 50)).model == "rnn"


def test_a_throughput_tie_goes_to_fewer_parameters_and_the_tie_is_named() -> None:
    """Reference: throughputs within Rule.tie (5%) are tied; the GRU has fewer parameters than the LSTM and
    is chosen, the LSTM named as tied; with no tolerance and no timing noise the faster LSTM wins."""
    cost = {"lstm": (2000.0, 17_000), "gru": (1950.0, 13_000)}
    rec = recommend(table({"lstm": (3, 3, 3, 3), "gru": (3, 3, 3, 3)}, cost=cost), "adding")
    assert rec.model == "gru" and rec.tied_with == ("lstm",)
    assert "train equally fast" in rec.evidence[0] and "LSTM is as good a choice (tied)" in rec.headline
    assert recommend(table({"lstm": (3,) * 4, "gru": (3,) * 4}, cost=cost), "adding", rule=Rule(tie=0.0)).model \
        == "lstm"


def test_throughputs_apart_by_less_than_their_noise_are_a_tie() -> None:
    """Reference: the LSTM's seeds run at 1800-2200 sequences/s and the GRU's at 1500-2500: 20% apart on
    average, but the 95% interval of the ratio (stats.log_ratio_interval) contains 1, so they tie."""
    runs = table({"lstm": (3,), "gru": (3,)}, lengths=(25,), cost={"lstm": (2000.0, 17_000), "gru": (1600.0, 13_000)})
    noisy = {("lstm", 0): 1800.0, ("lstm", 1): 2000.0, ("lstm", 2): 2200.0,
             ("gru", 0): 1500.0, ("gru", 1): 1300.0, ("gru", 2): 2500.0}
    runs = [replace(r, throughput=noisy[(r.model, r.seed)]) for r in runs]
    rec = recommend(runs, "adding")
    assert rec.model == "gru" and rec.tied_with == ("lstm",)


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


def test_a_model_solving_most_seeds_is_level_when_its_spread_covers_the_best() -> None:
    """Reference: the rule: adequate = solves (at least half the seeds) and level with the best. The RNN's 2
    of 3 solved seeds and one at 0.167 give an interval that overlaps the LSTM's: adequate, and cheaper. One
    solved seed of three does not solve the length."""
    assert recommend(table({"rnn": (2,) * 4, "lstm": (3,) * 4}), "adding").model == "rnn"
    assert recommend(table({"rnn": (1,) * 4, "lstm": (3,) * 4}), "adding").model == "lstm"


def test_a_model_that_solves_but_is_clearly_worse_than_the_best_is_not_adequate() -> None:
    """Reference: every seed of both models solves, but the RNN's MSE (0.0090-0.0092) is clearly worse than
    the LSTM's (0.0004-0.0006): intervals apart, so only the LSTM is adequate."""
    runs = [replace(r, final_metric=0.009 + 0.0001 * r.seed) if r.model == "rnn" else r
            for r in table({"rnn": (3,) * 4, "lstm": (3,) * 4})]
    assert recommend(runs, "adding").model == "lstm"


def test_nothing_solved_is_said_plainly_with_the_best_attempt() -> None:
    """Reference: no seed of any model solved: no recommendation, the best mean MSE named (the LSTM's,
    set lower by hand)."""
    runs = table({"rnn": (0,) * 4, "lstm": (0,) * 4}, lengths=(200, 400))
    runs = [r if r.model == "rnn" else replace(r, final_metric=0.05) for r in runs]
    rec = recommend(runs, "adding")
    assert rec.model is None
    assert rec.headline == ("No model solved adding at any tested length (T=200 to T=400) within the budget; "
                            "the best was the LSTM with MSE 0.05 at T=200 (baseline 0.167).")
    assert [(b.model, b.length, b.longest_solved) for b in rec.break_points] == [("rnn", 200, None),
                                                                                ("lstm", 200, None)]


def test_runs_still_improving_when_the_budget_ran_out_are_flagged() -> None:
    """Reference: issue 13's 'may solve with more budget': the RNN's unsolved runs at T=100 were still
    improving, so its break point says so, and so does the evidence at that length."""
    runs = [replace(r, still_improving=True, stop_reason="budget")
            if r.model == "rnn" and r.status == "not solved" else r for r in table({"rnn": (3, 3, 0, 0),
                                                                                  "lstm": (3, 3, 3, 3)})]
    rec = recommend(runs, "adding")
    rnn = next(b for b in rec.break_points if b.model == "rnn")
    assert rnn.may_solve_with_more_budget and "may solve with more budget" in " ".join(rec.evidence)
    assert "3 still improving at the end of the budget" in " ".join(rec.evidence)


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
    assert "RNN solved 1/3 seeds, MSE 0.0006 (median 41 s, 1,200 steps to solve) [1 diverged, 1 failed]" \
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


def real(model: str, accuracies: Sequence[float], throughput: float, parameters: int,
         baselines: tuple[tuple[str, float], ...] = ()) -> list[RunResult]:
    """A real data set's test-split accuracies per seed: no threshold, so no solving."""
    return [RunResult("sentiment", None, model, seed, parameters, "not solved", value, value, "accuracy", False,
                      60.0, throughput=throughput, baselines=baselines) for seed, value in enumerate(accuracies)]


def test_real_data_is_judged_on_the_test_metric_with_the_cheapest_level_model_chosen() -> None:
    """Reference: rule step 2 without a threshold: the GRU (0.71-0.72) and the LSTM (0.70-0.72) are level, the
    RNN (0.60-0.62) clearly worse; the GRU is cheaper than the LSTM."""
    runs = (real("rnn", (0.60, 0.61, 0.62), 5000.0, 4_400) + real("lstm", (0.70, 0.71, 0.72), 1500.0, 17_000)
            + real("gru", (0.71, 0.715, 0.72), 2000.0, 13_000))
    rec = recommend(runs, "sentiment")
    assert rec.model == "gru" and dict(rec.adequate)[None] == ("lstm", "gru")
    assert "level with the best on the test metric" in rec.headline


def test_no_recurrent_model_beats_bag_of_words_is_an_answer() -> None:
    """Reference: rule step 4 and issue 13's user CSV: bag of words scores 0.78, every model's interval lies
    below it: no model is recommended, and the baseline is named."""
    baselines = (("majority", 0.578), ("bag of words", 0.78))
    runs = real("lstm", (0.70, 0.71, 0.72), 1500.0, 17_000, baselines) + real("gru", (0.71, 0.715, 0.72), 2000.0,
                                                                             13_000, baselines)
    rec = recommend(runs, "sentiment")
    assert rec.model is None and rec.baseline == ("bag of words", 0.78)
    assert rec.headline.startswith("No model beats the bag of words baseline on sentiment (accuracy 0.78): use it")
    level = real("gru", (0.70, 0.78, 0.86), 2000.0, 13_000, baselines)
    rec = recommend(level, "sentiment")
    assert rec.model == "gru" and "no model is clearly better than the bag of words baseline" in " ".join(
        rec.evidence)
