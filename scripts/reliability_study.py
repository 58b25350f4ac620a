"""Run the fault-injection and hostile-input suites (tests/reliability/) and print their figures, the ones
benchmarks/results/reliability.md records.

    python scripts/reliability_study.py            # the default-test part, then the slow part (about 10 min)
    python scripts/reliability_study.py --fast     # the default-test part only (about 2 min)

Each part is one pytest run with a JUnit XML report; the figures are read from it: how many hostile inputs
were refused as the house rules say, and how the others failed (a traceback, a silent success, a folder left
behind or changed); how many damaged files were named or recovered from; how many SIGKILLs landed and how many
of those runs and sweeps resumed to the uninterrupted results (the kill tests record their counts as JUnit
properties); and how long each part took.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = "tests/reliability"


@dataclass
class Case:
    file: str
    name: str
    passed: bool
    message: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def function(self) -> str:
        return self.name.split("[")[0]

    @property
    def parameters(self) -> str:
        return self.name.partition("[")[2].rstrip("]")


def run_part(marker: str, report: Path) -> float:
    """pytest on the suite for one marker expression; returns its wall time in seconds."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                           os.environ.get("PYTHONPATH")])))
    begun = time.monotonic()
    subprocess.run([sys.executable, "-m", "pytest", SUITE, "-m", marker, "-q", "-p", "no:cacheprovider",
                    f"--junitxml={report}", "-o", "junit_family=xunit1"], cwd=ROOT, env=environment, check=False)
    return time.monotonic() - begun


def read_cases(report: Path) -> list[Case]:
    cases = []
    for element in ElementTree.parse(report).getroot().iter("testcase"):
        problem = element.find("failure")
        if problem is None:
            problem = element.find("error")
        skipped = element.find("skipped") is not None
        properties = {p.get("name", ""): p.get("value", "") for p in element.iter("property")}
        cases.append(Case(element.get("file", ""), element.get("name", ""), problem is None and not skipped,
                          "" if problem is None else problem.get("message", ""), properties))
    return cases


def why_refusal_failed(case: Case) -> str:
    message = case.message
    if "exit code 0" in message:
        return "silent success"
    if "changed the workspace" in message:
        return "folder left behind or changed"
    if "not one line" in message:
        return "more than one line"
    if not message.startswith("AssertionError"):
        return "traceback"
    return "other"


def summarise(cases: list[Case], seconds: dict[str, float]) -> list[str]:
    lines = []
    hostile = [c for c in cases if c.function == "test_hostile_input_is_refused_in_one_line"]
    if hostile:
        failed = Counter(why_refusal_failed(c) for c in hostile if not c.passed)
        kinds = Counter(c.parameters.split("-")[0] for c in hostile)
        named = ("traceback", "silent success", "folder left behind or changed")
        lines.append(f"hostile inputs: {sum(c.passed for c in hostile)}/{len(hostile)} refused in one line with exit 2"
                     f" naming the file or flag; tracebacks {failed['traceback']}, silent successes "
                     f"{failed['silent success']}, folders left behind or changed "
                     f"{failed['folder left behind or changed']}, other failures "
                     f"{sum(n for why, n in failed.items() if why not in named)}")
        lines.append("  by command or data: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
    damaged = [c for c in cases if c.function == "test_a_damaged_run_file_is_named_or_recovered_from"]
    if damaged:
        named = [c for c in damaged if "-error-" in c.name]
        lines.append(f"damaged run files (file x command x damage): {sum(c.passed for c in damaged)}/{len(damaged)} "
                     f"handled ({sum(c.passed for c in named)}/{len(named)} named with what to do, "
                     f"{sum(c.passed for c in damaged if c not in named)}/{len(damaged) - len(named)} recovered)")
    store = [c for c in cases if c.file.endswith("test_corrupt_store.py")]
    if store:
        lines.append(f"damaged results store, log and lock: {sum(c.passed for c in store)}/{len(store)} handled")
    for case in cases:
        if case.function.startswith(("test_twenty_sigkills", "test_ten_sigkills")):
            where = "train" if "train" in case.function else "compare, local pool" if "pool" in case.name else \
                "compare, Dask"
            props = case.properties
            lines.append(f"SIGKILL of {where}: {props.get('kills', '?')} kills, "
                         f"{'all resumed to the uninterrupted results' if case.passed else 'FAILED: ' + case.message}"
                         f" ({', '.join(f'{k} {v}' for k, v in props.items() if k != 'kills')})")
    others = [c for c in cases if c not in hostile and c not in damaged and c not in store
              and not c.function.startswith(("test_twenty_sigkills", "test_ten_sigkills"))]
    lines.append(f"other reliability tests (real kill, NaN, full disk, budgets, standalone runs): "
                 f"{sum(c.passed for c in others)}/{len(others)} passed")
    for name in [c.name for c in cases if not c.passed]:
        lines.append(f"  failed: {name}")
    lines += [f"{part} part: {value:.0f} s" for part, value in seconds.items()]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="only the part in the default tests")
    args = parser.parse_args()
    cases: list[Case] = []
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for part, marker in (("default-test", "not slow"), ("slow", "slow")):
            if args.fast and part == "slow":
                continue
            report = Path(folder) / f"{part}.xml"
            seconds[part] = run_part(marker, report)
            cases += read_cases(report)
    print("\n".join(summarise(cases, seconds)))
    return 0 if all(c.passed for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
