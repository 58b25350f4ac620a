#!/usr/bin/env bash
# Speech and handwriting (issue 6, part B): rnn, lstm, gru and transformer at one parameter budget on spoken digits
# (espeak-ng MFCCs, held-out voices), JapaneseVowels (speaker ID), UCI 8x8 digits and MNIST-5k read row by row,
# SEEDS seeds each, a fixed time budget per run (no early stop on "solved": every model gets the same time).
# Prints each run's test accuracy and training time, a mean +- std per task and model, and each task's
# majority-class baseline on the same test split. Two runs at a time, one thread each. Resumable: a finished run
# is skipped; an interrupted one continues from its checkpoint.
#
#   bash scripts/speech_handwriting_study.sh [SECONDS_PER_RUN=120] [SEEDS=3] [OUT=runs/speech-handwriting]
#   MODELS=lstm TASKS=digits8x8 bash scripts/speech_handwriting_study.sh 10 1 /tmp/smoke     # a smoke test
#
# Test accuracy: spoken-digits, japanese-vowels and digits8x8 train on their validation split and report
# result.json's test_metrics (the final weights, scored once on the test split). mnist5k has no validation split:
# its number is the final weights' accuracy on its test split (final_metrics; nothing is selected on it either,
# since runs do not stop early). MNIST-5k figures are not comparable with papers' full-MNIST ones.
set -uo pipefail
SECONDS_PER_RUN=${1:-120}
SEEDS=${2:-3}
OUT=${3:-runs/speech-handwriting}
BUDGET=${BUDGET:-20000}  # parameters; H = 64 for an LSTM on 13 MFCCs
MODELS=${MODELS:-rnn lstm gru transformer}
TASKS=${TASKS:-spoken-digits japanese-vowels digits8x8 mnist5k-rows}
PARALLEL=${PARALLEL:-2}
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}

mkdir -p "$OUT"
for task in $TASKS; do  # generate or download each data set once, before runs start in parallel
  case "$task" in mnist5k-rows) name=mnist5k ;; *) name=$task ;; esac
  $RNNLAB data fetch "$name" > /dev/null || { echo "could not fetch $name"; exit 2; }
done
jobs_file=$(mktemp)
for seed in $(seq 0 $((SEEDS - 1))); do
  for task in $TASKS; do
    case "$task" in
      mnist5k-rows) task_args="--task mnist5k --set layout=rows" ;;
      *) task_args="--task $task" ;;
    esac
    for model in $MODELS; do echo "$task_args --model $model --seed $seed --out $OUT/$task-$model-s$seed" >> "$jobs_file"; done
  done
done
# --steps is only an upper bound: the time budget ends every run.
source "$(dirname "$0")/train_jobs.sh"
train_jobs "$PARALLEL" "$jobs_file" --budget "$BUDGET" --steps 10000000 --max-seconds "$SECONDS_PER_RUN" \
  --no-stop-when-solved --threads 1
rm -f "$jobs_file"

"$PYTHON" - "$OUT" <<'EOF'
import json, statistics, sys
from pathlib import Path

import torch

from rnnlab.data.tasks.registry import make_task

torch.set_num_threads(1)
out = Path(sys.argv[1])
rows, baselines = {}, {}
print(f"\nTest accuracy, runs in {out}")
print(f"{'run':<34} {'parameters':>10} {'H':>4} {'steps':>7} {'train s':>8} {'test acc':>9}")
for result_file in sorted(out.glob("*/result.json")):
    result = json.loads(result_file.read_text())
    config = json.loads((result_file.parent / "config.json").read_text())
    task_config = config["task_config"]
    has_split = "split" in task_config
    accuracy = (result["test_metrics"] if has_split else result["final_metrics"])["accuracy"]
    task = config["task"] + (f" ({task_config['layout']})" if "layout" in task_config else "")
    rows.setdefault((task, config["model"]["name"]), []).append((accuracy, result["seconds"]))
    if task not in baselines:  # the training split's majority class, scored on the test split
        options = {**task_config, "split": "test"} if has_split else task_config
        baselines[task] = make_task(config["task"], **options).baseline["accuracy"]
    print(f"{result_file.parent.name:<34} {result['parameters']:>10,} {config['model']['hidden_size']:>4} "
          f"{result['steps']:>7} {result['seconds']:>8.1f} {accuracy:>9.4f}")
print(f"\n{'task':<20} {'model':<12} {'runs':>4} {'test accuracy':>20} {'train s':>8} {'majority':>9}")
for (task, model), values in sorted(rows.items()):
    accuracies = [a for a, _ in values]
    spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
    print(f"{task:<20} {model:<12} {len(values):>4} {statistics.mean(accuracies):>12.4f} +- {spread:.4f} "
          f"{statistics.mean(s for _, s in values):>8.1f} {baselines[task]:>9.4f}")
EOF
