#!/usr/bin/env bash
# Translation at convergence (issue 14): de-en with the cpu recipe (BPE, bidirectional encoder, Bahdanau attention
# fed into the decoder step, dropout, label smoothing, beam 5 with length normalisation on the test split) for rnn,
# lstm, gru and the Transformer, plus the GRU with Luong's placement; one seed each (45 minutes of training at most
# per run on 2 cores: three seeds would take 11 hours), the recipe's learning rates, not tuned further; then the
# runs scored as ensembles (every recurrent model, every model: scripts/ensemble_report.py).
#   bash scripts/translation_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
SEEDS=0 TUNE="" bash "$(dirname "$0")/converged_study.sh" de-en "$OUT/de-en"
MODELS=gru SEEDS=0 TUNE="" bash "$(dirname "$0")/converged_study.sh" de-en "$OUT/de-en-luong" \
  --attention-placement luong
"$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/de-en" --png "$PNG/de-en.png"
"$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/de-en-luong"
"$PYTHON" "$(dirname "$0")/converged_samples.py" translate "$OUT/de-en" --count 20 --max-words 10
"$PYTHON" "$(dirname "$0")/ensemble_report.py" "$OUT/de-en"  # the runs as ensembles (next-token probabilities)
