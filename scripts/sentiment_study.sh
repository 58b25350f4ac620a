#!/usr/bin/env bash
# Sentiment (issue 6): rnn, lstm, gru and transformer on Rotten Tomatoes at one parameter budget, SEEDS seeds
# each, a fixed time budget per run, then the majority-class and bag-of-words baselines on the same test split.
# Prints each run's test accuracy (result.json test_metrics: the final weights on the 1,275 test snippets,
# nothing chosen on them) and training time, and a mean +- std per model. Two runs at a time, one thread each.
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#
#   bash scripts/sentiment_study.sh [SECONDS_PER_RUN=300] [SEEDS=3] [OUT=runs/sentiment-study]
#
# The budget counts every parameter. The word embedding (the 9,982-token training vocabulary x EMBED=32, 319k)
# is the same for every model, so each model's own layers get the rest: about 100k at BUDGET=420000
# (H = 299 rnn, 142 lstm, 166 gru, d_model 88 transformer).
set -uo pipefail
SECONDS_PER_RUN=${1:-300}
SEEDS=${2:-3}
OUT=${3:-runs/sentiment-study}
BUDGET=${BUDGET:-420000}
EMBED=${EMBED:-32}
MODELS=${MODELS:-rnn lstm gru transformer}
PARALLEL=${PARALLEL:-2}
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}

mkdir -p "$OUT"
jobs_file=$(mktemp)
for seed in $(seq 0 $((SEEDS - 1))); do
  for model in $MODELS; do echo "--model $model --seed $seed --out $OUT/$model-s$seed" >> "$jobs_file"; done
done
# --steps is only an upper bound here: the time budget ends every run, and "solved" (the bag of words'
# validation accuracy) does not stop it early, so every model gets the same time.
source "$(dirname "$0")/train_jobs.sh"
train_jobs "$PARALLEL" "$jobs_file" --task sentiment --budget "$BUDGET" --embed-size "$EMBED" --steps 10000000 \
  --max-seconds "$SECONDS_PER_RUN" --no-stop-when-solved --threads 1
rm -f "$jobs_file"

"$PYTHON" - "$OUT" <<'EOF'
import json, statistics, sys
from pathlib import Path

import torch

from rnnlab.data.text_baselines import text_baselines
from rnnlab.data.datasets.rotten_tomatoes import load_corpus

torch.set_num_threads(1)
out = Path(sys.argv[1])
rows = {}
print(f"\nRotten Tomatoes test accuracy (1,275 snippets), runs in {out}")
print(f"{'run':<22} {'parameters':>10} {'H':>5} {'steps':>7} {'train s':>8} {'test acc':>9} {'best val':>9}")
for result_file in sorted(out.glob("*/result.json")):
    result = json.loads(result_file.read_text())
    config = json.loads((result_file.parent / "config.json").read_text())
    model, accuracy = config["model"]["name"], result["test_metrics"]["accuracy"]
    rows.setdefault(model, []).append((accuracy, result["seconds"]))
    print(f"{result_file.parent.name:<22} {result['parameters']:>10,} {config['model']['hidden_size']:>5} "
          f"{result['steps']:>7} {result['seconds']:>8.1f} {accuracy:>9.4f} {result['best']:>9.4f}")
print(f"\n{'model':<12} {'runs':>4} {'test accuracy':>20} {'train s':>8}")
for model, values in rows.items():
    accuracies = [a for a, _ in values]
    spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
    print(f"{model:<12} {len(values):>4} {statistics.mean(accuracies):>12.4f} +- {spread:.4f} "
          f"{statistics.mean(s for _, s in values):>8.1f}")
for baseline in text_baselines(load_corpus()):
    print(f"{baseline.name:<16} validation {baseline.validation_accuracy:.4f}  test {baseline.test_accuracy:.4f}  "
          f"({baseline.setting}; {baseline.seconds:.1f} s)")
EOF
