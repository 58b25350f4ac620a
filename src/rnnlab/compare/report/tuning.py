"""The report's tuning section: each model's own settings, what every other candidate scored, and the cost.

    section = tuning_section(choices, provenance)     # sweeps/tuning.py's choices and their table's provenance
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

from rnnlab.compare.report.sections import Section, html_table, md_table
from rnnlab.compare.results import length_name, metric_name, model_name
from rnnlab.compare.sweeps.tuning import Candidate, Choice

HEADER = ("task", "length", "model", "chosen", "every candidate: outcome on held-out data")


def _settings(settings: Mapping[str, Any]) -> str:
    return ", ".join(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"
                     for key, value in settings.items())


def _outcome(candidate: Candidate, metric: str) -> str:
    if candidate.status == "solved" and candidate.steps_to_solve is not None:
        return f"solved in {candidate.steps_to_solve:,} steps"
    if candidate.status in ("diverged", "failed"):
        return candidate.status
    if candidate.best is None or not math.isfinite(candidate.best):
        return candidate.status
    return f"{metric_name(metric)} {candidate.best:.3g}"


def _row(choice: Choice) -> list[str]:
    said = "; ".join(f"{_settings(c.settings)}: {_outcome(c, choice.metric)}" for c in choice.candidates)
    chosen = "diverged at tuning" if choice.settings is None else _settings(choice.settings)
    return [choice.task, length_name(choice.task, choice.length) or "–", model_name(choice.model), chosen, said]


def tuning_cost(choices: Mapping[str, Choice]) -> str:
    """'48 tuning runs, 52,300 steps, 7 min 12 s of training'."""
    runs = [c for choice in choices.values() for c in choice.candidates]
    steps = sum(c.steps or 0 for c in runs)
    seconds = sum(c.seconds or 0.0 for c in runs)
    minutes, rest = divmod(round(seconds), 60)
    return f"{len(runs)} tuning runs, {steps:,} training steps, {minutes} min {rest:02d} s of training"


def tuning_section(choices: Mapping[str, Choice], provenance: Mapping[str, Any]) -> Section | None:
    """Each model's chosen settings per task and length, with every candidate's score; None without tuning."""
    if not choices:
        return None
    rows = [_row(choice) for choice in choices.values()]
    diverged = [choice for choice in choices.values() if choice.diverged]
    seed = provenance.get("tune_seed")
    intro = ("Each model got its own settings, chosen by one procedure for every model (Greff et al. 2017): each "
             "candidate trained once on a tuning seed" + (f" ({seed})" if seed is not None else "")
             + " that none of the compared runs uses, and was scored on held-out data of that seed (a real data "
             "set: its validation split). Candidates that solved rank by steps to solve, the others by their best "
             "held-out metric; diverged candidates are out.")
    where = str(provenance.get("how", "tuned in this sweep"))
    cost = f"Tuning cost: {tuning_cost(choices)} ({where})."
    notes = [intro, cost]
    if diverged:
        notes.append("Diverged at tuning (every candidate diverged; its runs are recorded as diverged, untrained): "
                     + "; ".join(f"{model_name(c.model)} on {c.task} {length_name(c.task, c.length)}".strip()
                                 for c in diverged) + ".")
    e = html.escape
    page = "\n".join(['<h2 id="tuning">Each model\'s settings, tuned</h2>',
                      *(f'<p class="note">{e(note)}</p>' for note in notes), html_table(HEADER, rows, text_columns=5)])
    text = "\n".join(["## Each model's settings, tuned", "", *(f"{note}\n" for note in notes),
                      md_table(HEADER, rows, text_columns=5), ""])
    return Section("tuning", page, text)
