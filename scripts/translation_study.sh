#!/usr/bin/env bash
# The translation study of issue 8, measured with `rnnlab train` only: tanh RNN, LSTM and GRU encoder-decoders,
# each without and with attention, and the encoder-decoder Transformer, on Ding's German-English sentences
# (`--task de-en`) at one parameter budget (`--budget`: each model gets the hidden size that fits it), a fixed
# training-time budget per run, SEEDS seeds each. One run at a time, one thread (timings are comparable).
# Resumable: a finished run is skipped; an interrupted one continues from its checkpoint.
#
#   bash scripts/translation_study.sh [OUT] [SECONDS] [SEEDS] [BUDGET]
#       OUT      run folders and the summary (default runs/translation)
#       SECONDS  training time per run, evaluations not counted (default 900)
#       SEEDS    seeds 0 .. SEEDS-1 per model (default 3)
#       BUDGET   parameters per model (default 4000000: about 150 LSTM units beside 8,000-word vocabularies)
#   env: ATTENTION=additive|multiplicative (default additive), EXTRA="--set max_train=500 ..." for smoke runs
#
# Prints, per model: test BLEU and chrF (greedy, all 1,000 test pairs), training seconds and steps, parameters;
# writes OUT/bleu-by-length.png and OUT/bleu-by-length.json (test BLEU by source length, seeds pooled), and
# prints three test sentences with each model's translation (seed 0).
set -uo pipefail
OUT=${1:-runs/translation}
SECONDS_PER_RUN=${2:-900}
SEEDS=${3:-3}
BUDGET=${4:-4000000}
ATTENTION=${ATTENTION:-additive}
EXTRA=${EXTRA:-}
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}
PYTHON=${PYTHON:-.venv/bin/python}
MODELS=("rnn none" "rnn $ATTENTION" "lstm none" "lstm $ATTENTION" "gru none" "gru $ATTENTION" "transformer none")
mkdir -p "$OUT"
for ((seed = 0; seed < SEEDS; seed++)); do
  for entry in "${MODELS[@]}"; do
    read -r model attention <<< "$entry"
    name=$model$([ "$attention" = none ] || echo "-$attention")
    out="$OUT/$name-s$seed"
    if [ -f "$out/result.json" ]; then echo "done already: $out"; continue; fi
    resume=""; [ -f "$out/config.json" ] && resume="--resume"
    # bleu_sentences=1000: BLEU over the whole validation / test split, not the default cap of 500
    # shellcheck disable=SC2086
    $RNNLAB train --task de-en --model "$model" --attention "$attention" --budget "$BUDGET" --seed "$seed" \
      --max-seconds "$SECONDS_PER_RUN" --set bleu_sentences=1000 $EXTRA --threads 1 --out "$out" $resume \
      > "$out.log" 2>&1 && tail -n 2 "$out.log" | head -n 1 | sed "s|^|$out: |" || echo "FAILED: $out (see $out.log)"
  done
done

"$PYTHON" - "$OUT" "$SEEDS" "$ATTENTION" <<'PY'
import json
import sys
from dataclasses import asdict
from pathlib import Path

from rnnlab.generate.bleu_by_length import bleu_by_length, plot_bleu_by_length, run_translations

out, seeds, attention = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
names = ["rnn", f"rnn-{attention}", "lstm", f"lstm-{attention}", "gru", f"gru-{attention}", "transformer"]
print(f"\n{'model':<24}{'test BLEU':>12}{'test chrF':>12}{'train s':>9}{'steps':>7}{'params':>11}   (mean over seeds)")
curves, examples = {}, {}
for name in names:
    runs = [out / f"{name}-s{seed}" for seed in range(seeds) if (out / f"{name}-s{seed}" / "result.json").exists()]
    if not runs:
        print(f"{name:<24}  no finished run")
        continue
    results = [json.loads((run / "result.json").read_text()) for run in runs]
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    bleu = [r["test_metrics"]["bleu"] for r in results]
    print(f"{name:<24}{mean(bleu):>12.2f}{mean([r['test_metrics']['chrf'] for r in results]):>12.2f}"
          f"{mean([r['seconds'] for r in results]):>9.0f}{mean([r['steps'] for r in results]):>7.0f}"
          f"{results[0]['parameters']:>11,}   BLEU per seed: {', '.join(f'{b:.2f}' for b in bleu)}")
    translated = [run_translations(run) for run in runs]
    pooled = [sum((getattr(t, part) for t in translated), []) for part in ("sources", "hypotheses", "references")]
    curves[name] = bleu_by_length(*pooled)
    examples[name] = translated[0]
if curves:
    plot = plot_bleu_by_length(curves, out / "bleu-by-length.png",
                               title=f"de-en test BLEU by source length ({seeds} seed(s) pooled)")
    (out / "bleu-by-length.json").write_text(json.dumps({k: [asdict(b) for b in v] for k, v in curves.items()},
                                                        indent=2) + "\n")
    print(f"\nBLEU by source length: {plot} (records: {out / 'bleu-by-length.json'})")
    first = next(iter(examples.values()))
    chosen = [i for i, source in enumerate(first.sources) if len(source.split()) >= 8][:3]
    for i in chosen:
        print(f"\n{'source':<16}: {first.sources[i]}\n{'reference':<16}: {first.references[i]}")
        for name, translations in examples.items():
            print(f"{name:<16}: {translations.hypotheses[i]}")
PY
