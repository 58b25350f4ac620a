#!/usr/bin/env bash
# Results at convergence (issue 14): one task's cpu recipe (train/recipe_book.py) for every model, each run
# stopping when its validation metric stops improving (the recipe's plateau) or at the recipe's time bound,
# its best validation weights scored once on the test split beside the task's baselines (result.json).
#
#   bash scripts/converged_study.sh TASK OUT [extra `rnnlab train` arguments for every run ...]
#
# Environment (defaults in brackets):
#   MODELS ["rnn lstm gru transformer"]  SEEDS ["0 1 2"]  PARALLEL [2]  RECIPE [cpu]
#   TUNE ["0.333 1 3"]: each model's learning rate is tuned first, the recipe's rate times each factor, on a
#        seed of its own (TUNE_SEED [100], never a reported one), for at most TUNE_SECONDS [600] s each; the
#        factor with the best validation metric is then used for every seed (the verdicts' rule: each model
#        tuned by one procedure). TUNE="" skips tuning and uses the recipe's rates as they are.
#   BUDGET: a parameter budget for every model (--budget), else the recipe's sizes.
#   RNNLAB [.venv/bin/rnnlab], PYTHON [.venv/bin/python]: the commands; prefix RNNLAB with `nice -n 19` on a
#        shared machine.
# Every run trains with one torch thread. Resumable: finished runs are skipped, interrupted ones continue
# from their checkpoint (scripts/train_jobs.sh). The report: python scripts/converged_report.py OUT.
set -uo pipefail
TASK=$1; OUT=$2; shift 2
MODELS=${MODELS:-rnn lstm gru transformer}
SEEDS=${SEEDS:-0 1 2}
PARALLEL=${PARALLEL:-2}
RECIPE=${RECIPE:-cpu}
TUNE=${TUNE-0.333 1 3}
TUNE_SEED=${TUNE_SEED:-100}
TUNE_SECONDS=${TUNE_SECONDS:-600}
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}
export RNNLAB
source "$(dirname "$0")/train_jobs.sh"
budget=(); [ -n "${BUDGET:-}" ] && budget=(--budget "$BUDGET")
mkdir -p "$OUT"

lr_of() {  # the recipe's learning rate for model $1
  "$PYTHON" -c "from rnnlab.train.recipe_book import find_recipe; \
from rnnlab.data.tasks.registry import task_entry; \
s = find_recipe('$TASK', '$RECIPE').settings('$1'); print(s.lr or task_entry('$TASK').suggested_training.lr)"
}

declare -A chosen
if [ -n "$TUNE" ]; then
  jobs_file=$(mktemp)
  for model in $MODELS; do
    base=$(lr_of "$model")
    for factor in $TUNE; do
      lr=$("$PYTHON" -c "print(f'{$base * $factor:.3g}')")
      echo "--model $model --lr $lr --seed $TUNE_SEED --max-seconds $TUNE_SECONDS --out $OUT/tune/$model-lr$lr" \
        >> "$jobs_file"
    done
  done
  train_jobs "$PARALLEL" "$jobs_file" --task "$TASK" --recipe "$RECIPE" --threads 1 "${budget[@]}" "$@"
  rm -f "$jobs_file"
  for model in $MODELS; do
    chosen[$model]=$("$PYTHON" "$(dirname "$0")/converged_report.py" --choose "$OUT/tune" "$model")
    echo "tuned: $model lr ${chosen[$model]}"
  done
fi

jobs_file=$(mktemp)
for seed in $SEEDS; do
  for model in $MODELS; do
    lr=(); [ -n "${chosen[$model]:-}" ] && lr=(--lr "${chosen[$model]}")
    echo "--model $model ${lr[*]} --seed $seed --out $OUT/$model-s$seed" >> "$jobs_file"
  done
done
train_jobs "$PARALLEL" "$jobs_file" --task "$TASK" --recipe "$RECIPE" --threads 1 "${budget[@]}" "$@"
rm -f "$jobs_file"
