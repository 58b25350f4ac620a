"""The comparison report: sections (sections.py) put into one document (document.py).

    html, markdown = write_sweep_report(runs, Path("sweep"), "Which model?", notes, before_tasks=claims)

A sweep's report is the recommendations, each model's tuned settings (when the sweep tuned them), the
"Beyond the LSTM" section when newer recurrences ran, any sections a caller adds before the tasks (a suite's
claims), our runs beside the published results they correspond to (when any such setting ran), then one
section per task, then figures made elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rnnlab.compare.literature import compare_with_literature
from rnnlab.compare.recommend import recommend_all
from rnnlab.compare.report.beyond import beyond_section, reaches
from rnnlab.compare.report.document import write_report
from rnnlab.compare.report.literature import literature_section
from rnnlab.compare.report.sections import ReportFigure, Section
from rnnlab.compare.report.tasks import further_figures, recommendations, task_sections
from rnnlab.compare.report.tuning import tuning_section
from rnnlab.compare.results import RunResult, summarise_all
from rnnlab.compare.sweeps.tuning import Choice

Tuning = tuple[Mapping[str, Choice], Mapping[str, Any]]  # the choices per setting, and their provenance

__all__ = ["ReportFigure", "Section", "sweep_sections", "write_report", "write_sweep_report"]


def sweep_sections(runs: Sequence[RunResult], before_tasks: Sequence[Section] = (),
                   extra_figures: Mapping[str, bytes] | None = None, tuning: Tuning | None = None) -> list[Section]:
    """The sections of a sweep's report, in order (see the module docstring)."""
    if not runs:
        raise ValueError("a report needs at least one run")
    recs = recommend_all(runs)
    tasks = task_sections(runs, recs)
    beyond = beyond_section(reaches(summarise_all(runs)))
    tuned = tuning_section(*tuning) if tuning else None
    literature = literature_section(compare_with_literature(runs))
    taken = {figure.name for section in [*before_tasks, *tasks] for figure in section.figures}
    further = further_figures(extra_figures or {}, taken)
    return [recommendations(recs), *([tuned] if tuned else []), *([beyond] if beyond else []), *before_tasks,
            *([literature] if literature else []), *tasks, *([further] if further else [])]


def write_sweep_report(runs: Sequence[RunResult], folder: Path, title: str, notes: Sequence[str] = (),
                       before_tasks: Sequence[Section] = (), extra_figures: Mapping[str, bytes] | None = None,
                       tuning: Tuning | None = None) -> tuple[Path, Path]:
    """`folder/report.html` and `report.md` for these runs (see `sweep_sections`); returns both paths."""
    return write_report(folder, title, notes, sweep_sections(runs, before_tasks, extra_figures, tuning))
