"""The recommendation's rule (recommend.py's docstring states it): what solving a length, being level with the
best model and being adequate mean, and each model's break point.

    adequate_models(summaries_at_one_length, Rule(), with_threshold=True)    # ["lstm", "gru"]
    break_point("rnn", summaries, Rule())                                    # BreakPoint("rnn", 50, 25, ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.compare.results import ModelSummary, length_name, model_name
from rnnlab.compare.stats import Interval
from rnnlab.compare.wording import Length, longest


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
            return f"{name} solves every tested length, up to {length_name(task, longest(lengths))}"
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



def break_point(model: str, summaries: Sequence[ModelSummary], rule: Rule) -> BreakPoint:
    """The shortest tested length `model` does not solve, from its summaries (ordered by length)."""
    mine = [s for s in summaries if s.model == model]
    solved = [s.length for s in mine if solves(s, rule)]
    broken = [s for s in mine if not solves(s, rule)]
    if not broken:
        return BreakPoint(model, None, longest(solved) if solved else None)
    at = broken[0]
    return BreakPoint(model, at.length, longest(solved) if solved else None, (at.n_solved, at.n),
                      at.solved_interval, at.n_still_improving > 0)
