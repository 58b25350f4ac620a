"""Which of several adequate models is cheapest: training throughput, with ties inside the timing noise.

    ranking = cheapest(("lstm", "gru"), runs, parameters, lengths, "adding", tie=0.05)
    ranking.choice, ranking.tied, ranking.why
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.compare.results import RunResult, model_name
from rnnlab.compare.stats import log_ratio_interval
from rnnlab.compare.wording import Length, the


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


def geomean(values: Sequence[float]) -> float | None:
    positive = [v for v in values if v > 0]
    return math.exp(statistics.fmean(math.log(v) for v in positive)) if positive else None


@dataclass(frozen=True)
class CostRanking:
    choice: str
    tied: tuple[str, ...]  # tied with the choice, the choice excluded
    why: str  # a sentence saying why


def cheapest(models: Sequence[str], runs: Sequence[RunResult], parameters: dict[str, int],
             lengths: Sequence[Length], task: str, tie: float, over: str = "") -> CostRanking:
    """The cheapest of `models` by training throughput at `lengths`, ties (noise or `tie`) going to
    fewer parameters; `over` names the lengths the costs are over."""
    mine = [r for r in runs if r.task == task]
    pooled = {m: _throughputs(mine, m, lengths) for m in models}
    raw = {m: geomean([r.throughput for r in mine if r.model == m and r.length in lengths and r.throughput])
           for m in models}
    measured = [m for m in models if pooled[m]]
    if not measured:
        choice = min(models, key=lambda m: parameters[m])
        listed = "; ".join(f"{model_name(m)} {parameters[m]:,} parameters" for m in models)
        return CostRanking(choice, (), f"no throughput was measured and {the(choice)} has the fewest parameters "
                                       f"({listed})" if len(models) > 1 else "")
    fastest = max(measured, key=lambda m: geomean(pooled[m]) or 0.0)

    def tied_with_fastest(m: str) -> bool:
        if m == fastest:
            return True
        ratio = log_ratio_interval(pooled[fastest], pooled[m])
        close = (geomean(pooled[m]) or 0.0) >= (1 - tie) * (geomean(pooled[fastest]) or 0.0)
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
                           f"{tie:.0%}) and {the(choice)} has the fewest parameters ({mean}: {listed})")
    return CostRanking(choice, (), f"{the(choice)} trains fastest ({mean}: {listed})")
