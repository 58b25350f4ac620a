"""Claim 6: a Transformer reaches further back than recurrent models, but costs more as sequences grow."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Measured,
    Verdict,
    lengths_of,
    num,
    overall,
    reach,
    sentence,
    times,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import RunResult, length_name, model_name, summarise_all, tasks_of

TRANSFORMER_RULE = (
    "Supported when on some task the Transformer reaches a longer length than every recurrent model (a later "
    "break point), refuted when on every task a recurrent model reaches as far. Per length, the Transformer wins "
    "where it is the cheapest adequate model (the recommendation's rule) and loses where it solved no seed while "
    "another model is adequate; its costs against the LSTM's come from the bench harness.")


def _where(places: Sequence[tuple[str, int | None]]) -> str:
    """'copy delay 5, delay 10; adding T=200', or 'no tested length'."""
    tasks = dict.fromkeys(task for task, _ in places)
    return "; ".join(f"{task} " + ", ".join(length_name(task, n) for t, n in places if t == task)
                     for task in tasks) or "no tested length"


def transformer(runs: Sequence[RunResult], measured: Measured) -> ClaimSection:
    claim = ("A Transformer reaches further back than recurrent models (attention sees every earlier step), "
             "but costs more as sequences grow.")
    outcomes: list[Verdict] = []
    wins: list[tuple[str, int | None]] = []
    costlier: list[tuple[str, int | None]] = []
    losses: list[tuple[str, int | None]] = []
    reached_said, evidence = [], []
    solved = {(s.task, s.length) for s in summarise_all(runs) if s.model == "transformer" and s.n_solved}
    for task in (t for t in tasks_of(runs) if any(r.model == "transformer" and r.task == t for r in runs)):
        rec = recommend(runs, task)
        points = {b.model: b for b in rec.break_points}
        reached = points["transformer"].sentence(task, lengths_of(runs, task))
        cheapest_said = ", ".join(f"{length_name(task, n)} {model_name(m) if m else 'none'}"
                             for n, m in rec.cheapest_per_length)
        evidence.append(f"{task}: {reached}; the cheapest adequate model per length: {cheapest_said}.")
        recurrent = [b for m, b in points.items() if m != "transformer"]
        if recurrent and any(b.longest_solved is not None for b in points.values()):
            best = max(recurrent, key=reach)
            further = reach(points["transformer"]) > reach(best)
            outcomes.append("supported" if further else "refuted")
            reached_said.append(f"on {task} it reaches " + ("further than every recurrent model" if further
                                                     else f"no further than the {model_name(best.model)}"))
        for length, cheapest in rec.cheapest_per_length:
            if cheapest == "transformer":
                wins.append((task, length))
            elif cheapest is not None:
                (costlier if (task, length) in solved else losses).append((task, length))
    for task in dict.fromkeys(c.task for c in measured.costs):
        pairs = [(c.length, c.train_ms / lstm.train_ms, c.infer_ms / lstm.infer_ms) for c in measured.costs
                 if c.task == task and c.model == "transformer" for lstm in measured.costs
                 if lstm.model == "lstm" and (lstm.task, lstm.length) == (task, c.length)]
        if pairs:
            evidence.append(f"{task}: a Transformer training step takes " + ", ".join(
                f"{times(train)} the LSTM's time at {length_name(task, length)} (inference {times(infer)})"
                for length, train, infer in pairs) + ", at equal parameters.")
    generation = [s for s in measured.steps if s.model == "transformer" and s.context is not None]
    recurrent_steps = [s for s in measured.steps if s.context is None]
    if generation and recurrent_steps:
        evidence.append("One generated token at batch 1, without a KV cache: the Transformer reads its whole context, "
                        + ", ".join(f"{num(s.ms)} ms at {s.context} tokens" for s in generation)
                        + "; a recurrent step " + ", ".join(f"{num(s.ms)} ms ({model_name(s.model)})"
                                                            for s in recurrent_steps) + " at any context.")
    verdict = overall(outcomes)
    finding = (f"It wins (the cheapest adequate model) at {_where(wins)}; it solves but an adequate model is "
               f"cheaper at {_where(costlier)}; it loses (solves no seed where another model does) at "
               f"{_where(losses)}." + (f" {sentence('; '.join(reached_said))}" if reached_said else ""))
    if not any(r.model == "transformer" for r in runs):
        finding = "The suite ran no Transformer."
    return ClaimSection(6, "When a Transformer wins, and when it loses", claim, verdict, finding, TRANSFORMER_RULE,
                        tuple(evidence))
