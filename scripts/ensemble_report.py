"""Ensembles of a converged study's runs (scripts/converged_study.sh), as Markdown: per model, its seeds' mean
probability (class probabilities, or next-token probabilities at every decoding step for translation and
dialogue; train/ensemble.py, as `rnnlab evaluate RUN RUN ...`), every recurrent model's runs together, and every
model's.

    python scripts/ensemble_report.py OUT [--metric NAME] [--json FILE]

The members are fixed before anything is scored (every finished run of a model; no member is chosen by its
test score). Per ensemble: its members' own test metric (mean ± sample sd), then the ensemble's on the
validation and the test split; the task's baselines on the test split follow. The metric is the task's own
(what its runs select weights by: accuracy, BLEU, ...) unless --metric names another.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from converged_report import load, spread  # scripts/, beside this one

from rnnlab.models.registry import MODELS, RecurrentFamily
from rnnlab.train.ensemble import EnsembleScore, evaluate_ensemble
from rnnlab.train.run import RunFolder


def finished_runs(root: Path) -> dict[str, list[RunFolder]]:
    """The finished runs in `root` (converged_report's `load`), by model name; the tuning runs left out."""
    runs: dict[str, list[RunFolder]] = defaultdict(list)
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name != "tune" and (run := load(folder)):
            runs[run["config"]["model"]["name"]].append(RunFolder(folder))
    return dict(runs)


def ensemble_groups(root: Path) -> dict[str, list[RunFolder]]:
    """The ensembles reported, fixed before any scoring: each model's runs (two or more), every recurrent
    model's runs (when that is neither one model's nor every model's), every model's."""
    runs = finished_runs(root)
    groups = {model: folders for model, folders in runs.items() if len(folders) > 1}
    recurrent = [folder for model, folders in runs.items() if isinstance(MODELS.get(model), RecurrentFamily)
                 for folder in folders]
    if len(runs) > 1:
        every = [folder for folders in runs.values() for folder in folders]
        if len(recurrent) > 1 and len(recurrent) < len(every) and recurrent not in groups.values():
            groups["every recurrent model"] = recurrent
        groups["every model"] = every
    return groups


def report(root: Path, metric: str | None) -> list[dict]:
    groups = ensemble_groups(root)
    if not groups:
        raise SystemExit(f"no model in {root} has two finished runs to ensemble")
    summary = next(iter(groups.values()))[0].summary()
    assert summary is not None  # finished_runs keeps runs with a result.json only
    metric = metric or summary.metric
    rows, scored = [], []
    test: EnsembleScore | None = None
    for name, folders in groups.items():
        validation = evaluate_ensemble(folders, "validation")
        test = evaluate_ensemble(folders, "test")
        members = [metrics[metric] for _, _, metrics in test.members]
        rows.append(f"| {name} | {len(folders)} | {spread(members)} | {validation.metrics[metric]:.4f} | "
                    f"**{test.metrics[metric]:.4f}** | {test.metrics.get('cross_entropy', float('nan')):.4f} |")
        scored.append({"ensemble": name, "runs": [str(f.path) for f in folders], "members_test": members,
                       "validation": validation.metrics, "test": test.metrics})
    assert test is not None
    print(f"| ensemble | runs | members' test {metric} | ensemble validation {metric} | ensemble test {metric} "
          "| ensemble test cross-entropy |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    baselines = ", ".join(f"{name} {scores[metric]:.4f}" for name, scores in test.baselines.items() if metric in scores)
    print(f"\nBaselines on the same test split: {baselines or 'none'}.")
    return scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="a converged study's folder")
    parser.add_argument("--metric", default=None, help="the metric in the table (default: the task's own)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    scored = report(args.out, args.metric)
    if args.json is not None:
        args.json.write_text(json.dumps(scored, indent=2) + "\n")


if __name__ == "__main__":
    main()
