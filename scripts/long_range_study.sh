#!/usr/bin/env bash
# The long-range study of issue 3, measured with `rnnlab train` only: tanh RNN, LSTM and GRU on the
# adding problem (T = 50, 100, 200), copy memory (delay 50, 100, 200) and sequential MNIST-5k, three
# seeds each, default settings, a fixed time budget per run. Two runs at a time, one thread each.
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#   bash scripts/long_range_study.sh [OUT] [SECONDS] [MNIST_SECONDS]    then: python scripts/summarize_runs.py OUT
set -uo pipefail
OUT=${1:-runs/long-range}
SECONDS_PER_RUN=${2:-150}
MNIST_SECONDS=${3:-300}  # 784 steps per image: the slowest task per step
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
jobs_file=$(mktemp)
for seed in 0 1 2; do
  for model in rnn lstm gru; do
    for T in 50 100 200; do
      echo "--task adding --length $T --model $model --seed $seed --max-seconds $SECONDS_PER_RUN --out $OUT/adding-$T-$model-s$seed" >> "$jobs_file"
      echo "--task copy --length $T --model $model --seed $seed --max-seconds $SECONDS_PER_RUN --out $OUT/copy-$T-$model-s$seed" >> "$jobs_file"
    done
    echo "--task mnist5k --model $model --seed $seed --max-seconds $MNIST_SECONDS --out $OUT/mnist5k-$model-s$seed" >> "$jobs_file"
  done
done
source "$(dirname "$0")/train_jobs.sh"
mkdir -p "$OUT"
train_jobs 2 "$jobs_file" --threads 1
rm -f "$jobs_file"
