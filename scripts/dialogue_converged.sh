#!/usr/bin/env bash
# Chatbots at convergence (issue 14): chatterbot and shakespeare-dialogue with the cpu recipe for rnn, lstm, gru and
# the Transformer, one seed each, until the validation cross-entropy stops improving; held-out reply perplexity
# beside the unigram and retrieval baselines, and 20 sample exchanges; then the runs scored as ensembles (every
# recurrent model, every model: scripts/ensemble_report.py).
#   bash scripts/dialogue_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
for task in chatterbot shakespeare-dialogue; do
  SEEDS=0 TUNE="" bash "$(dirname "$0")/converged_study.sh" "$task" "$OUT/$task"
  "$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/$task" --png "$PNG/$task.png"
  "$PYTHON" "$(dirname "$0")/converged_samples.py" chat "$OUT/$task" --count 20
  "$PYTHON" "$(dirname "$0")/ensemble_report.py" "$OUT/$task"
done
