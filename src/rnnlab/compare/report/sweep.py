"""A sweep's report from its folder: what `rnnlab report` and `rnnlab compare SWEEP.toml` write.

    html, markdown = report_sweep(Path("sweeps/adding"))
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.compare.report import write_sweep_report
from rnnlab.compare.sweeps.collect import budget_notes, read_store, results


def report_sweep(folder: Path) -> tuple[Path, Path]:
    """(Re)write FOLDER/report.html and report.md from the sweep's store and run folders; return both paths."""
    sweep = read_store(folder)
    runs = results(sweep, folder)
    if not runs:
        raise ValueError(f"{folder}: no run of sweep {sweep.name!r} has finished yet; nothing to report")
    return write_sweep_report(runs, folder, f"Which model to use: sweep {sweep.name}", budget_notes(sweep))
