# Sourced by the study scripts: run many `rnnlab train` jobs, a few at a time, resumably.
#
#   source "$(dirname "$0")/train_jobs.sh"
#   train_jobs PARALLEL JOBS_FILE [ARGS FOR EVERY RUN...]
#
# Each line of JOBS_FILE holds one run's own `rnnlab train` arguments and ends with `--out DIR`. A run whose
# DIR/result.json exists is skipped; one with only DIR/config.json continues from its checkpoint
# (--resume). Each run logs to DIR.log and prints its result lines (status; test metrics and baselines for
# real data sets), or FAILED with the log to read.
# RNNLAB names the command (default .venv/bin/rnnlab).
RNNLAB=${RNNLAB:-.venv/bin/rnnlab}

train_one() {
  local line=$1; shift
  local out=${line##*--out }
  if [ -f "$out/result.json" ]; then echo "done already: $out"; return; fi
  local resume=""; [ -f "$out/config.json" ] && resume="--resume"
  mkdir -p "$(dirname "$out")"
  # shellcheck disable=SC2086  # a job line is a list of arguments
  $RNNLAB train $line "$@" $resume > "$out.log" 2>&1 \
    && grep -E "^(solved|not solved|diverged|test |baselines on)" "$out.log" | sed "s|^|$out: |" \
    || echo "FAILED: $out (see $out.log)"
}

train_jobs() {
  local parallel=$1 jobs=$2; shift 2
  export -f train_one; export RNNLAB
  xargs -P "$parallel" -I{} bash -c 'train_one "$@"' _ {} "$@" < "$jobs"
}
