"""Which model to use for a task, derived from the numbers by a stated rule, with the numbers cited.

The rule (`Rule.text` prints it with its settings; the defaults are):

1. A model *solves* a length when at least half its seeds solved there (`solves_at`). Its *break point*
   is the shortest tested length it does not solve: the crossover on the metric-vs-length curve. Each
   solved count comes with its 95 % Wilson interval, and a break point where unsolved runs were still
   improving when their budget ran out is flagged "may solve with more budget".
2. Each model's final test metric over its seeds gives a 95 % Student-t interval for its mean
   (stats.py). At a length, a model is *adequate* when it is *level with the best* model there (their
   intervals overlap) and, on a task with a "solved" threshold, it solves the length. Lengths where no
   model solves say nothing about which model to prefer: they are left out and reported as unsolved.
   A task without a threshold (a real data set) is judged on its held-out test metric alone.
3. The recommended model is adequate at the most of the remaining lengths (all of them, if any model
   is) and, among those, the cheapest: the highest training throughput (geometric mean over those
   lengths, so each length weighs the same). Throughputs within the noise of the runs' own timings, or
   within 5 % (`tie`), are *tied*; a tie goes to fewer parameters, and the others tied are named.
4. Where the task has classical baselines (bag of words, seasonal naive, unigram, ...), the strongest
   stands beside the models: when every model is clearly worse than it, no model is recommended.

Nothing here knows which model "should" win: if the RNN is adequate everywhere and cheapest, it is
recommended; if no model solved anything, the recommendation says so and names the best attempt.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.compare.adequacy import BreakPoint, Rule, adequate_models, best_of, break_point, thresholded
from rnnlab.compare.evidence import against_baseline, equal_compute, length_sentence, nothing_solved
from rnnlab.compare.ranking import cheapest, geomean
from rnnlab.compare.results import (
    RunResult,
    length_name,
    metric_name,
    model_name,
    summarise_all,
    tasks_of,
)
from rnnlab.compare.wording import Length, at_lengths, names, num, span, the


@dataclass(frozen=True)
class Recommendation:
    task: str
    model: str | None  # None when no model solved, or every model is clearly worse than a classical baseline
    headline: str  # the recommendation in one plain sentence
    rule: str  # the rule, as `Rule.text` states it
    evidence: tuple[str, ...]  # sentences citing the numbers the recommendation rests on
    break_points: tuple[BreakPoint, ...]  # one per model, in the order the models first appear
    cheapest_per_length: tuple[tuple[Length, str | None], ...]  # the cheapest adequate model at each length
    tied_with: tuple[str, ...] = ()  # models as good a choice: adequate as often, throughput tied
    adequate: tuple[tuple[Length, tuple[str, ...]], ...] = ()  # the adequate models at each length considered
    baseline: tuple[str, float] | None = None  # the strongest classical baseline on the test metric, if any


def recommend(runs: Sequence[RunResult], task: str, lengths: Sequence[Length] | None = None,
              rule: Rule | None = None) -> Recommendation:
    """The recommendation for `task` over `lengths` (default: every length it was run at)."""
    rule = rule or Rule()
    summaries = [s for s in summarise_all(runs) if s.task == task and (lengths is None or s.length in lengths)]
    if not summaries:
        raise ValueError(f"no runs of task {task!r}" + (f" at lengths {list(lengths)}" if lengths else ""))
    with_threshold = thresholded(summaries)
    tested = list(dict.fromkeys(s.length for s in summaries))
    models = list(dict.fromkeys(s.model for s in summaries))
    at = {length: [s for s in summaries if s.length == length] for length in tested}
    adequate = {length: adequate_models(at[length], rule, with_threshold) for length in tested}
    solved = [length for length in tested if adequate[length]]
    unsolved = [length for length in tested if not adequate[length]]
    parameters = {m: statistics.median_low(s.parameters for s in summaries if s.model == m) for m in models}
    mine = [r for r in runs if r.task == task]
    per_length = tuple((length, cheapest(adequate[length], mine, parameters, [length], task, rule.tie).choice
                        if adequate[length] else None) for length in tested)
    breaks = tuple(break_point(model, summaries, rule) for model in models)

    # The evidence reads from the decision down to the numbers it rests on.
    details = []
    if tested != [None]:
        details.append(f"Break points (shortest tested length where fewer than {rule.solves_at:.0%} of the seeds "
                       "solved): " + "; ".join(b.sentence(task, tested) for b in breaks) + ".")
    if len(solved) > 1:
        details.append("Cheapest adequate model per length: " + "; ".join(
            f"{length_name(task, length)}: {model_name(model)}" for length, model in per_length if model) + ".")
    details += [length_sentence(task, length, at[length]) for length in tested]
    said_adequate = tuple((length, tuple(adequate[length])) for length in tested)
    nothing = nothing_solved(task, tested, unsolved, at) if unsolved else ""
    if not solved:
        return Recommendation(task, None, nothing[0].upper() + nothing[1:] + ".", rule.text(), tuple(details),
                              breaks, per_length, adequate=said_adequate)

    counts = {model: sum(model in adequate[length] for length in solved) for model in models}
    most = max(counts.values())
    contenders = [model for model in models if counts[model] == most]
    over = span(task, solved)
    ranking = cheapest(contenders, mine, parameters, solved, task, rule.tie, over)
    choice = ranking.choice
    over_said = f" ({over})" if over else ""
    if most < len(solved):
        missed = [length for length in solved if choice not in adequate[length]]
        headline = (f"Use {the(choice)} for {task}{over_said}, with care: no model was adequate at every length; "
                    f"it was adequate at {most} of {len(solved)}, not{at_lengths(task, missed)}")
        where = f"{most} of {len(solved)} lengths"
    elif len(contenders) == 1:
        only = "every length where any model solved" if with_threshold else "its test metric"
        headline = (f"Use {the(choice)} for {task}{over_said}: the only model adequate at {only}" if with_threshold
                    else f"Use {the(choice)} for {task}: the only model level with the best on {only}")
        where = "every length where any model solved" if with_threshold else "the test metric"
    else:
        kind = "every length where any model solved" if with_threshold else "the test metric (intervals overlap)"
        headline = (f"Use {the(choice)} for {task}{over_said}: the cheapest of the {len(contenders)} models "
                    f"adequate at {kind} ({names(contenders)})" if with_threshold else
                    f"Use {the(choice)} for {task}: the cheapest of the {len(contenders)} models level with the best "
                    f"on {kind} ({names(contenders)})")
        where = "every length where any model solved" if with_threshold else "the test metric"
    if ranking.tied:
        headline += f"; {names(ranking.tied)} {'is' if len(ranking.tied) == 1 else 'are'} as good a choice (tied)"
    if nothing:
        headline += f"; {nothing}"
    baseline, versus, all_worse = against_baseline(task, summaries, choice)
    decision = [f"Adequate at {where}: {names(contenders)}" + (f"; {ranking.why}." if ranking.why else "."),
                *_price_of_choice(task, choice, models, mine, parameters, adequate, solved, rule)]
    if versus:
        decision.append(versus)
    compute = equal_compute(task, solved, at)
    if compute:
        decision.append(compute)
    if all_worse and baseline is not None:
        best = best_of(summaries, summaries[0].lower_is_better)
        headline = (f"No model beats the {baseline[0]} baseline on {task} ({metric_name(summaries[0].metric)} "
                    f"{num(baseline[1])}): use it; the best model was {the(best.model) if best else 'none'}"
                    + (f" with {num(best.metric_mean)}" if best else ""))
        return Recommendation(task, None, headline + ".", rule.text(), (*decision, *details), breaks, per_length,
                              adequate=said_adequate, baseline=baseline)
    return Recommendation(task, choice, headline + ".", rule.text(), (*decision, *details), breaks, per_length,
                          ranking.tied, said_adequate, baseline)


def _price_of_choice(task: str, choice: str, models: Sequence[str], runs: Sequence[RunResult],
                     parameters: dict[str, int], adequate: dict[Length, list[str]], solved: Sequence[Length],
                     rule: Rule) -> list[str]:
    """What the choice costs against the cheapest model of all, when that one is not the choice."""
    cheapest_of_all = cheapest(models, runs, parameters, solved, task, rule.tie)
    if cheapest_of_all.choice == choice or choice in cheapest_of_all.tied:
        return []
    other = cheapest_of_all.choice
    fast = geomean([r.throughput for r in runs if r.model == other and r.length in solved and r.throughput])
    slow = geomean([r.throughput for r in runs if r.model == choice and r.length in solved and r.throughput])
    speed = f"{fast / slow:.2g}× the training throughput of {the(choice)}" if fast and slow else "cheaper"
    own = [length for length, names in adequate.items() if other in names]
    where = f"only{at_lengths(task, own)}" if own else "at no length"
    return [f"The {model_name(other)} would be cheaper ({speed}) but is adequate {where}."]


def recommend_all(runs: Sequence[RunResult], rule: Rule | None = None) -> list[Recommendation]:
    """One recommendation per task, in the order the tasks first appear."""
    return [recommend(runs, task, rule=rule) for task in tasks_of(runs)]
