"""Summarise a converged study (scripts/converged_study.sh) as Markdown, with its learning curves as a PNG.

    python scripts/converged_report.py OUT [--png FILE]      # the table of OUT/*/result.json, curves into FILE
    python scripts/converged_report.py OUT --extra coverage,static_coverage   # more test metrics as columns
    python scripts/converged_report.py --choose OUT/tune MODEL  # the tuned learning rate of MODEL (for the study)

Per model: seeds, learning rate, hidden size, parameters, steps and training seconds (means), why the runs
stopped, where they ended (best validation metric, and the training time at which the weights that were
kept were reached), and the test metric of those weights, mean ± sample sd over seeds; then the task's
baselines on the same test split (result.json `baselines`).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from rnnlab.data.tasks.registry import task_entry


def load(folder: Path) -> dict | None:
    result, config = folder / "result.json", folder / "config.json"
    if not result.exists() or not config.exists():
        return None
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines() if line]
    return {"folder": folder, "result": json.loads(result.read_text()), "config": json.loads(config.read_text()),
            "records": records}


def choose(tune: Path, model: str) -> str:
    """The learning rate whose tuning run reached the best validation metric (diverged runs excluded)."""
    runs = [run for folder in sorted(tune.glob(f"{model}-lr*")) if (run := load(folder))]
    if not runs:
        raise SystemExit(f"no finished tuning run of {model} in {tune}")
    entry = task_entry(runs[0]["config"]["task"])
    finite = [r for r in runs if math.isfinite(r["result"]["best"])]
    if not finite:
        return str(runs[0]["config"]["train"]["lr"])
    pick = min if entry.lower_is_better else max
    return f"{pick(finite, key=lambda r: r['result']['best'])['config']['train']['lr']:g}"


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {sd:.4f}" if len(values) > 1 else f"{values[0]:.4f}"


def seconds_at(run: dict, step: int | None) -> float:
    return next((r["seconds"] for r in run["records"] if r["step"] == step), run["result"]["seconds"])


def report(root: Path, png: Path | None, extra: tuple[str, ...] = ()) -> None:
    runs = [run for folder in sorted(root.iterdir()) if folder.is_dir() and folder.name != "tune"
            if (run := load(folder))]
    if not runs:
        raise SystemExit(f"no finished run in {root}")
    task = runs[0]["config"]["task"]
    entry = task_entry(task)
    metric = entry.metric
    by_model: dict[str, list[dict]] = defaultdict(list)
    for run in runs:
        by_model[run["config"]["model"]["name"]].append(run)
    print(f"{task}: {len(runs)} runs in {root}; validation picks the weights, the test split scores them once\n")
    print(f"| model | seeds | lr | H | parameters | steps | train s | stopped | best validation {metric} | "
          f"s to best | test {metric} |" + "".join(f" test {key} |" for key in extra))
    print("|---|---|---|---|---|---|---|---|---|---|---|" + "---|" * len(extra))
    for model, group in by_model.items():
        results = [r["result"] for r in group]
        config = group[0]["config"]
        stops = Counter(r.get("stop_reason") or "?" for r in results)
        improving = sum(bool(r.get("still_improving")) for r in results)
        stopped = ", ".join(f"{n} {why}" for why, n in stops.items()) + (f" ({improving} still improving)"
                                                                       if improving else "")
        tests = [r["test_metrics"][metric] for r in results if r.get("test_metrics")]
        to_best = [seconds_at(run, run["result"].get("test_weights_from_step")) for run in group]
        print(f"| {model} | {len(group)} | {config['train']['lr']:g} | {config['model']['hidden_size']} | "
              f"{results[0].get('parameters', 0):,} | {statistics.mean(r['steps'] for r in results):.0f} | "
              f"{statistics.mean(r['seconds'] for r in results):.0f} | {stopped} | "
              f"{spread([r['best'] for r in results])} | {statistics.mean(to_best):.0f} | {spread(tests)} |"
              + "".join(f" {spread([r['test_metrics'][key] for r in results if key in r.get('test_metrics', {})])} |"
                        for key in extra))
    baselines = next((r["result"]["baselines"] for r in runs if r["result"].get("baselines")), {})
    listed = "; ".join(f"{name} {scores[metric]:.4f}" for name, scores in baselines.items() if metric in scores)
    if listed:
        print(f"\nBaselines on the same test split: {listed}.")
    if png is not None:
        plot(by_model, metric, baselines, png, task)
        print(f"\nLearning curves (validation {metric} against training seconds, one line per run): {png}")


def plot(by_model: dict[str, list[dict]], metric: str, baselines: dict, png: Path, task: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    for colour, (model, group) in zip(plt.rcParams["axes.prop_cycle"].by_key()["color"], by_model.items()):
        for i, run in enumerate(group):
            points = [(r["seconds"], r["metrics"].get(metric, math.nan)) for r in run["records"]]
            axes.plot(*zip(*points), color=colour, alpha=0.8, linewidth=1, label=model if i == 0 else None)
    for name, scores in baselines.items():
        if metric in scores:
            axes.axhline(scores[metric], color="grey", linestyle=":", linewidth=1)
            axes.annotate(f"{name} (test)", (0, scores[metric]), fontsize=7, color="grey", va="bottom")
    axes.set_xlabel("training seconds")
    axes.set_ylabel(f"validation {metric}")
    axes.set_title(task, fontsize=9)
    axes.legend(fontsize=8)
    png.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(png, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("model", nargs="?")
    parser.add_argument("--choose", action="store_true")
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument("--extra", default="", help="comma-separated test metrics to add as columns")
    args = parser.parse_args()
    if args.choose:
        print(choose(args.root, args.model))
    else:
        report(args.root, args.png, tuple(key for key in args.extra.split(",") if key))


if __name__ == "__main__":
    main()
