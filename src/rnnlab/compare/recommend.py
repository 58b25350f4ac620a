"""Which model to use for a task, derived from the numbers by a stated rule, with the numbers cited.

The rule (`Rule.text` prints it with its settings; the defaults are):

1. A model *solves* a length when at least half its seeds solved there (`solves_at`). Its *break point*
   is the shortest tested length it does not solve: the crossover on the metric-vs-length curve.
2. At each length, a model is *adequate* when it solved at least one seed and its solved fraction is
   within 0.2 of the best model's there (`tolerance`, absolute). With 5 seeds that forgives one seed;
   with 3 or fewer it asks for as many solved seeds as the best model. Lengths where no model solved a
   seed say nothing about which model to prefer: they are left out and reported as unsolved.
3. The recommended model is adequate at the most of the remaining lengths (all of them, if any model
   is) and, among those, the cheapest: the highest training throughput (geometric mean over those
   lengths, so each length weighs the same), where throughputs within 5% of the fastest count as tied
   (`tie`, the spread of repeated timings on a shared CPU) and a tie goes to fewer parameters.

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

Length = int | None


@dataclass(frozen=True)
class Rule:
    tolerance: float = 0.2  # absolute, on the solved fraction; see the module docstring for what it forgives
    solves_at: float = 0.5  # a model solves a length when at least this share of its seeds solved
    tie: float = 0.05  # relative throughput difference that counts as a tie (timing noise on a shared CPU)

    def __post_init__(self) -> None:
        for name in ("tolerance", "solves_at", "tie"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a fraction between 0 and 1, got {getattr(self, name)}")

    def text(self) -> str:
        return (f"At each length, a model is adequate when it solved at least one seed and its solved fraction "
                f"is within {self.tolerance:.0%} (absolute) of the best model's; lengths where no model solved "
                f"a seed are left out. The recommended model is adequate at the most lengths and, among those, "
                f"has the highest training throughput (geometric mean over the lengths; within "
                f"{self.tie:.0%} counts as a tie, won by fewer parameters). A model's break point is the "
                f"shortest tested length at which fewer than {self.solves_at:.0%} of its seeds solved.")


@dataclass(frozen=True)
class BreakPoint:
    model: str
    length: Length  # the shortest tested length the model does not solve; None: it solves every one
    longest_solved: Length  # the longest tested length it solves; None: none

    def sentence(self, task: str, lengths: Sequence[Length]) -> str:
        name = model_name(self.model)
        if self.length is None:
            return f"{name} solves every tested length, up to {length_name(task, _longest(lengths))}"
        if self.longest_solved is None:
            return f"{name} breaks already at {length_name(task, self.length)}, the shortest tested"
        broke = f"{name} breaks at {length_name(task, self.length)}"
        if self.longest_solved < self.length:
            return f"{broke} (solves up to {length_name(task, self.longest_solved)})"
        return f"{broke} (though it solves {length_name(task, self.longest_solved)})"


@dataclass(frozen=True)
class Recommendation:
    task: str
    model: str | None  # None when no model solved a seed at any length considered
    headline: str  # the recommendation in one plain sentence
    rule: str  # the rule, as `Rule.text` states it
    evidence: tuple[str, ...]  # sentences citing the numbers the recommendation rests on
    break_points: tuple[BreakPoint, ...]  # one per model, in the order the models first appear
    cheapest_per_length: tuple[tuple[Length, str | None], ...]  # the cheapest adequate model at each length


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


def _throughput(summaries: Sequence[ModelSummary]) -> float | None:
    """Geometric mean of the measured throughputs: each length weighs the same though speed falls with T."""
    measured = [s.throughput for s in summaries if s.throughput is not None and s.throughput > 0]
    return math.exp(statistics.fmean(math.log(t) for t in measured)) if measured else None


def _adequate(at_length: Sequence[ModelSummary], rule: Rule) -> list[str]:
    best = max(s.solved_fraction for s in at_length)
    return [s.model for s in at_length if s.n_solved > 0 and s.solved_fraction >= best - rule.tolerance - 1e-9]


def _cheapest(models: Sequence[str], by_model: dict[str, list[ModelSummary]], rule: Rule,
              over: str = "") -> tuple[str, str]:
    """The cheapest of `models` and a sentence saying why; `over` names the lengths the costs are over."""
    speed = {model: _throughput(by_model[model]) for model in models}
    parameters = {model: statistics.median_low(s.parameters for s in by_model[model]) for model in models}
    fastest = max((t for t in speed.values() if t is not None), default=None)
    # A model whose throughput was not measured ranks after every model whose throughput was.
    tied = list(models) if fastest is None else [
        m for m in models if (rate := speed[m]) is not None and rate >= (1 - rule.tie) * fastest]
    choice = min(tied, key=lambda m: parameters[m])  # min keeps the first-appearing model among equals
    others = [m for m in models if m != choice]
    if not others:
        return choice, ""

    def cost(model: str) -> str:
        rate = speed[model]
        said = "throughput not measured" if rate is None else f"{rate:,.0f} sequences/s"
        return f"{model_name(model)} {said}, {parameters[model]:,} parameters"

    listed = "; ".join(cost(m) for m in [choice, *others])
    mean = f"geometric mean of training throughput over {over}" if over else "training throughput"
    if fastest is None:
        return choice, f"no throughput was measured and {the(choice)} has the fewest parameters ({listed})"
    if len(tied) > 1:
        return choice, (f"{', '.join(model_name(m) for m in tied)} train equally fast (within {rule.tie:.0%}) "
                        f"and {the(choice)} has the fewest parameters ({mean}: {listed})")
    return choice, f"{the(choice)} trains fastest ({mean}: {listed})"


def _length_sentence(task: str, length: Length, at_length: Sequence[ModelSummary]) -> str:
    first = at_length[0]
    metric = metric_name(first.metric)
    about = [f"baseline {_num(first.baseline)}" if first.baseline is not None else "",
             solved_when(first.lower_is_better, first.threshold) if first.threshold is not None else ""]
    context = ", ".join(part for part in about if part)
    parts = []
    for s in at_length:
        spread = f" ± {_num(s.metric_sd)}" if math.isfinite(s.metric_sd) else ""
        said = f"{model_name(s.model)} solved {s.n_solved}/{s.n} seeds, {metric} {_num(s.metric_mean)}{spread}"
        if s.median_seconds_to_solve is not None:
            steps = f", {s.median_steps_to_solve:,.0f} steps" if s.median_steps_to_solve is not None else ""
            said += f" (median {s.median_seconds_to_solve:.3g} s{steps} to solve)"
        lost = [f"{s.n_diverged} diverged" if s.n_diverged else "", f"{s.n_failed} failed" if s.n_failed else ""]
        if any(lost):
            said += f" [{', '.join(word for word in lost if word)}]"
        parts.append(said)
    where = length_name(task, length)
    opening = f"At {where}" if where else "On this task"
    return f"{opening}{f' ({context})' if context else ''}: {'; '.join(parts)}."


def _best_attempt(task: str, summaries: Sequence[ModelSummary]) -> str:
    finite = [s for s in summaries if s.n_finite]
    if not finite:
        return "no run produced a finite metric"
    sign = 1 if finite[0].lower_is_better else -1
    best = min(finite, key=lambda s: sign * s.metric_mean)
    baseline = f", baseline {_num(best.baseline)}" if best.baseline is not None else ""
    return (f"the best was {the(best.model)} with {metric_name(best.metric)} {_num(best.metric_mean)}"
            f"{_at(task, [best.length])}{f' ({baseline[2:]})' if baseline else ''}")


def _price_of_choice(task: str, choice: str, models: Sequence[str], by_model: dict[str, list[ModelSummary]],
                     adequate: dict[Length, list[str]], rule: Rule) -> list[str]:
    """What the choice costs against the cheapest model of all, when that one is not the choice."""
    cheapest, _ = _cheapest(models, by_model, rule)
    if cheapest == choice:
        return []
    fast, slow = _throughput(by_model[cheapest]), _throughput(by_model[choice])
    speed = f"{fast / slow:.2g}× the training throughput of {the(choice)}" if fast and slow else "cheaper"
    own = [length for length, names in adequate.items() if cheapest in names]
    where = f"only{_at(task, own)}" if own else "at no length"
    return [f"The {model_name(cheapest)} would be cheaper ({speed}) but is adequate {where}."]


def break_point(model: str, summaries: Sequence[ModelSummary], rule: Rule) -> BreakPoint:
    """The shortest tested length `model` does not solve, from its summaries (ordered by length)."""
    mine = [s for s in summaries if s.model == model]
    solves = [s.length for s in mine if s.solved_fraction >= rule.solves_at - 1e-9]
    broken = [s.length for s in mine if s.solved_fraction < rule.solves_at - 1e-9]
    return BreakPoint(model, broken[0] if broken else None, _longest(solves) if solves else None)


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
    return (f"no model solved {task}{where} within the budget; "
            f"{_best_attempt(task, [s for length in unsolved for s in at[length]])}")


def recommend(runs: Sequence[RunResult], task: str, lengths: Sequence[Length] | None = None,
              rule: Rule | None = None) -> Recommendation:
    """The recommendation for `task` over `lengths` (default: every length it was run at)."""
    rule = rule or Rule()
    summaries = [s for s in summarise_all(runs) if s.task == task and (lengths is None or s.length in lengths)]
    if not summaries:
        raise ValueError(f"no runs of task {task!r}" + (f" at lengths {list(lengths)}" if lengths else ""))
    tested = list(dict.fromkeys(s.length for s in summaries))
    models = list(dict.fromkeys(s.model for s in summaries))
    at = {length: [s for s in summaries if s.length == length] for length in tested}
    adequate = {length: _adequate(at[length], rule) for length in tested}
    solved = [length for length in tested if adequate[length]]
    unsolved = [length for length in tested if not adequate[length]]
    on_solved = {model: [s for s in summaries if s.model == model and s.length in solved] for model in models}
    per_length = tuple((length, _cheapest(adequate[length], {s.model: [s] for s in at[length]}, rule)[0]
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
    nothing = _nothing_solved(task, tested, unsolved, at) if unsolved else ""
    if not solved:
        return Recommendation(task, None, nothing[0].upper() + nothing[1:] + ".", rule.text(), tuple(details),
                              breaks, per_length)

    counts = {model: sum(model in adequate[length] for length in solved) for model in models}
    most = max(counts.values())
    contenders = [model for model in models if counts[model] == most]
    span = _span(task, solved)
    choice, why = _cheapest(contenders, on_solved, rule, span)
    span = f" ({span})" if span else ""
    if most < len(solved):
        missed = [length for length in solved if choice not in adequate[length]]
        headline = (f"Use {the(choice)} for {task}{span}, with care: no model was adequate at every length; "
                    f"it was adequate at {most} of {len(solved)}, not{_at(task, missed)}")
        where = f"{most} of {len(solved)} lengths"
    elif len(contenders) == 1:
        headline = f"Use {the(choice)} for {task}{span}: the only model adequate at every length where any model solved"
        where = "every length where any model solved"
    else:
        headline = (f"Use {the(choice)} for {task}{span}: the cheapest of the {len(contenders)} models adequate at "
                    f"every length where any model solved ({_names(contenders)})")
        where = "every length where any model solved"
    if nothing:
        headline += f"; {nothing}"
    decision = [f"Adequate at {where}: {_names(contenders)}" + (f"; {why}." if why else "."),
                *_price_of_choice(task, choice, models, on_solved, adequate, rule)]
    return Recommendation(task, choice, headline + ".", rule.text(), (*decision, *details), breaks, per_length)


def recommend_all(runs: Sequence[RunResult], rule: Rule | None = None) -> list[Recommendation]:
    """One recommendation per task, in the order the tasks first appear."""
    return [recommend(runs, task, rule=rule) for task in tasks_of(runs)]
