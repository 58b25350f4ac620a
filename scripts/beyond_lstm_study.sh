#!/usr/bin/env bash
# Beyond the LSTM (issue 9): minGRU, minLSTM (Feng et al. 2024) and IndRNN (Li et al. 2018) on the long-range
# tasks, measured with `rnnlab train` only: adding (T = 100, 200), copy memory (delay 100) and selective copy
# (Gu & Dao 2023; 16 tokens among 256 steps), three seeds each, default settings, a fixed time budget per run.
# The tanh RNN, LSTM and GRU on adding and copy are in scripts/long_range_study.sh; add them here with MODELS.
# Two runs at a time, one thread each. Resumable: a finished run is skipped; an interrupted one continues
# from its checkpoint.
#   bash scripts/beyond_lstm_study.sh [OUT] [SECONDS]          then: python scripts/summarize_runs.py OUT
#   MODELS="mingru lstm" SEEDS="0" TASKS="adding-100" bash scripts/beyond_lstm_study.sh runs/try 5   # a subset
set -uo pipefail
OUT=${1:-runs/beyond-lstm}
SECONDS_PER_RUN=${2:-150}
MODELS=${MODELS:-"mingru minlstm indrnn"}
SEEDS=${SEEDS:-"0 1 2"}
TASKS=${TASKS:-"adding-100 adding-200 copy-100 selective-copy-256"}  # NAME-KNOB: --task NAME --length KNOB
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
jobs_file=$(mktemp)
for seed in $SEEDS; do
  for model in $MODELS; do
    for task in $TASKS; do
      name=${task%-*} knob=${task##*-}
      echo "--task $name --length $knob --model $model --seed $seed --out $OUT/$task-$model-s$seed" >> "$jobs_file"
    done
  done
done
source "$(dirname "$0")/train_jobs.sh"
mkdir -p "$OUT"
train_jobs 2 "$jobs_file" --max-seconds "$SECONDS_PER_RUN" --threads 1
rm -f "$jobs_file"
