#!/usr/bin/env bash
# The music study of issue 7: tanh RNN, LSTM, GRU and a causal Transformer at an equal parameter budget on
# chorales-roll (Bach chorales from music21's corpus as 16th-note piano rolls, 46 pitches, split by file
# 280 / 35 / 35), SEEDS seeds each, SECONDS of training per run (evaluation time not counted), the task's
# suggested settings for all four (Adam 1e-3, clip 1, 16 columns of 64-frame chunks, state carried between
# chunks). The Transformer's context window is the chunk (--max-len 64): it sees the 64 frames a recurrent
# model is trained through, but no state from before them. Prints a table of test NLL per frame (nats,
# result.json "test_metrics", scored once at the end on the 35 test chorales, each whole) and frame
# accuracy, then composes 8 bars from the run with the lowest test NLL.
# Needs `pip install 'rnnlab[music]'`; the corpus is parsed once (about a minute) and cached.
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#   bash scripts/music_study.sh [OUT] [SECONDS] [SEEDS] [BUDGET]
set -uo pipefail
OUT=${1:-runs/music}
SECONDS_PER_RUN=${2:-300}
SEEDS=${3:-3}
BUDGET=${4:-100000}  # parameters per model, input and output layers included (an LSTM with H=128: 96k)
CHUNK=64
PARALLEL=${PARALLEL:-2}  # runs at a time, one thread each
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}
$RNNLAB data fetch chorales > /dev/null || exit 2  # parse once, before runs in parallel race to do it
jobs_file=$(mktemp)
for ((seed = 0; seed < SEEDS; seed++)); do
  for model in rnn lstm gru transformer; do
    extra=""; [ "$model" = transformer ] && extra="--max-len $CHUNK"
    echo "--model $model $extra --seed $seed --out $OUT/$model-s$seed" >> "$jobs_file"
  done
done
source "$(dirname "$0")/train_jobs.sh"
mkdir -p "$OUT"
train_jobs "$PARALLEL" "$jobs_file" --task chorales-roll --budget "$BUDGET" --max-seconds "$SECONDS_PER_RUN" \
  --set chunk_length="$CHUNK" --threads 1
rm -f "$jobs_file"

best=$("$PYTHON" - "$OUT" "$SECONDS_PER_RUN" <<'PY'
import json, math, statistics, sys
from pathlib import Path

root, seconds = Path(sys.argv[1]), sys.argv[2]
rows, best = {}, (float("inf"), "")
for path in sorted(root.glob("*/result.json")):
    config, result = json.loads((path.parent / "config.json").read_text()), json.loads(path.read_text())
    test = result.get("test_metrics", {})
    nll, accuracy = test.get("nll_per_frame", float("nan")), test.get("accuracy", float("nan"))
    rows.setdefault(config["model"]["name"], []).append((config["model"]["hidden_size"], result["parameters"],
                                                          result["steps"], result["seconds"], nll, accuracy))
    if nll < best[0]:
        best = (nll, str(path.parent))
out = sys.stderr
print(f"chorales-roll, {seconds} s of training per run; test NLL per frame in nats (46 Bernoulli pitches, "
      f"16th-note frames, 35 test chorales scored whole; logits 0 score {46 * math.log(2):.2f}); "
      "frame accuracy TP/(TP+FP+FN)", file=out)
print("| model | runs | H | parameters | steps (mean) | train s (mean) | test NLL/frame (mean ± sd) | best "
      "| accuracy (mean) |", file=out)
print("|---|---|---|---|---|---|---|---|---|", file=out)
for model in ("rnn", "lstm", "gru", "transformer"):
    runs = rows.get(model, [])
    if not runs:
        continue
    nll = [r[4] for r in runs]
    sd = statistics.stdev(nll) if len(nll) > 1 else 0.0
    print(f"| {model} | {len(runs)} | {runs[0][0]} | {runs[0][1]:,} | {statistics.mean(r[2] for r in runs):.0f} "
          f"| {statistics.mean(r[3] for r in runs):.1f} | {statistics.mean(nll):.3f} ± {sd:.3f} | {min(nll):.3f} "
          f"| {statistics.mean(r[5] for r in runs):.3f} |", file=out)
print(best[1])
PY
)
if [ -n "$best" ]; then
  echo
  echo "8 bars from $best (lowest test NLL), seed 0, temperature 1:"
  $RNNLAB compose "$best" --bars 8 --out "$OUT/chorale.mid" --seed 0 --overwrite
fi
