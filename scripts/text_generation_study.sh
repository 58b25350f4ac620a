#!/usr/bin/env bash
# The text-generation study of issue 7: tanh RNN, LSTM, GRU and a causal Transformer at an equal parameter
# budget on shakespeare-char (characters of the complete Shakespeare, split by whole plays), SEEDS seeds each,
# SECONDS of training per run (evaluation time not counted), the task's suggested settings for all four
# (Adam 2e-3, clip 1, 32 columns of 128-character chunks, state carried between chunks). The Transformer's
# context window is the chunk (--max-len 128): it sees the same 128 characters a recurrent model is
# trained through, but no state from before them. Prints a table of test bpc (result.json "test_metrics",
# scored once at the end on the first EVAL_TOKENS characters of the 6 test plays) and training time, then
# a 300-character sample from the run with the lowest test bpc.
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#   bash scripts/text_generation_study.sh [OUT] [SECONDS] [SEEDS] [BUDGET] [EVAL_TOKENS]
set -uo pipefail
OUT=${1:-runs/text-generation}
SECONDS_PER_RUN=${2:-600}
SEEDS=${3:-3}
BUDGET=${4:-400000}  # parameters per model, embedding and output layer included
EVAL_TOKENS=${5:-100000}  # characters scored per evaluation (validation) and at the end (test); of 0.66 M
CHUNK=128
PARALLEL=${PARALLEL:-2}  # runs at a time, one thread each
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}
jobs_file=$(mktemp)
for ((seed = 0; seed < SEEDS; seed++)); do
  for model in rnn lstm gru transformer; do
    extra=""; [ "$model" = transformer ] && extra="--max-len $CHUNK"
    echo "--model $model $extra --seed $seed --out $OUT/$model-s$seed" >> "$jobs_file"
  done
done
source "$(dirname "$0")/train_jobs.sh"
mkdir -p "$OUT"
train_jobs "$PARALLEL" "$jobs_file" --task shakespeare-char --budget "$BUDGET" --max-seconds "$SECONDS_PER_RUN" \
  --set chunk_length="$CHUNK" --set eval_tokens="$EVAL_TOKENS" --threads 1
rm -f "$jobs_file"

best=$("$PYTHON" - "$OUT" "$SECONDS_PER_RUN" "$EVAL_TOKENS" <<'PY'
import json, statistics, sys
from pathlib import Path

root, seconds, cap = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rows, best = {}, (float("inf"), "")
for path in sorted(root.glob("*/result.json")):
    config, result = json.loads((path.parent / "config.json").read_text()), json.loads(path.read_text())
    test = result.get("test_metrics", {}).get("bpc", float("nan"))
    rows.setdefault(config["model"]["name"], []).append((config["model"]["hidden_size"], result["parameters"],
                                                          result["steps"], result["seconds"], test))
    if test < best[0]:
        best = (test, str(path.parent))
out = sys.stderr
print(f"shakespeare-char, {seconds} s of training per run; test bpc = bits per character on the first {cap} "
      f"characters of the 6 test plays (eval_tokens={cap}), state carried over 128-character chunks", file=out)
print("| model | runs | H | parameters | steps (mean) | train s (mean) | test bpc (mean ± sd) | best |", file=out)
print("|---|---|---|---|---|---|---|---|", file=out)
for model in ("rnn", "lstm", "gru", "transformer"):
    runs = rows.get(model, [])
    if not runs:
        continue
    bpc = [r[4] for r in runs]
    sd = statistics.stdev(bpc) if len(bpc) > 1 else 0.0
    print(f"| {model} | {len(runs)} | {runs[0][0]} | {runs[0][1]:,} | {statistics.mean(r[2] for r in runs):.0f} "
          f"| {statistics.mean(r[3] for r in runs):.1f} | {statistics.mean(bpc):.3f} ± {sd:.3f} | {min(bpc):.3f} |",
          file=out)
print(best[1])
PY
)
if [ -n "$best" ]; then
  echo
  echo "300 characters from $best (lowest test bpc), prompt \"ROMEO:\", temperature 0.8, seed 0:"
  $RNNLAB generate "$best" --prompt "ROMEO:" --length 300 --temperature 0.8 --seed 0
fi
