"""The claims people make about RNNs, LSTMs, GRUs and Transformers, each checked against measurements.

    sections = claim_sections(runs, measured)   # runs: the sweeps' RunResults; measured: suite.measure()

A section states the claim, then a verdict and a finding derived from the numbers by the rule printed
with it, the numbers the finding rests on, and its figures or tables. No rule knows which model should
win: if the RNN holds out as long as the LSTM, the long-range claim is reported as refuted.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rnnlab.compare.recommend import BreakPoint, Rule, recommend
from rnnlab.compare.results import ModelSummary, RunResult, length_name, model_name, summarise_all, tasks_of
from rnnlab.diagnostics.explode import GradientNormSeries, explosion_summary
from rnnlab.diagnostics.gates import GateStatistics
from rnnlab.diagnostics.gradients import GradientFlow
from rnnlab.diagnostics.memory import Sensitivity

Verdict = Literal["supported", "refuted", "mixed", "not measured"]
GATED = ("lstm", "gru")
RULE = Rule()  # recommend.py's: what "adequate" means, and costs within `tie` (5%) count as equal


@dataclass(frozen=True)
class Cost:
    """One model's cost on one task at one length: the bench harness at the run's shape (1 thread, CPU time)."""

    task: str
    length: int | None
    model: str
    parameters: int
    shape: str  # "B=32 T=100": the batch and the steps the model reads (copy: symbols + delay + recall)
    train_ms: float  # one training step (forward and backward) over a batch
    infer_ms: float  # one forward pass over a batch
    train_peak_mb: float | None  # the most memory a training step holds at once, parameters excluded


@dataclass(frozen=True)
class StepLatency:
    """Generating one token at batch 1: a recurrent step from its state, or a Transformer's forward pass over
    its whole context (no KV cache)."""

    model: str
    context: int | None  # tokens the step reads; None for a recurrent step (its state holds the context)
    ms: float


@dataclass
class Measured:
    """What the suite measures besides its sweeps (suite.measure)."""

    probe: str  # where gradients were probed, e.g. "adding T=100"
    flows: dict[str, list[GradientFlow]] = field(default_factory=dict)  # "init", "trained": per model and seed
    sensitivities: list[Sensitivity] = field(default_factory=list)  # one per model (seed 0)
    sensitivity_when: str = "at initialisation"
    gates: list[GateStatistics] = field(default_factory=list)  # trained LSTM/GRU checkpoints (seed 0)
    explode: list[GradientNormSeries] = field(default_factory=list)
    explode_setting: str = ""
    costs: list[Cost] = field(default_factory=list)
    steps: list[StepLatency] = field(default_factory=list)
    figures: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name -> (caption, PNG)
    machine: str = ""  # as the bench harness names it


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ClaimSection:
    number: int
    title: str
    claim: str  # as people make it
    verdict: Verdict
    finding: str  # what the measurements say about the claim, in a sentence or two
    rule: str  # how the verdict follows from the numbers
    evidence: tuple[str, ...]  # sentences citing the numbers
    tables: tuple[Table, ...] = ()
    figures: tuple[tuple[str, str, bytes], ...] = ()  # (name, caption, PNG)


def _num(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3g}"


def _times(ratio: float | None) -> str:
    return "–" if ratio is None or not math.isfinite(ratio) else f"{ratio:.2f}×"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _geomean(values: Sequence[float | None]) -> float | None:
    positive = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return math.exp(statistics.fmean(math.log(v) for v in positive)) if positive else None


def _overall(outcomes: Sequence[Verdict]) -> Verdict:
    """One verdict from the tasks': theirs when they agree, mixed when they do not."""
    said = [o for o in outcomes if o != "not measured"]
    if not said:
        return "not measured"
    return said[0] if len(set(said)) == 1 else "mixed"


def _figures(measured: Measured, *names: str) -> tuple[tuple[str, str, bytes], ...]:
    return tuple((name, *measured.figures[name]) for name in names if name in measured.figures)


def _break(task: str, runs: Sequence[RunResult], model: str) -> BreakPoint | None:
    return next((b for b in recommend(runs, task).break_points if b.model == model), None)


def _reach(point: BreakPoint) -> float:
    """How far a model gets: its break point; infinity when it solves every tested length."""
    return math.inf if point.length is None else float(point.length)


def _lengths(runs: Sequence[RunResult], task: str) -> list[int]:
    return sorted({run.length for run in runs if run.task == task and run.length is not None})


def _adequate(at_length: Sequence[ModelSummary], model: str) -> bool:
    """recommend.py's rule: solved a seed, and a solved fraction within `tolerance` of the best model's."""
    best = max((s.solved_fraction for s in at_length), default=0.0)
    return any(s.model == model and s.n_solved > 0 and s.solved_fraction >= best - RULE.tolerance - 1e-9
               for s in at_length)


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
        h = _geomean([f.hidden.factor for f in mine])
        c = _geomean([f.cell_state.factor for f in mine if f.cell_state is not None])
        best[model] = max((v for v in (h, c) if v is not None), default=None)
        steps = mine[0].steps
        lags = [f.hidden.vanish_lag for f in mine if f.hidden.vanish_lag is not None]
        text = f"{model_name(model)} ‖∂L/∂h_t‖ ×{_num(h)} per step"
        text += f" (×{_num(h ** (steps - 1))} over {steps - 1} steps)" if h is not None else ""
        text += f", below 1e-6 of its lag-0 value from lag {min(lags)}" if lags else ""
        text += f", cell path ‖∂L/∂c_t‖ ×{_num(c)} per step" if c is not None else ""
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
        factors, sentence = _factors(measured.flows[when], measured.probe, said)
        evidence.append(sentence)
        rnn = factors.get("rnn")
        gated = {m: f for m, f in factors.items() if m in GATED and f is not None}
        if rnn is None or not gated:
            continue
        outcomes.append("supported" if rnn < 1 and all(rnn < (1 - RULE.tie) * f for f in gated.values())
                        else "refuted" if any(f <= rnn for f in gated.values()) else "mixed")
        said_factors.append(f"{said.lower()} the RNN's gradient changes by ×{_num(rnn)} per step back in time, the "
                            "gated models' best path by " + ", ".join(f"×{_num(f)} ({model_name(m)})"
                                                                      for m, f in gated.items()))
    if measured.sensitivities:
        evidence.append(f"How far back the last output still depends on the inputs (‖∂y_T/∂x_t‖ at least "
                        f"{measured.sensitivities[0].threshold:g} of its peak, {measured.sensitivity_when}): "
                        + "; ".join(f"{model_name(s.label)} up to lag {'none' if s.horizon is None else s.horizon}"
                                    for s in measured.sensitivities)
                        + f" (the sequence's first step is at lag {measured.sensitivities[0].steps - 1}).")
    verdict = _overall(outcomes)
    finding = (_sentence("; ".join(said_factors)) if said_factors
               else "The suite probed no RNN and gated model side by side.")
    return ClaimSection(1, "Vanishing gradients in RNNs", claim, verdict, finding, VANISHING_RULE, tuple(evidence),
                        figures=_figures(measured, "gradient-flow-init", "gradient-flow-trained", "input-sensitivity",
                                         *(f"gates-{stats.cell}" for stats in measured.gates)))


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
        evidence.append(f"{task}: " + "; ".join(b.sentence(task, _lengths(runs, task)) for b in rec.break_points)
                        + f". {rec.headline}")
        rnn = next((b for b in rec.break_points if b.model == "rnn"), None)
        gated = [b for b in rec.break_points if b.model in GATED]
        if rnn is None or not gated or all(b.longest_solved is None for b in [rnn, *gated]):
            outcomes.append("not measured")
        else:
            outcomes.append("supported" if _reach(rnn) < max(_reach(b) for b in gated) else "refuted")
    verdict = _overall(outcomes)
    finding = {"supported": "On every task that separated the models, the RNN broke at a shorter length than the "
                            "best gated model.",
               "refuted": "On every task that separated the models, the RNN reached as far as the gated models.",
               "mixed": "The tasks disagree: the RNN broke earlier on some and reached as far on others.",
               "not measured": "No task separated the RNN from a gated model: on each, neither solved a length, "
                               "or one of them was not run."}[verdict]
    evidence.append("Each task's section below has the metric-against-length curves and its summary table.")
    return ClaimSection(2, "Long-range dependencies", claim, verdict, finding, LONG_RANGE_RULE, tuple(evidence))


STABILITY_RULE = (
    "The clipping experiment decides: supported when more seeds diverged without clipping than with it, "
    "refuted when no seed diverged or had a gradient spike without clipping, mixed otherwise. The sweep's "
    "diverged runs and its seed-to-seed spread are reported beside it.")


def stability(runs: Sequence[RunResult], measured: Measured) -> ClaimSection:
    claim = ("Training recurrent networks is unstable: gradients explode, results vary from seed to seed, and "
             "gradient clipping is what keeps training on track.")
    summaries = [explosion_summary(series) for series in measured.explode]
    free = [s for s in summaries if s.clip is None]
    clipped = [s for s in summaries if s.clip is not None]
    evidence = []
    for name, group in (("Without clipping", free), ("Clipped", clipped)):
        if not group:
            continue
        diverged = [s for s in group if s.diverged]
        clip = (f" at {group[0].clip:g} ({statistics.fmean(s.clipped_fraction or 0.0 for s in group):.0%} of "
                "steps clipped)" if group[0].clip is not None else "")
        evidence.append(f"{name}{clip}: {len(diverged)} of {len(group)} seeds diverged"
                        + (f" (at step {', '.join(str(s.diverged_at) for s in diverged)})" if diverged else "")
                        + f"; largest finite gradient norm {_num(max(s.max_norm for s in group))}, median "
                        f"{_num(statistics.median(s.median_norm for s in group))}, "
                        f"{_count(sum(s.spikes for s in group), 'spike')}; {measured.explode_setting}.")
    summaries_swept = summarise_all(runs)
    for s in summaries_swept:
        if s.n_diverged:
            evidence.append(f"In the sweep, the {model_name(s.model)} diverged in {s.n_diverged} of {s.n} seeds on "
                            f"{s.task} {length_name(s.task, s.length)}.")
    several = [s for s in summaries_swept if s.n > 1]
    if several:
        split = [s for s in several if 0 < s.n_solved < s.n]
        evidence.append(f"Seeds disagreed (some solved, some not) in {len(split)} of {len(several)} settings of the "
                        "sweep" + (": " + ", ".join(f"{model_name(s.model)} on {s.task} "
                                                    f"{length_name(s.task, s.length)} ({s.n_solved}/{s.n})"
                                                    for s in split) if split else "") + ".")
    else:
        evidence.append("The sweep ran one seed per setting: its seed-to-seed spread was not measured.")
    if not free or not clipped:
        verdict: Verdict = "not measured"
        finding = "The clipping experiment was not run."
    else:
        lost_free, lost_clipped = sum(s.diverged for s in free), sum(s.diverged for s in clipped)
        verdict = ("supported" if lost_free > lost_clipped
                   else "refuted" if not lost_free and not any(s.spikes for s in free) else "mixed")
        finding = (f"Without clipping {lost_free} of {len(free)} seeds diverged; clipped, {lost_clipped} of "
                   f"{len(clipped)}.")
    return ClaimSection(3, "Training stability", claim, verdict, finding, STABILITY_RULE, tuple(evidence),
                        figures=_figures(measured, "clipping"))


EFFICIENCY_RULE = (
    "At equal parameters, each gated model's training-step time over the RNN's (geometric mean over the "
    f"measured tasks and lengths): supported when the LSTM's and the GRU's are both more than {RULE.tie:.0%} "
    f"above 1, refuted when one is more than {RULE.tie:.0%} below 1, mixed otherwise.")


def _over_rnn(costs: Sequence[Cost], model: str, name: str) -> float | None:
    """Geometric mean over the settings of `model`'s cost `name` over the RNN's at the same setting."""
    rnn = {(c.task, c.length): getattr(c, name) for c in costs if c.model == "rnn"}
    return _geomean([getattr(c, name) / rnn[(c.task, c.length)] for c in costs
                     if c.model == model and rnn.get((c.task, c.length)) and getattr(c, name) is not None])


def _cost_rows(runs: Sequence[RunResult], costs: Sequence[Cost]) -> tuple[tuple[str, ...], ...]:
    throughput = {(s.task, s.length, s.model): s.throughput for s in summarise_all(runs)}
    rows = []
    for c in costs:
        rnn = next((r for r in costs if r.model == "rnn" and (r.task, r.length) == (c.task, c.length)), None)
        swept, swept_rnn = throughput.get((c.task, c.length, c.model)), throughput.get((c.task, c.length, "rnn"))
        memory = c.train_peak_mb / rnn.train_peak_mb if rnn and c.train_peak_mb and rnn.train_peak_mb else None
        rows.append((f"{c.task} {length_name(c.task, c.length)}", model_name(c.model), f"{c.parameters:,}", c.shape,
                     _num(c.train_ms), _times(c.train_ms / rnn.train_ms if rnn else None),
                     _num(c.infer_ms), _times(c.infer_ms / rnn.infer_ms if rnn else None),
                     _num(c.train_peak_mb), _times(memory), "–" if swept is None else f"{swept:,.0f}",
                     _times(swept_rnn / swept if swept and swept_rnn else None)))
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
            (model_name(s.model), "its state" if s.context is None else str(s.context), _num(s.ms),
             _times(s.ms / rnn_step if rnn_step else None)) for s in measured.steps)))
    ratios = {m: tuple(_over_rnn(costs, m, name) for name in ("train_ms", "infer_ms", "train_peak_mb"))
              for m in dict.fromkeys(c.model for c in costs) if m != "rnn"}
    evidence = [f"The {model_name(m)} against the RNN at equal parameters (geometric mean over the settings): "
                f"training step {_times(t)}, inference {_times(i)}, training memory {_times(p)}."
                for m, (t, i, p) in ratios.items()]
    evidence.append("Costs are CPU time per step with one thread, from the bench harness on each model's recurrent "
                    "or attention core at the run's batch and sequence length (median of the rounds, on a quiet "
                    "machine after the sweeps); the sweep's throughput was measured while training, two runs at "
                    "a time, and includes the encoder, head, loss and optimiser.")
    gated = {m: ratio for m in GATED if m in ratios and (ratio := ratios[m][0]) is not None}
    if "rnn" not in {c.model for c in costs} or not gated:
        verdict: Verdict = "not measured"
        finding = "The suite measured no RNN and gated model side by side."
    else:
        verdict = ("supported" if all(r > 1 + RULE.tie for r in gated.values())
                   else "refuted" if any(r < 1 - RULE.tie for r in gated.values()) else "mixed")
        finding = "At equal parameters a training step takes " + " and ".join(
            f"{_times(r)} the RNN's time for the {model_name(m)}" for m, r in gated.items()) + "."
    return ClaimSection(4, "Computational efficiency", claim, verdict, finding, EFFICIENCY_RULE, tuple(evidence),
                        tuple(tables))


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
        lengths = _lengths(runs, task)
        rnn, lstm_break = _break(task, runs, "rnn"), _break(task, runs, "lstm")
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
            good = _adequate(at, "rnn")
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
    verdict = _overall(outcomes)
    finding = {"supported": "Where the RNN solves a task it is adequate and trained faster than the LSTM, on every "
                            "task that compares them.",
               "refuted": "On no task was the RNN both adequate and faster than the LSTM at a tested length.",
               "mixed": "The tasks disagree: the RNN was adequate and cheaper on some, not on others.",
               "not measured": "No task compares the RNN with the LSTM: neither solved a length, or one was not run."}
    return ClaimSection(5, "Short sequences", claim, verdict, finding[verdict], SHORT_RULE, tuple(evidence))


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
    reach, evidence = [], []
    solved = {(s.task, s.length) for s in summarise_all(runs) if s.model == "transformer" and s.n_solved}
    for task in (t for t in tasks_of(runs) if any(r.model == "transformer" and r.task == t for r in runs)):
        rec = recommend(runs, task)
        points = {b.model: b for b in rec.break_points}
        evidence.append(f"{task}: {points['transformer'].sentence(task, _lengths(runs, task))}; the cheapest adequate "
                        "model per length: " + ", ".join(f"{length_name(task, n)} {model_name(m) if m else 'none'}"
                                                         for n, m in rec.cheapest_per_length) + ".")
        recurrent = [b for m, b in points.items() if m != "transformer"]
        if recurrent and any(b.longest_solved is not None for b in points.values()):
            best = max(recurrent, key=_reach)
            further = _reach(points["transformer"]) > _reach(best)
            outcomes.append("supported" if further else "refuted")
            reach.append(f"on {task} it reaches " + ("further than every recurrent model" if further
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
                f"{_times(train)} the LSTM's time at {length_name(task, length)} (inference {_times(infer)})"
                for length, train, infer in pairs) + ", at equal parameters.")
    generation = [s for s in measured.steps if s.model == "transformer" and s.context is not None]
    recurrent_steps = [s for s in measured.steps if s.context is None]
    if generation and recurrent_steps:
        evidence.append("One generated token at batch 1, without a KV cache: the Transformer reads its whole context, "
                        + ", ".join(f"{_num(s.ms)} ms at {s.context} tokens" for s in generation)
                        + "; a recurrent step " + ", ".join(f"{_num(s.ms)} ms ({model_name(s.model)})"
                                                            for s in recurrent_steps) + " at any context.")
    verdict = _overall(outcomes)
    finding = (f"It wins (the cheapest adequate model) at {_where(wins)}; it solves but an adequate model is "
               f"cheaper at {_where(costlier)}; it loses (solves no seed where another model does) at "
               f"{_where(losses)}." + (f" {_sentence('; '.join(reach))}" if reach else ""))
    if not any(r.model == "transformer" for r in runs):
        finding = "The suite ran no Transformer."
    return ClaimSection(6, "When a Transformer wins, and when it loses", claim, verdict, finding, TRANSFORMER_RULE,
                        tuple(evidence))


def claim_sections(runs: Sequence[RunResult], measured: Measured) -> list[ClaimSection]:
    """The six claims, in order."""
    return [vanishing_gradients(measured), long_range(runs), stability(runs, measured), efficiency(runs, measured),
            short_sequences(runs, measured.costs), transformer(runs, measured)]
