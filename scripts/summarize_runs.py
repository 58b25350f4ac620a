"""Summarise the run folders under a directory as a Markdown table, grouped by task, model and knob.

    python scripts/summarize_runs.py runs/long-range > results.md
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from rnnlab.data.tasks.registry import task_entry


def main(root: Path) -> None:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for result_path in sorted(root.glob("*/result.json")):
        config = json.loads((result_path.parent / "config.json").read_text())
        result = json.loads(result_path.read_text())
        knob_field = task_entry(config["task"]).knob
        knob = config["task_config"][knob_field] if knob_field else config["task_config"].get("layout", "")
        groups[(f"{config['task']} {knob}".strip(), config["model"]["name"])].append(result)
    print("| task | model | runs | solved | best metric (mean ± sd over seeds) | time to solve (s, solved runs) |")
    print("|---|---|---|---|---|---|")
    for (task, model), results in sorted(groups.items()):
        metric = results[0]["metric"]
        best = [r["best"] for r in results]
        spread = statistics.stdev(best) if len(best) > 1 else 0.0
        solved = [r for r in results if r["status"] == "solved"]
        diverged = sum(r["status"] == "diverged" for r in results)
        times = ", ".join(f"{r['seconds_to_solve']:.0f}" for r in solved) or "-"
        status = f"{len(solved)}/{len(results)}" + (f" ({diverged} diverged)" if diverged else "")
        print(f"| {task} | {model} | {len(results)} | {status} | {metric} {statistics.mean(best):.4f} ± {spread:.4f} "
              f"| {times} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/long-range"))
