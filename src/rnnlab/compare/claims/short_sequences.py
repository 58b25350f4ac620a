"""Claim 5: on short sequences a plain RNN is as good as an LSTM, and cheaper."""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.adequacy import best_of
from rnnlab.compare.claims.base import (
    RULE,
    ClaimSection,
    Cost,
    Verdict,
    adequate,
    break_of,
    clearly_ahead,
    lengths_of,
    overall,
    times,
)
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import RunResult, length_name, summarise_all, tasks_of
from rnnlab.compare.stats import Interval, log_ratio_interval

SHORT_RULE = (
    "A task's short lengths are those the RNN solves (below its break point). At each, the RNN's speed-up over "
    "the LSTM is the LSTM's training-step time over the RNN's (the bench harness's rounds; without them, the "
    "sweep's throughputs per seed), with its 95% interval. The task supports the claim when at one of them the "
    f"RNN is adequate (the recommendation's rule) and the speed-up's interval lies above {1 + RULE.tie:g}; it "
    "refutes it when the RNN solves no tested length (while the LSTM solves one), or at every short length the "
    f"RNN is clearly worse than the best model or its speed-up's interval lies below {1 + RULE.tie:g}; otherwise "
    "it is inconclusive.")


def _speedup(task: str, length: int, runs: Sequence[RunResult], costs: Sequence[Cost]) -> Interval | None:
    """The LSTM's time per training sequence over the RNN's, with its 95 % interval."""
    bench = {c.model: c for c in costs if (c.task, c.length) == (task, length)}
    if "rnn" in bench and "lstm" in bench and bench["rnn"].train_rounds_ms and bench["lstm"].train_rounds_ms:
        return log_ratio_interval(bench["lstm"].train_rounds_ms, bench["rnn"].train_rounds_ms)
    rates = {m: [r.throughput for r in runs if (r.task, r.length, r.model) == (task, length, m) and r.throughput]
             for m in ("rnn", "lstm")}
    return log_ratio_interval(rates["rnn"], rates["lstm"])


def short_sequences(runs: Sequence[RunResult], costs: Sequence[Cost] = ()) -> ClaimSection:
    claim = "On short sequences a plain RNN is as good as an LSTM, and cheaper."
    summaries = summarise_all(runs)
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
        wins, losses, said = [], [], []
        for length in short:
            at = [s for s in summaries if s.task == task and s.length == length]
            mine, lstm = (next((s for s in at if s.model == name), None) for name in ("rnn", "lstm"))
            speedup = _speedup(task, length, runs, costs)
            if mine is None or lstm is None or speedup is None:
                continue
            good = adequate(at, "rnn")
            best = best_of(at, mine.lower_is_better)
            worse = best is not None and clearly_ahead(best, mine)
            text = (f"{length_name(task, length)}: the RNN is {'adequate' if good else 'not adequate'} (solved "
                    f"{mine.n_solved}/{mine.n}, the LSTM {lstm.n_solved}/{lstm.n}) and trains "
                    f"{times(speedup.estimate)} as fast as the LSTM (95% interval {times(speedup.low)} to "
                    f"{times(speedup.high)})")
            said.append(text)
            if good and speedup.low > 1 + RULE.tie:
                wins.append(length)
            elif worse or speedup.high < 1 + RULE.tie:
                losses.append(length)
        headline = recommend(runs, task, short).headline
        evidence.append(f"{task}, where the RNN solves: " + "; ".join(said) + f". {headline}")
        outcomes.append("supported" if wins else "refuted" if said and len(losses) == len(said) else "inconclusive")
    verdict = overall(outcomes)
    finding = {"supported": "Where the RNN solves a task it is adequate and trains faster than the LSTM beyond the "
                            "timing noise, on every task that decides.",
               "refuted": "On no task was the RNN both adequate and faster than the LSTM at a tested length.",
               "mixed": "The tasks disagree: the RNN was adequate and cheaper on some, not on others.",
               "inconclusive": "Where the RNN solves, neither its adequacy nor its speed-up over the LSTM cleared the "
                               "noise over seeds and timings.",
               "not measured": "No task compares the RNN with the LSTM: neither solved a length, or one was not run."}
    return ClaimSection(5, "Short sequences", claim, verdict, finding[verdict], SHORT_RULE, tuple(evidence))
