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
      echo "--task adding --length $T --model $model --seed $seed --out $OUT/adding-$T-$model-s$seed" >> "$jobs_file"
      echo "--task copy --length $T --model $model --seed $seed --out $OUT/copy-$T-$model-s$seed" >> "$jobs_file"
    done
    echo "--task mnist5k --model $model --seed $seed --out $OUT/mnist5k-$model-s$seed" >> "$jobs_file"
  done
done
run_one() {
  local args=$1 out=${1##*--out } budget=$SECONDS_PER_RUN
  case "$args" in *mnist5k*) budget=$MNIST_SECONDS ;; esac
  if [ -f "$out/result.json" ]; then echo "done already: $out"; return; fi
  local resume=""; [ -f "$out/config.json" ] && resume="--resume"
  $RNNLAB train $args --max-seconds "$budget" --threads 1 $resume > "$out.log" 2>&1 \
    && tail -n 2 "$out.log" | head -n 1 | sed "s|^|$out: |"
}
export -f run_one; export RNNLAB SECONDS_PER_RUN MNIST_SECONDS
mkdir -p "$OUT"
xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} < "$jobs_file"
rm -f "$jobs_file"
