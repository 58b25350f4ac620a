"""Claim 1: a plain RNN's gradient vanishes over time; the LSTM's cell and the GRU's gates keep it alive."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Measured,
    Verdict,
    figures_of,
    geomean,
    is_gated,
    num,
    overall,
    sentence,
)
from rnnlab.compare.results import model_name
from rnnlab.compare.stats import Interval, mean_interval
from rnnlab.diagnostics.gradients import GradientFlow

VANISHING_RULE = (
    "At initialisation and again in the sweep's trained checkpoints, each model's per-step factor of its "
    "gradient norm (least-squares fit of log ‖∂L/∂h_t‖ against lag; for the LSTM the better of h and its cell c) "
    "per seed, and its 95% interval over seeds (geometric; at initialisation more seeds than the sweep's, "
    "since that probe trains nothing). A probe supports the claim when the RNN's interval "
    "lies below 1 and below every gated model's; it refutes it when some gated model's interval lies at or below "
    "the RNN's; otherwise it is inconclusive. The verdict is the probes' when those that decide agree, mixed "
    "when they disagree.")


def _best_path(flow: GradientFlow) -> float | None:
    """The factor of the path that keeps the gradient best: h, or the LSTM's cell state c."""
    factors = [f for f in (flow.hidden.factor, flow.cell_state.factor if flow.cell_state else None)
               if f is not None and math.isfinite(f) and f > 0]
    return max(factors) if factors else None


def _geometric_interval(values: Sequence[float | None]) -> Interval | None:
    logs = mean_interval([math.log(v) for v in values if v is not None and v > 0])
    return None if logs is None else Interval(math.exp(logs.estimate), math.exp(logs.low), math.exp(logs.high))


def _factors(flows: Sequence[GradientFlow], probe: str, when: str) -> tuple[dict[str, Interval], str]:
    """Per model, the interval of its best path's per-step factor, and a sentence with every factor."""
    by_model: dict[str, list[GradientFlow]] = {}
    for flow in flows:
        by_model.setdefault(flow.label, []).append(flow)
    best, said = {}, []
    for model, mine in by_model.items():
        interval = _geometric_interval([_best_path(f) for f in mine])
        if interval is not None:
            best[model] = interval
        h = geomean([f.hidden.factor for f in mine])
        c = geomean([f.cell_state.factor for f in mine if f.cell_state is not None])
        steps = mine[0].steps
        lags = [f.hidden.vanish_lag for f in mine if f.hidden.vanish_lag is not None]
        text = f"{model_name(model)} ‖∂L/∂h_t‖ ×{num(h)} per step"
        text += f" (×{num(h ** (steps - 1))} over {steps - 1} steps)" if h is not None else ""
        text += f", below 1e-6 of its lag-0 value from lag {min(lags)}" if lags else ""
        text += f", cell path ‖∂L/∂c_t‖ ×{num(c)} per step" if c is not None else ""
        if interval is not None and len(mine) > 1:
            text += f", best path 95% interval ×{num(interval.low)} to ×{num(interval.high)} over {len(mine)} seeds"
        said.append(text)
    return best, f"{when}, on {probe}: " + "; ".join(said) + "."


def _probe_outcome(factors: dict[str, Interval]) -> Verdict:
    rnn = factors.get("rnn")
    gated = [f for m, f in factors.items() if is_gated(m)]
    if rnn is None or not gated:
        return "not measured"
    if rnn.high < 1 and all(rnn.high < g.low for g in gated):
        return "supported"
    if any(g.high <= rnn.low for g in gated):
        return "refuted"
    return "inconclusive"


def vanishing_gradients(measured: Measured) -> ClaimSection:
    claim = ("A plain RNN's gradient vanishes over time, so it cannot learn from distant inputs; the LSTM's "
             "cell and the GRU's gates keep it alive.")
    evidence = []
    outcomes: list[Verdict] = []
    said_factors = []
    for when, said in (("init", "At initialisation"), ("trained", "After the sweep's training")):
        if not measured.flows.get(when):
            continue
        factors, factors_said = _factors(measured.flows[when], measured.probe, said)
        if when == "trained" and measured.trained_elsewhere:
            factors_said += " " + "; ".join(
                f"The {model_name(m)} was not run at {measured.probe.split(' ', 1)[-1]} (it broke at a shorter "
                f"length): its weights trained at {length} were probed on these sequences"
                for m, length in measured.trained_elsewhere.items()) + "."
        evidence.append(factors_said)
        outcome = _probe_outcome(factors)
        outcomes.append(outcome)
        rnn = factors.get("rnn")
        gated = {m: f for m, f in factors.items() if is_gated(m)}
        if rnn is None or not gated:
            continue
        said_factors.append(f"{said.lower()} the RNN's gradient changes by ×{num(rnn.estimate)} per step back in "
                            "time, the gated models' best path by " + ", ".join(
                                f"×{num(f.estimate)} ({model_name(m)})" for m, f in gated.items())
                            + f" ({outcome})")
    if measured.sensitivities:
        evidence.append(f"How far back the last output still depends on the inputs (‖∂y_T/∂x_t‖ at least "
                        f"{measured.sensitivities[0].threshold:g} of its peak, {measured.sensitivity_when}): "
                        + "; ".join(f"{model_name(s.label)} up to lag {'none' if s.horizon is None else s.horizon}"
                                    for s in measured.sensitivities)
                        + f" (the sequence's first step is at lag {measured.sensitivities[0].steps - 1}).")
    verdict = overall(outcomes)
    finding = (sentence("; ".join(said_factors)) if said_factors
               else "The suite probed no RNN and gated model side by side.")
    return ClaimSection(1, "Vanishing gradients in RNNs", claim, verdict, finding, VANISHING_RULE, tuple(evidence),
                        figures=figures_of(measured, "gradient-flow-init", "gradient-flow-trained", "input-sensitivity",
                                           *(f"gates-{stats.cell}" for stats in measured.gates)))
