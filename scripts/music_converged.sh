#!/usr/bin/env bash
# Music at convergence (issue 14): chorales-roll, the cpu recipe for the tanh RNN, LSTM, GRU and the Transformer at
# one parameter budget (as Chung et al. 2014 compared them), each model's learning rate tuned, 3 seeds, until the
# validation NLL stops improving; test NLL per frame beside the fair-coin, pitch-frequency and repeat baselines.
#   bash scripts/music_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged] [BUDGET=210000]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
# 210k parameters: an LSTM of H = 200 over 46 pitches has 207k; each model gets the H that meets the budget.
BUDGET=${3:-210000} TUNE_SECONDS=300 bash "$(dirname "$0")/converged_study.sh" chorales-roll "$OUT/chorales-roll"
"$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/chorales-roll" --png "$PNG/chorales-roll.png"
