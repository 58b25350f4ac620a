"""`rnnlab report SWEEP_DIR`: write a sweep's report.html and report.md again from its store and run folders.

The report is derived data: it replaces an earlier report in the folder; the store and the runs are only
read, so it is safe to run while the sweep is still running (it reports the runs finished so far).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from rnnlab.cli.console import console
from rnnlab.compare.report.sweep import report_sweep
from rnnlab.compare.sweeps.runner import STORE


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a sweep's report again (report.html, report.md)",
        description="Collect the results of the sweep in SWEEP_DIR (from `rnnlab compare`) and write its "
                    "report.html and report.md there, replacing an earlier report.")
    parser.add_argument("folder", type=Path, metavar="SWEEP_DIR", help="the --out folder of `rnnlab compare`")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    sweeps = sorted(sub.name for sub in folder.iterdir() if (sub / STORE).is_file()) if folder.is_dir() else []
    if not (folder / STORE).exists() and sweeps:
        raise ValueError(f"{folder} holds the sweeps of a suite ({', '.join(sweeps)}), whose report `rnnlab compare "
                         f"--suite` writes; for one sweep's report: rnnlab report {folder / sweeps[0]}")
    html, markdown = report_sweep(folder)
    out = console()
    out.print(f"report: {escape(str(html))}", highlight=False)
    out.print(f"report: {escape(str(markdown))}", highlight=False)
    return 0
