"""Claim 4: an RNN is much cheaper than an LSTM or a GRU: faster to train and run, lighter in memory."""

from __future__ import annotations

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

EFFICIENCY_RULE = (
    "At equal parameters, each gated model's training-step time over the RNN's (geometric mean over the "
    f"measured tasks and lengths): supported when the LSTM's and the GRU's are both more than {RULE.tie:.0%} "
    f"above 1, refuted when one is more than {RULE.tie:.0%} below 1, mixed otherwise.")


def _over_rnn(costs: Sequence[Cost], model: str, name: str) -> float | None:
    """Geometric mean over the settings of `model`'s cost `name` over the RNN's at the same setting."""
    rnn = {(c.task, c.length): getattr(c, name) for c in costs if c.model == "rnn"}
    return geomean([getattr(c, name) / rnn[(c.task, c.length)] for c in costs
                     if c.model == model and rnn.get((c.task, c.length)) and getattr(c, name) is not None])


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
    gated_ratios = {m: ratio for m in ratios if is_gated(m) and (ratio := ratios[m][0]) is not None}
    if "rnn" not in {c.model for c in costs} or not gated_ratios:
        verdict: Verdict = "not measured"
        finding = "The suite measured no RNN and gated model side by side."
    else:
        verdict = ("supported" if all(r > 1 + RULE.tie for r in gated_ratios.values())
                   else "refuted" if any(r < 1 - RULE.tie for r in gated_ratios.values()) else "mixed")
        finding = "At equal parameters a training step takes " + " and ".join(
            f"{times(r)} the RNN's time for the {model_name(m)}" for m, r in gated_ratios.items()) + "."
    return ClaimSection(4, "Computational efficiency", claim, verdict, finding, EFFICIENCY_RULE, tuple(evidence),
                        tuple(tables))
