"""The report's "Beyond the LSTM" section: do minGRU, minLSTM and IndRNN solve what the LSTM and GRU solve?

For every task with a length knob where one of the newer recurrences ran beside a classic gated cell,
each model's reach: the longest length that most of its seeds solved, the median training time to
solve there, and its solved count at every length. Built from the same per-seed summaries as the rest
of the report, so nothing here is measured twice.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.compare.report.sections import Section, html_table, md_table
from rnnlab.compare.results import ModelSummary, model_name
from rnnlab.models.registry import MODELS, traits


def _newer(model: str) -> bool:
    """minGRU, minLSTM, IndRNN: the recurrences after 2017 (the registry's `modern` trait)."""
    return model in MODELS and traits(model).modern


def _classic_gated(model: str) -> bool:
    """The LSTM and GRU families the newer recurrences are held against."""
    return model in MODELS and traits(model).family in ("lstm", "gru")


@dataclass(frozen=True)
class Reach:
    task: str
    model: str
    longest_solved: int | None  # the longest length most seeds solved; None: none
    seconds_to_solve: float | None  # median over the solving seeds, at `longest_solved`
    solved_by_length: tuple[tuple[int, int, int], ...]  # (length, seeds solved, seeds run)


def reaches(summaries: Sequence[ModelSummary]) -> list[Reach]:
    """One Reach per (task, model) for the newer and classic models, on tasks where both kinds ran."""
    found = []
    for task in dict.fromkeys(s.task for s in summaries):
        own = [s for s in summaries if s.task == task and s.length is not None]
        models = list(dict.fromkeys(s.model for s in own))
        if not (any(map(_newer, models)) and any(map(_classic_gated, models))):
            continue
        for model in [m for m in models if _classic_gated(m)] + [m for m in models if _newer(m)]:
            rows = sorted((s for s in own if s.model == model), key=lambda s: s.length or 0)
            solved = [s for s in rows if s.n_solved * 2 > s.n]
            best = solved[-1] if solved else None
            found.append(Reach(task, model, best.length if best else None,
                               best.median_seconds_to_solve if best else None,
                               tuple((s.length or 0, s.n_solved, s.n) for s in rows)))
    return found


def _cells(reach: Reach) -> list[str]:
    longest = "none" if reach.longest_solved is None else str(reach.longest_solved)
    seconds = "-" if reach.seconds_to_solve is None else f"{reach.seconds_to_solve:.1f} s"
    per_length = ", ".join(f"{length}: {k}/{n}" for length, k, n in reach.solved_by_length)
    return [reach.task, model_name(reach.model), longest, seconds, per_length]


HEADER = ["task", "model", "longest length solved (most seeds)", "median time to solve there",
          "seeds solved per length"]
INTRO = ("minGRU and minLSTM (Feng et al. 2024) drop the hidden state from their gates, so a whole sequence "
         "trains with a parallel scan; IndRNN (Li et al. 2018) keeps one recurrent weight per unit. Do they "
         "still solve what the LSTM and GRU solve, at the same parameter and time budget?")


def beyond_section(found: Sequence[Reach]) -> Section | None:
    """The "Beyond the LSTM" section; None when no newer recurrence ran beside a classic gated one."""
    if not found:
        return None
    rows = [_cells(r) for r in found]
    page = (f'<h2 id="beyond-lstm">Beyond the LSTM</h2><p>{html.escape(INTRO)}</p>'
            + html_table(HEADER, rows))
    return Section("beyond-lstm", page, "\n".join(["## Beyond the LSTM", "", INTRO, "", md_table(HEADER, rows), ""]))
