"""A sweep's report from its folder: what `rnnlab report` and `rnnlab compare SWEEP.toml` write
(report.html, report.md and verdicts.json).

    html, markdown = report_sweep(Path("sweeps/adding"))
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.compare.recommend import recommend_all
from rnnlab.compare.report import Tuning, write_sweep_report
from rnnlab.compare.sweeps.collect import budget_notes, read_store, results
from rnnlab.compare.sweeps.runner import TUNED
from rnnlab.compare.sweeps.tuning import read_table
from rnnlab.compare.verdicts import verdicts, write_verdicts


def report_sweep(folder: Path) -> tuple[Path, Path]:
    """(Re)write FOLDER/report.html and report.md from the sweep's store and run folders; return both paths."""
    sweep = read_store(folder)
    runs = results(sweep, folder)
    if not runs:
        raise ValueError(f"{folder}: no run of sweep {sweep.name!r} has finished yet; nothing to report")
    written = write_sweep_report(runs, folder, f"Which model to use: sweep {sweep.name}", budget_notes(sweep),
                                 tuning=tuning_of(folder))
    write_verdicts(folder, verdicts(runs, recommend_all(runs)))
    return written


def tuning_of(folder: Path) -> Tuning | None:
    """The tuned settings a sweep used (FOLDER/tuned.json, written by the runner or a suite), if any."""
    path = folder / TUNED
    return read_table(path) if path.is_file() else None
