#!/usr/bin/env bash
# Speech at convergence (issue 14): japanese-vowels and spoken-digits, the cpu recipe for rnn, lstm, gru and the
# Transformer, each model's learning rate tuned, 3 seeds; tables and learning curves on stdout and in PNG_DIR;
# then each model's seeds (and all of them) scored as an ensemble (scripts/ensemble_report.py).
#   bash scripts/speech_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
# See scripts/converged_study.sh for the environment (MODELS, SEEDS, PARALLEL, RNNLAB, PYTHON). Resumable.
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
TUNE_SECONDS=120 bash "$(dirname "$0")/converged_study.sh" japanese-vowels "$OUT/japanese-vowels"
TUNE_SECONDS=300 bash "$(dirname "$0")/converged_study.sh" spoken-digits "$OUT/spoken-digits"
for task in japanese-vowels spoken-digits; do
  "$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/$task" --png "$PNG/$task.png"; echo
  "$PYTHON" "$(dirname "$0")/ensemble_report.py" "$OUT/$task"; echo  # each model's seeds as an ensemble
done
