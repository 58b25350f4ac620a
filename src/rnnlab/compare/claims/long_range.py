"""Claim 2: RNNs cannot carry information across long sequences; LSTMs and GRUs can."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Verdict,
    at_length,
    budget_caveat,
    clearly_ahead,
    is_gated,
    lengths_of,
    overall,
    solves,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import length_name, model_name, tasks_of

LONG_RANGE_RULE = (
    "Per task and length, the RNN against the gated models (LSTM, GRU). A length separates them when the RNN "
    "does not solve it (fewer than half its seeds) and a gated model's final metric is better than the RNN's by "
    "more than the noise (their 95% intervals over seeds do not overlap): the gated model carries information "
    "the RNN does not, whether or not it reaches the threshold. The task supports the claim when some length "
    "separates them; it refutes it when at every length a gated model solves the RNN solves too and none "
    "separates them; otherwise it is inconclusive. The verdict is the tasks' when those that decide agree, mixed "
    "when they disagree.")


def _task_outcome(runs: Sequence, task: str) -> tuple[Verdict, str]:
    """The task's outcome and a sentence on the length that decides it."""
    separating, reaching, unclear = [], [], []
    lengths: list[int | None] = [*lengths_of(runs, task)] or [None]
    for length in lengths:
        here = at_length(runs, task, length)
        rnn = here.get("rnn")
        gated = [s for m, s in here.items() if is_gated(m)]
        solving = [s for s in gated if solves(s)]
        if rnn is None or not gated:
            return "not measured", f"{task}: the RNN and a gated model did not both run."
        ahead = [g for g in gated if clearly_ahead(g, rnn)]
        if ahead and not solves(rnn):
            separating.append((length, ahead, rnn))
        elif solving and solves(rnn):
            reaching.append(length)
        elif solving:
            unclear.append((length, rnn))
    if separating:
        length, ahead, rnn = separating[0]
        names = " and the ".join(model_name(g.model) for g in ahead)
        solved = [g for g in ahead if solves(g)]
        how = "solve" + ("s" if len(ahead) == 1 else "") if len(solved) == len(ahead) else (
            "score" + ("s" if len(ahead) == 1 else "") + " better")
        return "supported", (f"{task}: at {length_name(task, length)} the {names} {how} and the RNN does not, "
                             "beyond the seeds' noise" + budget_caveat([rnn]))
    if unclear:
        length, rnn = unclear[0]
        return "inconclusive", (f"{task}: at {length_name(task, length)} a gated model solves and the RNN does not, "
                                "but their metrics' intervals overlap" + budget_caveat([rnn]))
    if reaching:
        return "refuted", f"{task}: wherever a gated model solves, the RNN solves too"
    return "not measured", f"{task}: no gated model solved a length"


def long_range(runs: Sequence) -> ClaimSection:
    claim = "RNNs cannot carry information across long sequences; LSTMs and GRUs can, to much longer lengths."
    outcomes: list[Verdict] = []
    evidence, deciding = [], []
    for task in tasks_of(runs):
        rec = recommend(runs, task)
        evidence.append(f"{task}: " + "; ".join(b.sentence(task, lengths_of(runs, task)) for b in rec.break_points)
                        + f". {rec.headline}")
        outcome, said = _task_outcome(runs, task)
        outcomes.append(outcome)
        deciding.append(said)
    verdict = overall(outcomes)
    finding = {"supported": "A gated model solved a length the RNN could not, beyond the noise over seeds",
               "refuted": "Wherever a gated model solved, the RNN solved too",
               "mixed": "The tasks disagree",
               "inconclusive": "No length separated the RNN from the gated models beyond the noise over seeds",
               "not measured": "No task separated the RNN from a gated model: on each, no gated model solved a "
                               "length, or one of them was not run"}[verdict]
    finding += ": " + "; ".join(deciding) + "."
    evidence.append("Each task's section below has the metric-against-length curves and its summary table, with "
                    "the 95% intervals.")
    return ClaimSection(2, "Long-range dependencies", claim, verdict, finding, LONG_RANGE_RULE, tuple(evidence))
