#!/usr/bin/env bash
# Forecasting study (issue 6): tanh RNN, LSTM, GRU and Transformer at one parameter budget on the energy,
# stocks and weather tasks (default settings of each: energy a day ahead from two days, MSFT 5 trading days
# ahead, EWR temperature a day ahead), three seeds, a fixed wall-clock budget per run, trained until the
# budget is spent. Each run reports test-span metrics (rolling-origin backtest) next to the naive and
# seasonal-naive forecasts from the same origins; the table is printed at the end.
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#   bash scripts/forecasting_study.sh [OUT] [SECONDS] [BUDGET]
#   MODELS="lstm" SEEDS="0" TASKS="energy" bash scripts/forecasting_study.sh runs/tiny 5    # a smoke run
set -uo pipefail
OUT=${1:-runs/forecasting}
SECONDS_PER_RUN=${2:-120}
BUDGET=${3:-25000}  # parameters; an LSTM of H=64 on energy (D=8, 96 outputs) has 25,184
MODELS=${MODELS:-rnn lstm gru transformer}
SEEDS=${SEEDS:-0 1 2}
TASKS=${TASKS:-energy stocks weather}
JOBS=${JOBS:-2}
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}
jobs_file=$(mktemp)
for seed in $SEEDS; do
  for task in $TASKS; do
    for model in $MODELS; do
      echo "--task $task --model $model --seed $seed --out $OUT/$task-$model-s$seed" >> "$jobs_file"
    done
  done
done
source "$(dirname "$0")/train_jobs.sh"
mkdir -p "$OUT"
train_jobs "$JOBS" "$jobs_file" --budget "$BUDGET" --max-seconds "$SECONDS_PER_RUN" --steps 1000000 \
  --no-stop-when-solved --threads 1
rm -f "$jobs_file"

# The table: test metrics, mean ± sd over seeds; the baselines are the same for every run of a task.
"$PYTHON" - "$OUT" <<'EOF'
import json, statistics, sys
from collections import defaultdict
from pathlib import Path

root = Path(sys.argv[1])
runs, baselines = defaultdict(list), {}
for path in sorted(root.glob("*/result.json")):
    config = json.loads((path.parent / "config.json").read_text())
    result = json.loads(path.read_text())
    test = result.get("test_metrics")
    if not test:
        continue
    task = config["task"]
    runs[(task, config["model"]["name"])].append((test, result["parameters"], result["steps"]))
    baselines[task] = test


def cell(values, digits=3):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    spread = f" ± {statistics.stdev(values):.{digits}f}" if len(values) > 1 else ""
    return f"{statistics.mean(values):.{digits}f}{spread}"


print("| task | forecaster | runs | params | steps | test MASE | MAE | sMAPE % | coverage (80 %) |")
print("|---|---|---|---|---|---|---|---|---|")
for task in sorted(baselines):
    for (name, model), results in sorted(runs.items()):
        if name != task:
            continue
        tests = [r[0] for r in results]
        print(f"| {task} | {model} | {len(results)} | {results[0][1]:,} | {cell([r[2] for r in results], 0)} | "
              + " | ".join(cell([t.get(k) for t in tests]) for k in ("mase", "mae", "smape", "coverage")) + " |")
    for prefix, label in (("naive_", "naive"), ("seasonal_naive_", "seasonal naive")):
        b = baselines[task]
        print(f"| {task} | {label} | - | 0 | - | {b[prefix + 'mase']:.3f} | {b[prefix + 'mae']:.3f} | "
              f"{b[prefix + 'smape']:.3f} | - |")
EOF
