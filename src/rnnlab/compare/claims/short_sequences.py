"""Claim 5: on short sequences a plain RNN is as good as an LSTM, and cheaper."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    RULE,
    ClaimSection,
    Cost,
    Verdict,
    adequate,
    break_of,
    lengths_of,
    overall,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import RunResult, length_name, summarise_all, tasks_of

SHORT_RULE = (
    "A task's short lengths are those the RNN solves (below its break point). The task supports the claim "
    f"when at one of them the RNN is adequate (the recommendation's rule) and trains more than {RULE.tie:.0%} "
    "more sequences per second than the LSTM; it refutes it when the RNN solves no tested length (while the "
    "LSTM solves one) or is never both adequate and faster there.")


def short_sequences(runs: Sequence[RunResult], costs: Sequence[Cost] = ()) -> ClaimSection:
    claim = "On short sequences a plain RNN is as good as an LSTM, and cheaper."
    summaries = summarise_all(runs)
    bench = {(c.task, c.length, c.model): c.train_ms for c in costs}
    outcomes: list[Verdict] = []
    evidence = []
    for task in tasks_of(runs):
        lengths = lengths_of(runs, task)
        rnn, lstm_break = break_of(task, runs, "rnn"), break_of(task, runs, "lstm")
        if rnn is None or lstm_break is None or not lengths:
            outcomes.append("not measured")
            continue
        short = [length for length in lengths if rnn.length is None or length < rnn.length]
        if not short:
            compared = lstm_break.longest_solved is not None
            evidence.append(f"{task}: the RNN solved no tested length, not even {length_name(task, lengths[0])}"
                            + ("." if compared else "; nor did the LSTM, so the task does not compare them."))
            outcomes.append("refuted" if compared else "not measured")
            continue
        wins, said = [], []
        for length in short:
            at = [s for s in summaries if s.task == task and s.length == length]
            mine, lstm = (next((s for s in at if s.model == name), None) for name in ("rnn", "lstm"))
            if mine is None or lstm is None or not (mine.throughput and lstm.throughput):
                continue
            ratio = mine.throughput / lstm.throughput
            good = adequate(at, "rnn")
            text = (f"{length_name(task, length)}: the RNN is {'adequate' if good else 'not adequate'} (solved "
                    f"{mine.n_solved}/{mine.n}, the LSTM {lstm.n_solved}/{lstm.n}) and trained {ratio:.2f}× the LSTM's "
                    "sequences per second in the sweep")
            step = (bench.get((task, length, "rnn")), bench.get((task, length, "lstm")))
            if step[0] and step[1]:
                text += f"; the bench harness times its training step at {step[0] / step[1]:.2f}× the LSTM's"
            said.append(text)
            if good and ratio > 1 + RULE.tie:
                wins.append(length)
        headline = recommend(runs, task, short).headline
        evidence.append(f"{task}, where the RNN solves: " + "; ".join(said) + f". {headline}")
        outcomes.append("supported" if wins else "refuted")
    verdict = overall(outcomes)
    finding = {"supported": "Where the RNN solves a task it is adequate and trained faster than the LSTM, on every "
                            "task that compares them.",
               "refuted": "On no task was the RNN both adequate and faster than the LSTM at a tested length.",
               "mixed": "The tasks disagree: the RNN was adequate and cheaper on some, not on others.",
               "not measured": "No task compares the RNN with the LSTM: neither solved a length, or one was not run."}
    return ClaimSection(5, "Short sequences", claim, verdict, finding[verdict], SHORT_RULE, tuple(evidence))
