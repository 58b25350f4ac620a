"""Claim 2: RNNs cannot carry information across long sequences; LSTMs and GRUs can."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Verdict,
    is_gated,
    lengths_of,
    overall,
    reach,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import RunResult, tasks_of

LONG_RANGE_RULE = (
    "Per task, the RNN's break point (the shortest tested length at which fewer than half its seeds solved) "
    "against the furthest-reaching gated model's: the task supports the claim when the RNN breaks earlier, "
    "refutes it when the RNN reaches as far, and says nothing when neither the RNN nor a gated model solved a "
    "length. The verdict is the tasks' when they agree, mixed when they do not.")


def long_range(runs: Sequence[RunResult]) -> ClaimSection:
    claim = "RNNs cannot carry information across long sequences; LSTMs and GRUs can, to much longer lengths."
    outcomes: list[Verdict] = []
    evidence = []
    for task in tasks_of(runs):
        rec = recommend(runs, task)
        evidence.append(f"{task}: " + "; ".join(b.sentence(task, lengths_of(runs, task)) for b in rec.break_points)
                        + f". {rec.headline}")
        rnn = next((b for b in rec.break_points if b.model == "rnn"), None)
        gated_points = [b for b in rec.break_points if is_gated(b.model)]
        if rnn is None or not gated_points or all(b.longest_solved is None for b in [rnn, *gated_points]):
            outcomes.append("not measured")
        else:
            outcomes.append("supported" if reach(rnn) < max(reach(b) for b in gated_points) else "refuted")
    verdict = overall(outcomes)
    finding = {"supported": "On every task that separated the models, the RNN broke at a shorter length than the "
                            "best gated model.",
               "refuted": "On every task that separated the models, the RNN reached as far as the gated models.",
               "mixed": "The tasks disagree: the RNN broke earlier on some and reached as far on others.",
               "not measured": "No task separated the RNN from a gated model: on each, neither solved a length, "
                               "or one of them was not run."}[verdict]
    evidence.append("Each task's section below has the metric-against-length curves and its summary table.")
    return ClaimSection(2, "Long-range dependencies", claim, verdict, finding, LONG_RANGE_RULE, tuple(evidence))
