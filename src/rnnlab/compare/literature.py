"""Our measurements beside the published results they correspond to, and the direction of each contrast.

    comparisons = compare_with_literature(runs)      # one Comparison per published contrast
    section = literature_section(runs)               # the report's "Beside the literature"

Each contrast is a published finding stated as a direction (which model solves, which orders first). We
compare directions, not numbers: budgets, sizes, encodings and data subsets differ, and each comparison
says how. A direction *agrees* or *disagrees* only when our runs clear the suite's rules (a model solves a
length when at least half its seeds did; an order between models holds when their 95 % intervals over
seeds do not overlap); *inconclusive* when they do not; *not comparable* when we did not run the setting,
with the reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from rnnlab.compare.results import ModelSummary, RunResult, length_name, model_name, summarise_all
from rnnlab.compare.stats import clearly_better

Direction = Literal["agrees", "disagrees", "inconclusive", "not comparable"]
SOLVES_AT = 0.5  # recommend.Rule.solves_at


@dataclass(frozen=True)
class Comparison:
    key: str
    source: str  # the paper and where in it
    published: str  # the finding and its numbers, as published
    direction: Direction
    ours: str  # what we measured, in a sentence
    why: str = ""  # what makes it (not) comparable, or inconclusive


def _at(runs: Sequence[RunResult], task: str) -> dict[tuple[int | None, str], ModelSummary]:
    return {(s.length, s.model): s for s in summarise_all(runs) if s.task == task}


def _solves(s: ModelSummary) -> bool:
    return s.solved_fraction >= SOLVES_AT - 1e-9


def _said(s: ModelSummary) -> str:
    metric = "" if not math.isfinite(s.metric_mean) else f", {s.metric} {s.metric_mean:.3g}"
    return f"{model_name(s.model)} {s.n_solved}/{s.n} solved{metric}"


def hochreiter_1997(runs: Sequence[RunResult]) -> Comparison:
    source = "Hochreiter & Schmidhuber 1997, experiment 4 (adding), table 7"
    published = ("the LSTM solves the adding problem at a minimal lag of 100 after 74,000 training sequences on "
                 "average (lag 500: 209,000; lag 1,000: 853,000)")
    at = _at(runs, "adding")
    lstm = sorted((s for (length, model), s in at.items() if model == "lstm" and (length or 0) >= 100),
                  key=lambda s: s.length or 0)
    if not lstm:
        return Comparison("hochreiter-1997", source, published, "not comparable", "no LSTM ran adding at T ≥ 100",
                          "needs adding at T ≥ 100")
    s = lstm[0]
    budget = _sequences_budget(runs, "adding", s.length, "lstm")
    sequences = _sequences_to_solve(runs, "adding", s.length, "lstm")
    ours = f"at {length_name('adding', s.length)}: {_said(s)}" + (
        f", median {sequences:,.0f} training sequences to solve" if sequences else "")
    why = ("our criterion is test MSE < 0.01 on 1,000 fresh sequences after Adam training; theirs a training error "
           "below 0.04 on 2,000 consecutive sequences after their own training")
    if _solves(s):
        return Comparison("hochreiter-1997", source, published, "agrees", ours, why)
    if budget is not None and budget < 74_000:
        return Comparison("hochreiter-1997", source, published, "not comparable", ours,
                          f"our budget ({budget:,} sequences) is below the 74,000 they needed")
    return Comparison("hochreiter-1997", source, published, "disagrees", ours, why)


def le_2015(runs: Sequence[RunResult]) -> Comparison:
    source = "Le, Jaitly & Hinton 2015, section 4.1, figure 2 (adding, T = 150 to 400)"
    published = ("the RNN with tanh units fails to learn the adding problem at T ≥ 150, while the LSTM and the "
                 "IRNN (ReLU, identity initialisation) solve it")
    at = _at(runs, "adding")
    lengths = sorted({length for (length, model) in at if length is not None and length >= 150})
    if not lengths:
        return Comparison("le-2015", source, published, "not comparable", "no adding run at T ≥ 150",
                          "needs adding at T ≥ 150 (the suite's `literature` profile runs it)")
    length = lengths[0]
    here = {model: s for (n, model), s in at.items() if n == length}
    if "rnn" not in here or "lstm" not in here:
        return Comparison("le-2015", source, published, "not comparable",
                          f"at {length_name('adding', length)} the RNN and the LSTM did not both run",
                          "needs the tanh RNN and the LSTM at the same length")
    ours = f"at {length_name('adding', length)}: " + "; ".join(_said(s) for s in here.values())
    irnn = here.get("irnn")
    why = "" if irnn is not None else "the IRNN was not run, so only the RNN against the LSTM is compared"
    if not _solves(here["rnn"]) and _solves(here["lstm"]) and (irnn is None or _solves(irnn)):
        return Comparison("le-2015", source, published, "agrees", ours, why)
    if _solves(here["rnn"]) or not _solves(here["lstm"]):
        return Comparison("le-2015", source, published, "disagrees", ours, why)
    return Comparison("le-2015", source, published, "disagrees", ours, "the IRNN did not solve")


def _order(runs: Sequence[RunResult], task: str, length: int | None, models: Sequence[str]
           ) -> tuple[Direction | None, str]:
    """Whether each model in `models` is better than the next by more than the noise (agrees), the other way
    round for some pair (disagrees), or neither (inconclusive); None when one of them did not run."""
    at = _at(runs, task)
    found = [at.get((length, m)) for m in models]
    if any(s is None for s in found):
        return None, ""
    summaries = [s for s in found if s is not None]
    said = "; ".join(f"{model_name(s.model)} {s.metric} {s.metric_mean:.3g}" for s in summaries)
    lower = summaries[0].lower_is_better
    pairs = list(itertools.pairwise(summaries))

    def better(a: ModelSummary, b: ModelSummary) -> bool:
        return (a.metric_interval is not None and b.metric_interval is not None
                and clearly_better(a.metric_interval, b.metric_interval, lower))

    if all(better(a, b) for a, b in pairs):
        return "agrees", said
    if any(better(b, a) for a, b in pairs):
        return "disagrees", said
    return "inconclusive", said


def bai_2018(runs: Sequence[RunResult]) -> Comparison:
    source = "Bai, Kolter & Koltun 2018, table 1 (adding T=600, copy T=1000, sequential MNIST)"
    published = ("sequential MNIST accuracy: GRU 96.2 % > LSTM 87.2 % > RNN 21.5 %; adding T=600 MSE: GRU 5.3e-5, "
                 "LSTM 0.164, RNN 0.177 (only the GRU solves); copy T=1000: every recurrent model at the "
                 "memoryless loss (about 0.02)")
    results = []
    direction, said = _order(runs, "mnist5k", None, ("gru", "lstm", "rnn"))
    if direction is not None:
        results.append((direction, f"MNIST-5k pixel by pixel (a 5,000-digit subset, not their full MNIST): {said}"))
    at = _at(runs, "adding")
    if all((600, m) in at for m in ("gru", "lstm", "rnn")):
        gru, lstm, rnn = (at[(600, m)] for m in ("gru", "lstm", "rnn"))
        agrees = _solves(gru) and not _solves(lstm) and not _solves(rnn)
        results.append(("agrees" if agrees else "disagrees",
                        "adding T=600: " + "; ".join(_said(s) for s in (gru, lstm, rnn))))
    copy = _at(runs, "copy")
    if all((1000, m) in copy for m in ("gru", "lstm", "rnn")):
        flat = [copy[(1000, m)] for m in ("gru", "lstm", "rnn")]
        stuck = all(s.baseline is not None and s.metric_interval is not None
                    and s.metric_interval.contains(s.baseline) for s in flat)
        results.append(("agrees" if stuck else "inconclusive",
                        "copy delay 1000: " + "; ".join(_said(s) for s in flat)))
    if not results:
        return Comparison("bai-2018", source, published, "not comparable",
                          "no run of sequential MNIST, adding T=600 or copy delay 1000 with the GRU, LSTM and RNN",
                          "needs those settings (the `literature` suite's long profile)")
    directions = {d for d, _ in results}
    overall: Direction = ("disagrees" if "disagrees" in directions else "agrees" if directions == {"agrees"}
                          else "inconclusive")
    return Comparison("bai-2018", source, published, overall, "; ".join(s for _, s in results),
                      "their models are larger and trained far longer; MNIST-5k is a 5,000-digit subset")


def chung_2014(runs: Sequence[RunResult]) -> Comparison:
    source = "Chung, Gulcehre, Cho & Bengio 2014, table 2 (JSB Chorales, test negative log-likelihood)"
    published = ("GRU 8.54 and LSTM 8.67 against the tanh RNN's 9.10: both gated units beat the tanh RNN (the GRU "
                 "slightly ahead of the LSTM)")
    at = _at(runs, "chorales-roll")
    if not all((None, m) in at for m in ("gru", "lstm", "rnn")):
        return Comparison("chung-2014", source, published, "not comparable",
                          "no chorales-roll run of the GRU, LSTM and RNN", "needs chorales-roll (rnnlab[music])")
    _, said = _order(runs, "chorales-roll", None, ("gru", "lstm", "rnn"))
    gated_ahead = [_order(runs, "chorales-roll", None, (m, "rnn"))[0] for m in ("gru", "lstm")]
    direction: Direction = ("agrees" if gated_ahead == ["agrees", "agrees"]
                            else "disagrees" if "disagrees" in gated_ahead else "inconclusive")
    return Comparison("chung-2014", source, published, direction, f"Bach chorales piano roll: {said}",
                      "our encoding is 46 pitches at 16th notes, theirs 88 at quarter notes: the order compares, the "
                      "numbers do not")


def jozefowicz_2015(runs: Sequence[RunResult]) -> Comparison:
    source = "Jozefowicz, Zaremba & Sutskever 2015, section 4 (forget-gate bias)"
    published = ("initialising the LSTM's forget-gate bias to 1 closes most of its gap to the GRU; with bias 0 the "
                 "LSTM does worse")
    comparable = []
    for task in dict.fromkeys(r.task for r in runs):
        at = _at(runs, task)
        for length in sorted({n for (n, m) in at if m == "lstm-fb0"}, key=lambda n: n or 0):
            if (length, "lstm") in at:
                direction, said = _order(runs, task, length, ("lstm", "lstm-fb0"))
                one, zero = at[(length, "lstm")], at[(length, "lstm-fb0")]
                if direction == "inconclusive" and one.n_solved > zero.n_solved:
                    said += f" (bias 1 solved {one.n_solved}/{one.n}, bias 0 {zero.n_solved}/{zero.n})"
                comparable.append((direction or "inconclusive", f"{task} {length_name(task, length)}: {said}"))
    if not comparable:
        return Comparison("jozefowicz-2015", source, published, "not comparable",
                          "no run of the LSTM with forget bias 0 (`lstm-fb0`) beside the LSTM",
                          "needs `lstm-fb0` beside `lstm`")
    directions = {d for d, _ in comparable}
    overall: Direction = ("disagrees" if "disagrees" in directions else "agrees" if "agrees" in directions
                          else "inconclusive")
    return Comparison("jozefowicz-2015", source, published, overall, "; ".join(s for _, s in comparable))


def _sequences_budget(runs: Sequence[RunResult], task: str, length: int | None, model: str) -> int | None:
    budgets = [r.steps * r.batch_size for r in runs if (r.task, r.length, r.model) == (task, length, model)
               and r.steps is not None and r.batch_size is not None and r.status != "solved"]
    return max(budgets) if budgets else None


def _sequences_to_solve(runs: Sequence[RunResult], task: str, length: int | None, model: str) -> float | None:
    solved = sorted(r.steps_to_solve * r.batch_size for r in runs
                    if (r.task, r.length, r.model) == (task, length, model)
                    and r.steps_to_solve is not None and r.batch_size is not None)
    return float(solved[len(solved) // 2]) if solved else None


CONTRASTS: tuple[Callable[[Sequence[RunResult]], Comparison], ...] = (
    hochreiter_1997, le_2015, bai_2018, chung_2014, jozefowicz_2015)


def compare_with_literature(runs: Sequence[RunResult]) -> list[Comparison]:
    """One comparison per published contrast, in the order of CONTRASTS."""
    return [contrast(runs) for contrast in CONTRASTS]
