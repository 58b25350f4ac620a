"""What every claim shares: the records a suite measures besides its sweeps, the section a claim
becomes, and the small helpers the rules use.

A claim states what people say, then a verdict and a finding derived from the numbers by the rule
printed with it, the numbers the finding rests on, and its figures or tables. No rule knows which model
should win: if the RNN holds out as long as the LSTM, the long-range claim is reported as refuted.

Every rule accounts for the spread over seeds (stats.py): a contrast counts only when it clears the 95 %
intervals; when it does not, the verdict is "inconclusive", never a guess. A verdict that rests on runs
still improving when their budget ran out says so ("may change with more budget").
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rnnlab.compare.adequacy import BreakPoint, Rule, adequate_models, thresholded
from rnnlab.compare.recommend import recommend
from rnnlab.compare.results import ModelSummary, RunResult, model_name, summarise_all
from rnnlab.compare.stats import clearly_better
from rnnlab.diagnostics.explode import GradientNormSeries
from rnnlab.diagnostics.gates import GateStatistics
from rnnlab.diagnostics.gradients import GradientFlow
from rnnlab.diagnostics.memory import Sensitivity
from rnnlab.models.registry import MODELS, traits

# supported / refuted: the evidence clears the rule one way; mixed: tasks (or probes) cleared it both ways;
# inconclusive: the evidence does not clear it either way; not measured: the suite did not run what it needs.
Verdict = Literal["supported", "refuted", "mixed", "inconclusive", "not measured"]
VERDICTS: tuple[Verdict, ...] = ("supported", "refuted", "mixed", "inconclusive", "not measured")
RULE = Rule()  # recommend.py's: what "adequate" means, and costs within `tie` (5%) count as equal


@dataclass(frozen=True)
class Cost:
    """One model's cost on one task at one length: the bench harness at the run's shape (1 thread, CPU time)."""

    task: str
    length: int | None
    model: str
    parameters: int
    shape: str  # "B=32 T=100": the batch and the steps the model reads (copy: symbols + delay + recall)
    train_ms: float  # one training step (forward and backward) over a batch: the median of the rounds
    infer_ms: float  # one forward pass over a batch
    train_peak_mb: float | None  # the most memory a training step holds at once, parameters excluded
    train_rounds_ms: tuple[float, ...] = ()  # every timed round, for the noise of a ratio (stats.py)
    infer_rounds_ms: tuple[float, ...] = ()


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
    # Models probed after training with weights from a shorter length (not run at the probe length: they broke
    # before it, see stop_at_break): model -> that length, e.g. {"rnn": "T=25"}.
    trained_elsewhere: dict[str, str] = field(default_factory=dict)


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

    @property
    def key(self) -> str:
        """The claim's name in verdicts.json: "long-range"."""
        return CLAIM_KEYS[self.number]


CLAIM_KEYS = {1: "vanishing-gradients", 2: "long-range", 3: "stability", 4: "efficiency", 5: "short-sequences",
              6: "transformer"}


def num(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3g}"


def times(ratio: float | None) -> str:
    return "–" if ratio is None or not math.isfinite(ratio) else f"{ratio:.2f}×"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def geomean(values: Sequence[float | None]) -> float | None:
    positive = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return math.exp(statistics.fmean(math.log(v) for v in positive)) if positive else None


def overall(outcomes: Sequence[Verdict]) -> Verdict:
    """One verdict from the tasks' (or probes'): supported or refuted when those that decided agree (the
    others being inconclusive), mixed when they disagree, inconclusive when none decided."""
    measured = [o for o in outcomes if o != "not measured"]
    if not measured:
        return "not measured"
    decided = {o for o in measured if o in ("supported", "refuted", "mixed")}
    if not decided:
        return "inconclusive"
    return decided.pop() if len(decided) == 1 else "mixed"


def figures_of(measured: Measured, *names: str) -> tuple[tuple[str, str, bytes], ...]:
    return tuple((name, *measured.figures[name]) for name in names if name in measured.figures)


def break_of(task: str, runs: Sequence[RunResult], model: str) -> BreakPoint | None:
    return next((b for b in recommend(runs, task).break_points if b.model == model), None)


def reach(point: BreakPoint) -> float:
    """How far a model gets: its break point; infinity when it solves every tested length."""
    return math.inf if point.length is None else float(point.length)


def lengths_of(runs: Sequence[RunResult], task: str) -> list[int]:
    return sorted({run.length for run in runs if run.task == task and run.length is not None})


def adequate(at_length: Sequence[ModelSummary], model: str) -> bool:
    """recommend.py's rule: level with the best model at this length (intervals overlap), and solving it."""
    return model in adequate_models(at_length, RULE, thresholded(at_length))


def clearly_ahead(a: ModelSummary, b: ModelSummary) -> bool:
    """a's mean final metric beats b's by more than the noise: their 95 % intervals do not overlap."""
    if a.metric_interval is None or b.metric_interval is None:
        return False
    return clearly_better(a.metric_interval, b.metric_interval, a.lower_is_better)


def solves(s: ModelSummary) -> bool:
    """At least half its seeds solved (recommend.py's `solves_at`)."""
    return s.solved_fraction >= RULE.solves_at - 1e-9


def at_length(runs: Sequence[RunResult], task: str, length: int | None) -> dict[str, ModelSummary]:
    """Each model's summary at one length of one task."""
    return {s.model: s for s in summarise_all(runs) if s.task == task and s.length == length}


def budget_caveat(summaries: Sequence[ModelSummary]) -> str:
    """' (2 runs of the RNN were still improving when the budget ran out: this may change with more budget)'
    when unsolved runs among `summaries` were still improving, else ''."""
    improving = [(s.model, s.n_still_improving) for s in summaries if s.n_still_improving]
    if not improving:
        return ""
    said = ", ".join(f"{n} of the {model_name(m)}" for m, n in improving)
    return f" ({said} still improving when the budget ran out: this may change with more budget)"


def is_gated(model: str) -> bool:
    """A model whose gates decide what to keep (the registry's trait): the LSTMs, the GRU, minGRU, minLSTM."""
    return model in MODELS and traits(model).gated
