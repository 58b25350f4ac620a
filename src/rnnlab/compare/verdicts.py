"""verdicts.json beside every report: the answers in a form a program can check.

    {"suite": "rnn-vs-lstm", "profile": "quick", "seeds": [0, 1, 2],
     "claims": {"long-range": {"verdict": "supported", "title": ..., "finding": ...}, ...},
     "recommendations": {"adding": {"model": "lstm", "tied_with": ["gru"], "headline": ...}, ...},
     "literature": {"le-2015": {"direction": "agrees", "ours": ..., "why": ...}, ...},
     "runs": [{"task": "adding", "model": "rnn", "length": 10, "seed": 0, "lr": 0.001, "steps": 3000,
               "status": "solved", "stop_reason": "solved", "still_improving": false, "metric": "mse",
               "value": 0.0071}, ...]}

A claim that could not be measured is written "inconclusive" with "measured": false. Run the same command
with another `--seed-offset` and compare the two files to see whether the verdicts hold on fresh seeds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rnnlab.compare.claims import ClaimSection
from rnnlab.compare.literature import compare_with_literature
from rnnlab.compare.recommend import Recommendation
from rnnlab.compare.results import RunResult
from rnnlab.files import write_atomic

VERDICTS = "verdicts.json"


def _value(value: float) -> float | None:
    return value if math.isfinite(value) else None


def verdicts(runs: Sequence[RunResult], recommendations: Sequence[Recommendation],
             claims: Sequence[ClaimSection] = (), suite: str | None = None, profile: str | None = None,
             extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The verdicts as JSON-ready data (see the module docstring)."""
    return {
        "suite": suite, "profile": profile, "seeds": sorted({run.seed for run in runs}),
        "claims": {c.key: {"verdict": "inconclusive" if c.verdict == "not measured" else c.verdict,
                           "measured": c.verdict != "not measured", "title": c.title, "finding": c.finding}
                   for c in claims},
        "recommendations": {r.task: {"model": r.model, "tied_with": list(r.tied_with), "headline": r.headline}
                            for r in recommendations},
        "literature": {c.key: {"direction": c.direction, "ours": c.ours, "why": c.why}
                       for c in compare_with_literature(runs)},
        "runs": [{"task": run.task, "model": run.model, "length": run.length, "seed": run.seed, "lr": run.lr,
                  "steps": run.steps, "status": run.status, "stop_reason": run.stop_reason,
                  "still_improving": run.still_improving, "metric": run.metric, "value": _value(run.final_metric)}
                 for run in runs],
        **(extra or {}),
    }


def write_verdicts(folder: Path, data: Mapping[str, Any]) -> Path:
    path = folder / VERDICTS
    write_atomic(path, json.dumps(data, indent=1, allow_nan=False) + "\n")
    return path
