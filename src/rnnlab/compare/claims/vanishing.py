"""Claim 1: a plain RNN's gradient vanishes over time; the LSTM's cell and the GRU's gates keep it alive."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    RULE,
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
from rnnlab.diagnostics.gradients import GradientFlow

VANISHING_RULE = (
    "At initialisation and again in the sweep's trained checkpoints, the RNN's per-step factor of ‖∂L/∂h_t‖ "
    "(least-squares fit of its log against lag, geometric mean over seeds) is compared with each gated model's "
    "best path (h, or the LSTM's cell c). Each probe supports the claim when the RNN's factor is below 1 and "
    f"below every gated model's by more than {RULE.tie:.0%}, and refutes it when some gated model's is not above "
    "the RNN's; the verdict is the probes' when they agree, mixed when they do not.")


def _factors(flows: Sequence[GradientFlow], probe: str, when: str) -> tuple[dict[str, float | None], str]:
    """Per model, its best path's per-step factor, and a sentence with every factor."""
    by_model: dict[str, list[GradientFlow]] = {}
    for flow in flows:
        by_model.setdefault(flow.label, []).append(flow)
    best, said = {}, []
    for model, mine in by_model.items():
        h = geomean([f.hidden.factor for f in mine])
        c = geomean([f.cell_state.factor for f in mine if f.cell_state is not None])
        best[model] = max((v for v in (h, c) if v is not None), default=None)
        steps = mine[0].steps
        lags = [f.hidden.vanish_lag for f in mine if f.hidden.vanish_lag is not None]
        text = f"{model_name(model)} ‖∂L/∂h_t‖ ×{num(h)} per step"
        text += f" (×{num(h ** (steps - 1))} over {steps - 1} steps)" if h is not None else ""
        text += f", below 1e-6 of its lag-0 value from lag {min(lags)}" if lags else ""
        text += f", cell path ‖∂L/∂c_t‖ ×{num(c)} per step" if c is not None else ""
        said.append(text)
    return best, f"{when}, on {probe}: " + "; ".join(said) + "."


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
        evidence.append(factors_said)
        rnn = factors.get("rnn")
        gated_factors = {m: f for m, f in factors.items() if is_gated(m) and f is not None}
        if rnn is None or not gated_factors:
            continue
        outcomes.append("supported" if rnn < 1 and all(rnn < (1 - RULE.tie) * f for f in gated_factors.values())
                        else "refuted" if any(f <= rnn for f in gated_factors.values()) else "mixed")
        said_factors.append(f"{said.lower()} the RNN's gradient changes by ×{num(rnn)} per step back in time, the "
                            "gated models' best path by " + ", ".join(f"×{num(f)} ({model_name(m)})"
                                                                      for m, f in gated_factors.items()))
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
