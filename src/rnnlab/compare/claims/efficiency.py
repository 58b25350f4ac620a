"""Claim 4: an RNN is much cheaper than an LSTM or a GRU: faster to train and run, lighter in memory."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    RULE,
    ClaimSection,
    Cost,
    Measured,
    Table,
    Verdict,
    geomean,
    is_gated,
    num,
    times,
)
from rnnlab.compare.results import RunResult, length_name, model_name, summarise_all
from rnnlab.compare.stats import Interval, mean_interval

EFFICIENCY_RULE = (
    "At equal parameters, each gated model's training-step time over the RNN's at each measured task and length "
    "(medians of the bench harness's rounds), and the 95% interval of their geometric mean over the settings: "
    f"supported when every gated model's interval lies above {1 + RULE.tie:g} (more than {RULE.tie:.0%} slower "
    f"beyond the noise), refuted when some gated model's interval lies below {1 + RULE.tie:g} (not much slower, "
    "beyond the noise), inconclusive otherwise.")


def _ratios(costs: Sequence[Cost], model: str, name: str) -> list[float]:
    """`model`'s cost `name` over the RNN's at each setting both were measured at."""
    rnn = {(c.task, c.length): getattr(c, name) for c in costs if c.model == "rnn"}
    return [getattr(c, name) / rnn[(c.task, c.length)] for c in costs
            if c.model == model and rnn.get((c.task, c.length)) and getattr(c, name) is not None]


def _over_rnn(costs: Sequence[Cost], model: str, name: str) -> float | None:
    """Geometric mean over the settings of `model`'s cost `name` over the RNN's at the same setting."""
    return geomean(_ratios(costs, model, name))


def _interval(costs: Sequence[Cost], model: str) -> Interval | None:
    """95 % interval of the geometric mean over settings of the training-step ratio to the RNN."""
    logs = mean_interval([math.log(r) for r in _ratios(costs, model, "train_ms") if r > 0])
    return None if logs is None else Interval(math.exp(logs.estimate), math.exp(logs.low), math.exp(logs.high))


def _cost_rows(runs: Sequence[RunResult], costs: Sequence[Cost]) -> tuple[tuple[str, ...], ...]:
    throughput = {(s.task, s.length, s.model): s.throughput for s in summarise_all(runs)}
    rows = []
    for c in costs:
        rnn = next((r for r in costs if r.model == "rnn" and (r.task, r.length) == (c.task, c.length)), None)
        swept, swept_rnn = throughput.get((c.task, c.length, c.model)), throughput.get((c.task, c.length, "rnn"))
        memory = c.train_peak_mb / rnn.train_peak_mb if rnn and c.train_peak_mb and rnn.train_peak_mb else None
        rows.append((f"{c.task} {length_name(c.task, c.length)}", model_name(c.model), f"{c.parameters:,}", c.shape,
                     num(c.train_ms), times(c.train_ms / rnn.train_ms if rnn else None),
                     num(c.infer_ms), times(c.infer_ms / rnn.infer_ms if rnn else None),
                     num(c.train_peak_mb), times(memory), "–" if swept is None else f"{swept:,.0f}",
                     times(swept_rnn / swept if swept and swept_rnn else None)))
    return tuple(rows)


def efficiency(runs: Sequence[RunResult], measured: Measured) -> ClaimSection:
    claim = "An RNN is much cheaper than an LSTM or a GRU: faster to train and to run, and lighter in memory."
    costs = measured.costs
    tables = []
    if costs:
        tables.append(Table(("setting", "model", "parameters", "shape", "training step (ms)", "× RNN",
                             "inference per batch (ms)", "× RNN", "training peak memory (MB)", "× RNN",
                             "sweep throughput (sequences/s)", "time per sequence × RNN"), _cost_rows(runs, costs)))
    rnn_step = next((s.ms for s in measured.steps if s.model == "rnn"), None)
    if measured.steps:
        tables.append(Table(("model", "context read (tokens)", "one generated token at batch 1 (ms)", "× RNN"), tuple(
            (model_name(s.model), "its state" if s.context is None else str(s.context), num(s.ms),
             times(s.ms / rnn_step if rnn_step else None)) for s in measured.steps)))
    ratios = {m: tuple(_over_rnn(costs, m, name) for name in ("train_ms", "infer_ms", "train_peak_mb"))
              for m in dict.fromkeys(c.model for c in costs) if m != "rnn"}
    evidence = [f"The {model_name(m)} against the RNN at equal parameters (geometric mean over the settings): "
                f"training step {times(t)}, inference {times(i)}, training memory {times(p)}."
                for m, (t, i, p) in ratios.items()]
    evidence.append("Costs are CPU time per step with one thread, from the bench harness on each model's recurrent "
                    "or attention core at the run's batch and sequence length (median of the rounds, on a quiet "
                    "machine after the sweeps); the sweep's throughput was measured while training, two runs at "
                    "a time, and includes the encoder, head, loss and optimiser.")
    gated = {m: interval for m in ratios if is_gated(m) and (interval := _interval(costs, m)) is not None}
    if "rnn" not in {c.model for c in costs} or not gated:
        verdict: Verdict = "not measured"
        finding = "The suite measured no RNN and gated model side by side."
    else:
        bar = 1 + RULE.tie
        verdict = ("supported" if all(i.low > bar for i in gated.values())
                   else "refuted" if any(i.high < bar for i in gated.values()) else "inconclusive")
        finding = "At equal parameters a training step takes " + " and ".join(
            f"{times(i.estimate)} the RNN's time for the {model_name(m)} (95% interval {times(i.low)} to "
            f"{times(i.high)} over the settings)" for m, i in gated.items()) + "."
    return ClaimSection(4, "Computational efficiency", claim, verdict, finding, EFFICIENCY_RULE, tuple(evidence),
                        tuple(tables))
