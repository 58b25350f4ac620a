#!/usr/bin/env bash
# Sentiment at convergence (issue 14): Rotten Tomatoes, the cpu recipe for rnn, lstm, gru and the Transformer,
# each model's learning rate tuned, 3 seeds, beside the majority class and the bag of words on the same test split;
# then each model's seeds (and all of them) scored as an ensemble (scripts/ensemble_report.py).
#   bash scripts/sentiment_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
TUNE_SECONDS=300 bash "$(dirname "$0")/converged_study.sh" sentiment "$OUT/sentiment"
"$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/sentiment" --png "$PNG/sentiment.png"
echo; "$PYTHON" "$(dirname "$0")/ensemble_report.py" "$OUT/sentiment"  # each model's seeds as an ensemble
