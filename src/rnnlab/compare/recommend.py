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

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.compare.results import (
    ModelSummary,
    RunResult,
    length_name,
    metric_name,
    model_name,
    solved_when,
    summarise_all,
    tasks_of,
)
from rnnlab.compare.stats import Interval, beyond, log_ratio_interval

Length = int | None


@dataclass(frozen=True)
class Rule:
    solves_at: float = 0.5  # a model solves a length when at least this share of its seeds solved
    tie: float = 0.05  # relative throughput difference that always counts as a tie, whatever the noise

    def __post_init__(self) -> None:
        for name in ("solves_at", "tie"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a fraction between 0 and 1, got {getattr(self, name)}")

    def text(self) -> str:
        return (f"At each length, a model is adequate when its final test metric is level with the best model's "
                f"(their 95% intervals over seeds overlap) and, where the task has a threshold, it solves the length "
                f"(at least {self.solves_at:.0%} of its seeds solved); lengths no model solves are left out. The "
                f"recommended model is adequate at the most lengths and, among those, has the highest training "
                f"throughput (geometric mean over the lengths); throughputs within the runs' timing noise or within "
                f"{self.tie:.0%} are tied, and a tie goes to fewer parameters. A model's break point is the shortest "
                f"tested length at which fewer than {self.solves_at:.0%} of its seeds solved.")


@dataclass(frozen=True)
class BreakPoint:
    model: str
    length: Length  # the shortest tested length the model does not solve; None: it solves every one
    longest_solved: Length  # the longest tested length it solves; None: none
    solved: tuple[int, int] | None = None  # seeds solved, seeds run, at the break point
    interval: Interval | None = None  # 95 % Wilson interval of the solved fraction at the break point
    may_solve_with_more_budget: bool = False  # unsolved runs at the break point were still improving

    def sentence(self, task: str, lengths: Sequence[Length]) -> str:
        name = model_name(self.model)
        if self.length is None:
            return f"{name} solves every tested length, up to {length_name(task, _longest(lengths))}"
        detail = ""
        if self.solved is not None and self.interval is not None:
            detail = (f"; {self.solved[0]}/{self.solved[1]} seeds solved there, 95% interval "
                      f"{self.interval.low:.2f}–{self.interval.high:.2f}")
        if self.may_solve_with_more_budget:
            detail += "; still improving when the budget ran out: may solve with more budget"
        if self.longest_solved is None:
            return f"{name} breaks already at {length_name(task, self.length)}, the shortest tested{detail}"
        broke = f"{name} breaks at {length_name(task, self.length)}"
        if self.longest_solved < self.length:
            return f"{broke} (solves up to {length_name(task, self.longest_solved)}{detail})"
        return f"{broke} (though it solves {length_name(task, self.longest_solved)}{detail})"


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


def _longest(lengths: Sequence[Length]) -> Length:
    known = [length for length in lengths if length is not None]
    return max(known) if known else None


def _num(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


def _lengths(task: str, lengths: Sequence[Length]) -> str:
    """'T=25, T=50 and T=100', or '' for a task without a length."""
    names = [length_name(task, length) for length in lengths if length is not None]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _span(task: str, lengths: Sequence[Length]) -> str:
    """'T=25 to T=400', 'T=25', or '' for a task without a length."""
    known = sorted(length for length in lengths if length is not None)
    if len(known) <= 1:
        return _lengths(task, known)
    return f"{length_name(task, known[0])} to {length_name(task, known[-1])}"


def the(model: str) -> str:
    """A model named in a sentence: 'the RNN'."""
    return f"the {model_name(model)}"


def _at(task: str, lengths: Sequence[Length]) -> str:
    said = _lengths(task, lengths)
    return f" at {said}" if said else ""


def _names(models: Sequence[str]) -> str:
    names = [model_name(model) for model in models]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def solves(s: ModelSummary, rule: Rule) -> bool:
    return s.solved_fraction >= rule.solves_at - 1e-9


def thresholded(summaries: Sequence[ModelSummary]) -> bool:
    """Whether the task says when it is solved (synthetic tasks), or is judged on its metric alone."""
    return any(s.threshold is not None for s in summaries)


def best_of(at_length: Sequence[ModelSummary], lower_is_better: bool) -> ModelSummary | None:
    finite = [s for s in at_length if s.n_finite]
    sign = 1 if lower_is_better else -1
    return min(finite, key=lambda s: sign * s.metric_mean) if finite else None


def level(a: ModelSummary, b: ModelSummary) -> bool:
    """Two models' mean metrics are level: their 95 % intervals overlap (or one has no interval)."""
    if a.metric_interval is None or b.metric_interval is None:
        return a.metric_interval is None and b.metric_interval is None
    return a.metric_interval.overlaps(b.metric_interval)


def adequate_models(at_length: Sequence[ModelSummary], rule: Rule, with_threshold: bool) -> list[str]:
    """Step 2 of the rule at one length: the models level with the best (and solving, with a threshold)."""
    contenders = [s for s in at_length if solves(s, rule)] if with_threshold else list(at_length)
    best = best_of(contenders, at_length[0].lower_is_better)
    if best is None:
        return []
    return [s.model for s in contenders if level(s, best)]


def _throughputs(runs: Sequence[RunResult], model: str, lengths: Sequence[Length]) -> list[float]:
    """The model's per-run training throughputs at `lengths`, each divided by the geometric mean of every
    model's runs at its length, so lengths of different speed can be pooled."""
    pooled = []
    for length in lengths:
        here = [r.throughput for r in runs if r.length == length and r.throughput and r.throughput > 0]
        if not here:
            continue
        scale = math.exp(statistics.fmean(math.log(t) for t in here))
        pooled += [r.throughput / scale for r in runs
                   if r.model == model and r.length == length and r.throughput and r.throughput > 0]
    return pooled


def _geomean(values: Sequence[float]) -> float | None:
    positive = [v for v in values if v > 0]
    return math.exp(statistics.fmean(math.log(v) for v in positive)) if positive else None


@dataclass(frozen=True)
class CostRanking:
    choice: str
    tied: tuple[str, ...]  # tied with the choice, the choice excluded
    why: str  # a sentence saying why


def cheapest(models: Sequence[str], runs: Sequence[RunResult], parameters: dict[str, int],
             lengths: Sequence[Length], task: str, rule: Rule, over: str = "") -> CostRanking:
    """The cheapest of `models` by training throughput at `lengths`, ties (noise or `rule.tie`) going to
    fewer parameters; `over` names the lengths the costs are over."""
    mine = [r for r in runs if r.task == task]
    pooled = {m: _throughputs(mine, m, lengths) for m in models}
    raw = {m: _geomean([r.throughput for r in mine if r.model == m and r.length in lengths and r.throughput])
           for m in models}
    measured = [m for m in models if pooled[m]]
    if not measured:
        choice = min(models, key=lambda m: parameters[m])
        listed = "; ".join(f"{model_name(m)} {parameters[m]:,} parameters" for m in models)
        return CostRanking(choice, (), f"no throughput was measured and {the(choice)} has the fewest parameters "
                                       f"({listed})" if len(models) > 1 else "")
    fastest = max(measured, key=lambda m: _geomean(pooled[m]) or 0.0)

    def tied_with_fastest(m: str) -> bool:
        if m == fastest:
            return True
        ratio = log_ratio_interval(pooled[fastest], pooled[m])
        close = (_geomean(pooled[m]) or 0.0) >= (1 - rule.tie) * (_geomean(pooled[fastest]) or 0.0)
        return close or (ratio is not None and ratio.contains(1.0))

    # A model whose throughput was not measured ranks after every model whose throughput was.
    tied = [m for m in measured if tied_with_fastest(m)]
    choice = min(tied, key=lambda m: parameters[m])  # min keeps the first-appearing model among equals
    others = [m for m in models if m != choice]
    if not others:
        return CostRanking(choice, (), "")

    def cost(model: str) -> str:
        rate = raw[model]
        said = "throughput not measured" if rate is None else f"{rate:,.0f} sequences/s"
        return f"{model_name(model)} {said}, {parameters[model]:,} parameters"

    listed = "; ".join(cost(m) for m in [choice, *others])
    mean = f"geometric mean of training throughput over {over}" if over else "training throughput"
    if len(tied) > 1:
        return CostRanking(choice, tuple(m for m in tied if m != choice),
                           f"{', '.join(model_name(m) for m in tied)} train equally fast (within the timing noise or "
                           f"{rule.tie:.0%}) and {the(choice)} has the fewest parameters ({mean}: {listed})")
    return CostRanking(choice, (), f"{the(choice)} trains fastest ({mean}: {listed})")


def _length_sentence(task: str, length: Length, at_length: Sequence[ModelSummary]) -> str:
    first = at_length[0]
    metric = metric_name(first.metric)
    about = [f"baseline {_num(first.baseline)}" if first.baseline is not None else "",
             solved_when(first.lower_is_better, first.threshold) if first.threshold is not None else ""]
    context = ", ".join(part for part in about if part)
    parts = []
    for s in at_length:
        spread = f" ± {_num(s.metric_sd)}" if math.isfinite(s.metric_sd) else ""
        interval = s.metric_interval
        bounds = (f" (95% interval {_num(interval.low)} to {_num(interval.high)})"
                  if interval is not None and math.isfinite(interval.low) and s.n > 1 else "")
        said = f"{model_name(s.model)} solved {s.n_solved}/{s.n} seeds, {metric} {_num(s.metric_mean)}{spread}{bounds}"
        if s.median_seconds_to_solve is not None:
            steps = f", {s.median_steps_to_solve:,.0f} steps" if s.median_steps_to_solve is not None else ""
            said += f" (median {s.median_seconds_to_solve:.3g} s{steps} to solve)"
        lost = [f"{s.n_diverged} diverged" if s.n_diverged else "", f"{s.n_failed} failed" if s.n_failed else "",
                f"{s.n_still_improving} still improving at the end of the budget" if s.n_still_improving else ""]
        if any(lost):
            said += f" [{', '.join(word for word in lost if word)}]"
        parts.append(said)
    where = length_name(task, length)
    opening = f"At {where}" if where else "On this task"
    return f"{opening}{f' ({context})' if context else ''}: {'; '.join(parts)}."


def _best_attempt(task: str, summaries: Sequence[ModelSummary]) -> str:
    best = best_of(summaries, summaries[0].lower_is_better) if summaries else None
    if best is None:
        return "no run produced a finite metric"
    baseline = f", baseline {_num(best.baseline)}" if best.baseline is not None else ""
    return (f"the best was {the(best.model)} with {metric_name(best.metric)} {_num(best.metric_mean)}"
            f"{_at(task, [best.length])}{f' ({baseline[2:]})' if baseline else ''}")


def break_point(model: str, summaries: Sequence[ModelSummary], rule: Rule) -> BreakPoint:
    """The shortest tested length `model` does not solve, from its summaries (ordered by length)."""
    mine = [s for s in summaries if s.model == model]
    solved = [s.length for s in mine if solves(s, rule)]
    broken = [s for s in mine if not solves(s, rule)]
    if not broken:
        return BreakPoint(model, None, _longest(solved) if solved else None)
    at = broken[0]
    return BreakPoint(model, at.length, _longest(solved) if solved else None, (at.n_solved, at.n),
                      at.solved_interval, at.n_still_improving > 0)


def _nothing_solved(task: str, tested: Sequence[Length], unsolved: Sequence[Length],
                    at: dict[Length, list[ModelSummary]]) -> str:
    """'no model solved adding at T ≥ 400 within the budget; the best was ...'."""
    if len(unsolved) == len(tested):
        where = f" at any tested length ({_span(task, tested)})" if len(tested) > 1 else _at(task, tested)
    else:
        lowest = min((length for length in unsolved if length is not None), default=None)
        longer = [length for length in tested if length is not None and lowest is not None and length >= lowest]
        where = f" at {length_name(task, lowest, at_least=True)}" if set(longer) <= set(unsolved) \
            else _at(task, unsolved)
    improving = sum(s.n_still_improving for length in unsolved for s in at[length])
    more = (f" ({improving} run{'s were' if improving != 1 else ' was'} still improving when the budget ran out: "
            "more budget may solve it)") if improving else ""
    return (f"no model solved {task}{where} within the budget{more}; "
            f"{_best_attempt(task, [s for length in unsolved for s in at[length]])}")


def _against_baseline(task: str, summaries: Sequence[ModelSummary], choice: str | None
                      ) -> tuple[tuple[str, float] | None, str, bool]:
    """(the strongest baseline, a sentence on how the models fare against it, every model clearly worse)."""
    baselines = next((s.baselines for s in summaries if s.baselines), ())
    if not baselines:
        return None, "", False
    lower = summaries[0].lower_is_better
    name, value = (min if lower else max)(baselines, key=lambda b: b[1])
    metric = metric_name(summaries[0].metric)
    beats = [s.model for s in summaries if s.metric_interval is not None and beyond(s.metric_interval, value, lower)]
    worse = [s.model for s in summaries if s.metric_interval is not None
             and (s.metric_interval.low > value if lower else s.metric_interval.high < value)]
    listed = "; ".join(f"{n} {_num(v)}" for n, v in baselines)
    if beats:
        said = f"clearly better than the {name} baseline ({metric} {_num(value)}): {_names(beats)}"
    else:
        said = f"no model is clearly better than the {name} baseline ({metric} {_num(value)})"
    if worse:
        said += f"; clearly worse than it: {_names(worse)}"
    all_worse = len(worse) == len({s.model for s in summaries})
    return (name, value), f"Classical baselines on the same split ({listed}): {said}.", all_worse


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
    per_length = tuple((length, cheapest(adequate[length], mine, parameters, [length], task, rule).choice
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
    details += [_length_sentence(task, length, at[length]) for length in tested]
    said_adequate = tuple((length, tuple(adequate[length])) for length in tested)
    nothing = _nothing_solved(task, tested, unsolved, at) if unsolved else ""
    if not solved:
        return Recommendation(task, None, nothing[0].upper() + nothing[1:] + ".", rule.text(), tuple(details),
                              breaks, per_length, adequate=said_adequate)

    counts = {model: sum(model in adequate[length] for length in solved) for model in models}
    most = max(counts.values())
    contenders = [model for model in models if counts[model] == most]
    span = _span(task, solved)
    ranking = cheapest(contenders, mine, parameters, solved, task, rule, span)
    choice = ranking.choice
    span = f" ({span})" if span else ""
    if most < len(solved):
        missed = [length for length in solved if choice not in adequate[length]]
        headline = (f"Use {the(choice)} for {task}{span}, with care: no model was adequate at every length; "
                    f"it was adequate at {most} of {len(solved)}, not{_at(task, missed)}")
        where = f"{most} of {len(solved)} lengths"
    elif len(contenders) == 1:
        only = "every length where any model solved" if with_threshold else "its test metric"
        headline = (f"Use {the(choice)} for {task}{span}: the only model adequate at {only}" if with_threshold
                    else f"Use {the(choice)} for {task}: the only model level with the best on {only}")
        where = "every length where any model solved" if with_threshold else "the test metric"
    else:
        kind = "every length where any model solved" if with_threshold else "the test metric (intervals overlap)"
        headline = (f"Use {the(choice)} for {task}{span}: the cheapest of the {len(contenders)} models adequate at "
                    f"{kind} ({_names(contenders)})" if with_threshold else
                    f"Use {the(choice)} for {task}: the cheapest of the {len(contenders)} models level with the best "
                    f"on {kind} ({_names(contenders)})")
        where = "every length where any model solved" if with_threshold else "the test metric"
    if ranking.tied:
        headline += f"; {_names(ranking.tied)} {'is' if len(ranking.tied) == 1 else 'are'} as good a choice (tied)"
    if nothing:
        headline += f"; {nothing}"
    baseline, versus, all_worse = _against_baseline(task, summaries, choice)
    decision = [f"Adequate at {where}: {_names(contenders)}" + (f"; {ranking.why}." if ranking.why else "."),
                *_price_of_choice(task, choice, models, mine, parameters, adequate, solved, rule)]
    if versus:
        decision.append(versus)
    if all_worse and baseline is not None:
        best = best_of(summaries, summaries[0].lower_is_better)
        headline = (f"No model beats the {baseline[0]} baseline on {task} ({metric_name(summaries[0].metric)} "
                    f"{_num(baseline[1])}): use it; the best model was {the(best.model) if best else 'none'}"
                    + (f" with {_num(best.metric_mean)}" if best else ""))
        return Recommendation(task, None, headline + ".", rule.text(), (*decision, *details), breaks, per_length,
                              adequate=said_adequate, baseline=baseline)
    return Recommendation(task, choice, headline + ".", rule.text(), (*decision, *details), breaks, per_length,
                          ranking.tied, said_adequate, baseline)


def _price_of_choice(task: str, choice: str, models: Sequence[str], runs: Sequence[RunResult],
                     parameters: dict[str, int], adequate: dict[Length, list[str]], solved: Sequence[Length],
                     rule: Rule) -> list[str]:
    """What the choice costs against the cheapest model of all, when that one is not the choice."""
    cheapest_of_all = cheapest(models, runs, parameters, solved, task, rule)
    if cheapest_of_all.choice == choice or choice in cheapest_of_all.tied:
        return []
    other = cheapest_of_all.choice
    fast = _geomean([r.throughput for r in runs if r.model == other and r.length in solved and r.throughput])
    slow = _geomean([r.throughput for r in runs if r.model == choice and r.length in solved and r.throughput])
    speed = f"{fast / slow:.2g}× the training throughput of {the(choice)}" if fast and slow else "cheaper"
    own = [length for length, names in adequate.items() if other in names]
    where = f"only{_at(task, own)}" if own else "at no length"
    return [f"The {model_name(other)} would be cheaper ({speed}) but is adequate {where}."]


def recommend_all(runs: Sequence[RunResult], rule: Rule | None = None) -> list[Recommendation]:
    """One recommendation per task, in the order the tasks first appear."""
    return [recommend(runs, task, rule=rule) for task in tasks_of(runs)]
