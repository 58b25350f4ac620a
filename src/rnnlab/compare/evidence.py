"""The sentences a recommendation's evidence is made of: each length's numbers, what no model solved, how the
models fare against the classical baselines, and the seconds to solve at equal compute."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rnnlab.compare.adequacy import best_of
from rnnlab.compare.results import ModelSummary, length_name, metric_name, model_name, solved_when
from rnnlab.compare.stats import beyond
from rnnlab.compare.wording import Length, at_lengths, names, num, span, the


def length_sentence(task: str, length: Length, at_length: Sequence[ModelSummary]) -> str:
    first = at_length[0]
    metric = metric_name(first.metric)
    about = [f"baseline {num(first.baseline)}" if first.baseline is not None else "",
             solved_when(first.lower_is_better, first.threshold) if first.threshold is not None else ""]
    context = ", ".join(part for part in about if part)
    parts = []
    for s in at_length:
        spread = f" ± {num(s.metric_sd)}" if math.isfinite(s.metric_sd) else ""
        interval = s.metric_interval
        bounds = (f" (95% interval {num(interval.low)} to {num(interval.high)})"
                  if interval is not None and math.isfinite(interval.low) and s.n > 1 else "")
        said = f"{model_name(s.model)} solved {s.n_solved}/{s.n} seeds, {metric} {num(s.metric_mean)}{spread}{bounds}"
        if s.median_seconds_to_solve is not None:
            steps = f", {s.median_steps_to_solve:,.0f} steps" if s.median_steps_to_solve is not None else ""
            said += f" (median {s.median_seconds_to_solve:.3g} s{steps} to solve)"
        lost = [f"{s.n_diverged} diverged" if s.n_diverged else "", f"{s.n_failed} failed" if s.n_failed else "",
                f"{s.n_still_improving} still improving at the end of the budget" if s.n_still_improving else "",
                "not run: it solved no seed at a shorter length" if s.n_not_run else ""]
        if any(lost):
            said += f" [{', '.join(word for word in lost if word)}]"
        parts.append(said)
    where = length_name(task, length)
    opening = f"At {where}" if where else "On this task"
    return f"{opening}{f' ({context})' if context else ''}: {'; '.join(parts)}."


def best_attempt(task: str, summaries: Sequence[ModelSummary]) -> str:
    best = best_of(summaries, summaries[0].lower_is_better) if summaries else None
    if best is None:
        return "no run produced a finite metric"
    baseline = f", baseline {num(best.baseline)}" if best.baseline is not None else ""
    return (f"the best was {the(best.model)} with {metric_name(best.metric)} {num(best.metric_mean)}"
            f"{at_lengths(task, [best.length])}{f' ({baseline[2:]})' if baseline else ''}")



def nothing_solved(task: str, tested: Sequence[Length], unsolved: Sequence[Length],
                    at: dict[Length, list[ModelSummary]]) -> str:
    """'no model solved adding at T ≥ 400 within the budget; the best was ...'."""
    if len(unsolved) == len(tested):
        where = f" at any tested length ({span(task, tested)})" if len(tested) > 1 else at_lengths(task, tested)
    else:
        lowest = min((length for length in unsolved if length is not None), default=None)
        longer = [length for length in tested if length is not None and lowest is not None and length >= lowest]
        where = f" at {length_name(task, lowest, at_least=True)}" if set(longer) <= set(unsolved) \
            else at_lengths(task, unsolved)
    improving = sum(s.n_still_improving for length in unsolved for s in at[length])
    more = (f" ({improving} run{'s were' if improving != 1 else ' was'} still improving when the budget ran out: "
            "more budget may solve it)") if improving else ""
    return (f"no model solved {task}{where} within the budget{more}; "
            f"{best_attempt(task, [s for length in unsolved for s in at[length]])}")


def against_baseline(task: str, summaries: Sequence[ModelSummary], choice: str | None
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
    listed = "; ".join(f"{n} {num(v)}" for n, v in baselines)
    if beats:
        said = f"clearly better than the {name} baseline ({metric} {num(value)}): {names(beats)}"
    else:
        said = f"no model is clearly better than the {name} baseline ({metric} {num(value)})"
    if worse:
        said += f"; clearly worse than it: {names(worse)}"
    all_worse = len(worse) == len({s.model for s in summaries})
    return (name, value), f"Classical baselines on the same split ({listed}): {said}.", all_worse



def equal_compute(task: str, lengths: Sequence[Length], at: dict[Length, list[ModelSummary]]) -> str:
    """At equal compute: the median training seconds to solve on this machine, where two or more models solved
    (budgets are in steps, so this is the one place the machine's speed enters, and it is said so)."""
    said = []
    for length in lengths:
        timed = sorted((s.median_seconds_to_solve, s.model) for s in at[length]
                       if s.median_seconds_to_solve is not None)
        if len(timed) > 1:
            where = length_name(task, length)
            said.append((f"{where}: " if where else "") + ", ".join(f"{model_name(m)} {t:.3g} s" for t, m in timed))
    if not said:
        return ""
    return ("At equal compute on this machine (median training seconds to solve, from its measured throughput; "
            "another machine may order them differently): " + "; ".join(said) + ".")
