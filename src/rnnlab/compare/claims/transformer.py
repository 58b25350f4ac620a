"""Claim 6: a Transformer reaches further back than recurrent models, but costs more as sequences grow."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Measured,
    Verdict,
    at_length,
    budget_caveat,
    clearly_ahead,
    lengths_of,
    num,
    overall,
    sentence,
    solves,
    times,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import RunResult, length_name, model_name, summarise_all, tasks_of

TRANSFORMER_RULE = (
    "Per task and length, the Transformer against the recurrent models. A length shows the Transformer reaching "
    "further when it solves it (at least half its seeds), no recurrent model does, and its final metric beats "
    "every recurrent model's beyond the noise (95% intervals over seeds do not overlap). The task supports the "
    "claim when some length shows that; it refutes it when at every length the Transformer solves, a recurrent "
    "model solves too; otherwise it is inconclusive. Per length, the Transformer wins where it is the cheapest "
    "adequate model (the recommendation's rule) and loses where it solved no seed while another model is "
    "adequate; its costs against the LSTM's come from the bench harness.")


def _task_outcome(runs: Sequence[RunResult], task: str) -> tuple[Verdict, str]:
    further, level, unclear = [], [], []
    lengths: list[int | None] = [*lengths_of(runs, task)] or [None]
    for length in lengths:
        here = at_length(runs, task, length)
        mine = here.get("transformer")
        recurrent = [s for m, s in here.items() if m != "transformer"]
        if mine is None or not recurrent or not solves(mine):
            continue
        if any(solves(s) for s in recurrent):
            level.append(length)
        elif all(clearly_ahead(mine, s) for s in recurrent):
            further.append((length, recurrent))
        else:
            unclear.append((length, recurrent))
    if further:
        length, recurrent = further[0]
        return "supported", (f"on {task} it solves {length_name(task, length)}, where no recurrent model does, beyond "
                             "the noise" + budget_caveat(recurrent))
    if unclear:
        length, recurrent = unclear[0]
        return "inconclusive", (f"on {task} it solves {length_name(task, length)} and no recurrent model does, but "
                                "their metrics' intervals overlap" + budget_caveat(recurrent))
    if level:
        return "refuted", f"on {task}, wherever it solves, a recurrent model solves too"
    return "not measured", f"on {task} it solves no length"


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
        outcome, said = _task_outcome(runs, task)
        outcomes.append(outcome)
        reached_said.append(said)
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
