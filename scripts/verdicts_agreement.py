"""Do several invocations of a suite agree? Reads their verdicts.json and prints, as Markdown, each task's
recommendation and each claim's verdict per invocation, the break points, and the tanh RNN on adding T=10.

    python scripts/verdicts_agreement.py runs/quick-off0 runs/quick-off100 runs/quick-off200
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def main(folders: list[str]) -> int:
    found = [(Path(f), json.loads((Path(f) / "verdicts.json").read_text())) for f in folders]
    heads = [f"seeds {', '.join(map(str, v['seeds']))}" for _, v in found]
    print("| | " + " | ".join(heads) + " | same? |")
    print("|:--|" + ":--|" * len(found) + ":--|")
    tasks = list(dict.fromkeys(t for _, v in found for t in v["recommendations"]))
    for task in tasks:
        picks = []
        for _, v in found:
            pick = v["recommendations"].get(task, {})
            tied = pick.get("tied_with") or []
            picks.append((pick.get("model") or "none") + (f" (tied: {', '.join(tied)})" if tied else ""))
        print(f"| recommendation: {task} | " + " | ".join(picks) + f" | {'yes' if len(set(picks)) == 1 else 'NO'} |")
    claims = list(dict.fromkeys(c for _, v in found for c in v["claims"]))
    for claim in claims:
        said = [v["claims"].get(claim, {}).get("verdict", "-") for _, v in found]
        print(f"| claim: {claim} | " + " | ".join(said) + f" | {'yes' if len(set(said)) == 1 else 'NO'} |")
    print()
    print("Solved seeds per model and length (runs not trained after a break count as unsolved):")
    print()
    for _, v in found:
        solved: dict[tuple[str, str], dict[int, list[bool]]] = defaultdict(lambda: defaultdict(list))
        for run in v["runs"]:
            solved[run["task"], run["model"]][run["length"]].append(run["status"] == "solved")
        cells = []
        for (task, model), at in solved.items():
            counts = ", ".join(f"{length}: {sum(s)}/{len(s)}" for length, s in sorted(at.items()))
            cells.append(f"{task} {model}: {counts}")
        print(f"- seeds {', '.join(map(str, v['seeds']))}: " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
