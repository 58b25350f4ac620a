"""The claims' rules (compare/claims/) on synthetic measurements whose answer is known by construction: each
claim supported, refuted, and inconclusive when the contrast does not clear the 95 % intervals over seeds.
The reference is each rule as its module prints it."""

from collections.abc import Sequence

from rnnlab.compare.claims import (
    Cost,
    Measured,
    efficiency,
    long_range,
    short_sequences,
    stability,
    transformer,
    vanishing_gradients,
)
from rnnlab.compare.claims.base import overall
from rnnlab.compare.results import RunResult
from rnnlab.diagnostics.explode import GradientNormSeries
from rnnlab.diagnostics.gradients import GradientFlow, GradientNorms

SOLVED = (0.0010, 0.0012, 0.0008)  # MSE per seed when a seed solves
UNSOLVED = (0.160, 0.165, 0.170)  # near the memoryless baseline 1/6


def runs_at(task: str, length: int, model: str, solved: int, throughput: float = 2000.0,
            metrics: Sequence[float] | None = None) -> list[RunResult]:
    """Three seeds of one model at one length; the first `solved` seeds solve."""
    out = []
    for seed in range(3):
        ok = seed < solved
        value = metrics[seed] if metrics else (SOLVED if ok else UNSOLVED)[seed]
        out.append(RunResult(task, length, model, seed, 17_000, "solved" if ok else "not solved", value, value,
                             "mse", True, 10.0, throughput=throughput * (1 + 0.01 * seed), baseline=1 / 6,
                             threshold=0.01))
    return out


def test_the_overall_verdict_counts_only_decided_outcomes() -> None:
    """Reference: base.overall: agreeing decided outcomes win over inconclusive ones; disagreeing ones are mixed."""
    assert overall(["supported", "inconclusive"]) == "supported"
    assert overall(["supported", "refuted"]) == "mixed"
    assert overall(["inconclusive", "not measured"]) == "inconclusive"
    assert overall(["not measured"]) == "not measured"


def test_long_range_both_ways_and_inconclusive() -> None:
    """Reference: LONG_RANGE_RULE. Supported: at T=50 the LSTM solves 3/3 and the RNN 0/3, intervals apart.
    Refuted: the RNN solves wherever the LSTM does. Inconclusive: at T=50 the LSTM solves 2/3 (one seed at
    0.16) and the RNN none, and the LSTM's interval reaches the RNN's."""
    breaks = runs_at("adding", 25, "rnn", 3) + runs_at("adding", 25, "lstm", 3) + runs_at("adding", 50, "rnn", 0) \
        + runs_at("adding", 50, "lstm", 3)
    section = long_range(breaks)
    assert section.verdict == "supported" and "at T=50 the LSTM solves and the RNN does not" in section.finding
    assert "RNN breaks at T=50" in " ".join(section.evidence)
    holds = runs_at("adding", 25, "rnn", 3) + runs_at("adding", 25, "lstm", 3)
    assert long_range(holds).verdict == "refuted"
    unclear = runs_at("adding", 50, "rnn", 0) + runs_at("adding", 50, "lstm", 2)
    assert long_range(unclear).verdict == "inconclusive"
    assert long_range(runs_at("adding", 25, "rnn", 0) + runs_at("adding", 25, "lstm", 0)).verdict == "not measured"


def test_a_verdict_resting_on_runs_still_improving_says_so() -> None:
    """Reference: issue 13: an unsolved run still improving when its budget ran out is flagged where it
    affects a verdict."""
    runs = runs_at("adding", 50, "lstm", 3) + [
        RunResult("adding", 50, "rnn", seed, 17_000, "not solved", value, value, "mse", True, 10.0,
                  throughput=4000.0, baseline=1 / 6, threshold=0.01, stop_reason="budget", still_improving=True)
        for seed, value in enumerate(UNSOLVED)]
    section = long_range(runs)
    assert section.verdict == "supported" and "may change with more budget" in section.finding


def test_short_sequences_both_ways_and_inconclusive() -> None:
    """Reference: SHORT_RULE with the sweep's throughputs per seed (no bench costs). Supported: the RNN solves
    T=25, level with the LSTM, twice as fast. Refuted: the RNN solves no length while the LSTM does.
    Inconclusive: level and only 3% faster (inside the 5% tie)."""
    fast = runs_at("adding", 25, "rnn", 3, 4000.0) + runs_at("adding", 25, "lstm", 3, 2000.0)
    assert short_sequences(fast).verdict == "supported"
    fails = runs_at("adding", 25, "rnn", 0, 4000.0) + runs_at("adding", 25, "lstm", 3, 2000.0)
    section = short_sequences(fails)
    assert section.verdict == "refuted" and "solved no tested length" in " ".join(section.evidence)
    close = runs_at("adding", 25, "rnn", 3, 2060.0) + runs_at("adding", 25, "lstm", 3, 2000.0)
    assert short_sequences(close).verdict in ("inconclusive", "refuted")
    slower = runs_at("adding", 25, "rnn", 3, 1000.0) + runs_at("adding", 25, "lstm", 3, 2000.0)
    assert short_sequences(slower).verdict == "refuted"


def test_the_transformer_reaches_further_both_ways() -> None:
    """Reference: TRANSFORMER_RULE on the copy outcome of a short budget: the Transformer solves delays 5 and
    10 where no recurrent model does, beyond the noise (supported); a recurrent model solving every delay the
    Transformer solves refutes it; a task only it solves says nothing about the RNN against the LSTM."""
    runs = [r for n in (5, 10) for model in ("rnn", "lstm", "transformer")
            for r in runs_at("copy", n, model, 3 if model == "transformer" else 0)]
    section = transformer(runs, Measured("copy delay 5"))
    assert section.verdict == "supported" and "it solves delay 5, where no recurrent model does" in section.finding
    assert "wins (the cheapest adequate model) at copy delay 5, delay 10" in section.finding
    assert long_range(runs).verdict == "not measured" and short_sequences(runs).verdict == "not measured"
    level = [r for model in ("lstm", "transformer") for r in runs_at("copy", 5, model, 3)]
    assert transformer(level, Measured("copy delay 5")).verdict == "refuted"


def flow(model: str, factor: float) -> GradientFlow:
    """A gradient flow whose norms shrink by `factor` per step back in time (an exact geometric decay)."""
    norms = GradientNorms.from_norms("h", [factor ** k for k in range(20)])
    return GradientFlow(model, model, 20, 8, False, norms, None, norms)


def test_vanishing_gradients_needs_the_rnns_factors_below_the_gated_models_beyond_the_noise() -> None:
    """Reference: VANISHING_RULE: per-seed factors 0.60-0.62 (RNN) against 0.85-0.87 (LSTM): supported; the
    LSTM's factors at 0.55-0.57, below the RNN's: refuted; overlapping factors: inconclusive."""
    def measured(rnn: Sequence[float], lstm: Sequence[float]) -> Measured:
        return Measured("adding T=100", flows={"init": [flow("rnn", f) for f in rnn] + [flow("lstm", f) for f in lstm]})

    assert vanishing_gradients(measured((0.60, 0.61, 0.62), (0.85, 0.86, 0.87))).verdict == "supported"
    assert vanishing_gradients(measured((0.60, 0.61, 0.62), (0.55, 0.56, 0.57))).verdict == "refuted"
    assert vanishing_gradients(measured((0.60, 0.70, 0.80), (0.65, 0.75, 0.85))).verdict == "inconclusive"


def series(clip: float | None, diverged: bool) -> GradientNormSeries:
    norms = [1.0] * 10 + ([float("inf")] if diverged else [1.0])
    return GradientNormSeries("clip" if clip else "no clip", tuple(norms), clip, 11 if diverged else None)


def test_stability_needs_fishers_test_to_clear_five_percent() -> None:
    """Reference: STABILITY_RULE: 4 of 4 seeds diverging without clipping against 0 of 4 clipped gives
    p = 1/70 (supported); 3 of 3 against 0 of 3 gives p = 0.05, not below it (inconclusive); no divergence and
    no spike without clipping refutes the claim."""
    def measured(seeds: int, diverged: bool) -> Measured:
        return Measured("adding T=100", explode=[s for _ in range(seeds)
                                                 for s in (series(None, diverged), series(1.0, False))])

    assert stability([], measured(4, True)).verdict == "supported"
    assert stability([], measured(3, True)).verdict == "inconclusive"
    assert stability([], measured(4, False)).verdict == "refuted"


def costs(model: str, ratios: Sequence[float]) -> list[Cost]:
    return [Cost("adding", n, model, 17_000, "B=32 T=n", 10.0 * r, 3.0 * r, 5.0) for n, r in
            zip((10, 25, 50, 100), ratios)]


def test_efficiency_compares_the_interval_of_the_step_time_ratios_with_the_tie() -> None:
    """Reference: EFFICIENCY_RULE: the LSTM at 2.0-2.2× the RNN's step time at every setting: supported; at
    0.9-1.0×: refuted; spread from 0.8× to 1.6×: inconclusive."""
    rnn = costs("rnn", (1, 1, 1, 1))
    assert efficiency([], Measured("p", costs=rnn + costs("lstm", (2.0, 2.1, 2.2, 2.0)))).verdict == "supported"
    assert efficiency([], Measured("p", costs=rnn + costs("lstm", (0.9, 1.0, 0.95, 0.92)))).verdict == "refuted"
    assert efficiency([], Measured("p", costs=rnn + costs("lstm", (0.8, 1.6, 0.9, 1.5)))).verdict == "inconclusive"
