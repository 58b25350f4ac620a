#!/usr/bin/env bash
# Text generation at convergence (issue 14): shakespeare-char with the cpu recipe (whole validation plays scored)
# for rnn, lstm, gru and the Transformer, one seed each (45 minutes at most per run), the recipe's learning rates.
#   bash scripts/text_generation_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
SEEDS=0 TUNE="" bash "$(dirname "$0")/converged_study.sh" shakespeare-char "$OUT/shakespeare-char"
"$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/shakespeare-char" --png "$PNG/shakespeare-char.png"
best=$("$PYTHON" -c "import json,sys,pathlib; r=[(json.loads(p.read_text())['test_metrics']['bpc'],p.parent) \
for p in pathlib.Path('$OUT/shakespeare-char').glob('*-s0/result.json')]; print(min(r)[1])")
"$PYTHON" "$(dirname "$0")/converged_samples.py" generate "$best" --prompt "ROMEO:" --length 400
