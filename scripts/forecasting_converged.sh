#!/usr/bin/env bash
# Forecasting at convergence (issue 14): energy, weather, stocks and two user series as a user brings them (CSV:
# monthly Mauna Loa CO2, daily Melbourne maximum temperature; scripts/user_series.py, settings chosen from the
# data), the cpu recipe for rnn, lstm, gru and the Transformer, each model's learning rate tuned, 3 seeds; MASE
# and the coverage of the validation-calibrated 80 % interval on the test span, beside naive and seasonal naive.
#   bash scripts/forecasting_converged.sh [OUT=runs/converged] [PNG_DIR=benchmarks/results/converged]
set -uo pipefail
OUT=${1:-runs/converged}; PNG=${2:-benchmarks/results/converged}
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" "$(dirname "$0")/user_series.py" "$OUT/user-series"
export TUNE_SECONDS=120
for task in energy weather stocks; do
  bash "$(dirname "$0")/converged_study.sh" "$task" "$OUT/$task"
done
bash "$(dirname "$0")/converged_study.sh" csv-series "$OUT/co2" --set "path=$OUT/user-series/co2_hawaii.csv" \
  --set target=co2 --set time_column=date
bash "$(dirname "$0")/converged_study.sh" csv-series "$OUT/melbourne" \
  --set "path=$OUT/user-series/melbourne_tmax.csv" --set target=tmax --set time_column=date
for name in energy weather stocks co2 melbourne; do
  "$PYTHON" "$(dirname "$0")/converged_report.py" "$OUT/$name" --png "$PNG/$name.png"
  "$PYTHON" - "$OUT/$name" <<'PY'
import json, statistics, sys
from pathlib import Path
runs = [json.loads(p.read_text()) for p in sorted(Path(sys.argv[1]).glob("*-s*/result.json"))]
models = sorted({p.parent.name.rsplit("-s", 1)[0] for p in Path(sys.argv[1]).glob("*-s*/result.json")})
for model in models:
    group = [json.loads(p.read_text()) for p in sorted(Path(sys.argv[1]).glob(f"{model}-s*/result.json"))]
    cover = [r["test_metrics"]["coverage"] for r in group]
    own = [r["test_metrics"].get("model_coverage", float("nan")) for r in group]
    print(f"{model}: test coverage of the calibrated 80 % interval {statistics.mean(cover):.3f} "
          f"(per seed {', '.join(f'{c:.3f}' for c in cover)}); the model's own interval {statistics.mean(own):.3f}")
PY
  echo
done
