#!/usr/bin/env bash
# Issue 15's input-rate measurement: the Kaggle model trained on CUDA end to end from the same synthetic Criteo rows
# as gzip files, plain TSV files and Parquet files, against the synthetic-batch training rate of the same model, batch
# and precision measured in the same run (robegen bench). Every rate printed by robegen train is wall-clock.
# Usage (on the GPU machine, from the repository root, after scripts/publish-gpu.sh was run where dotnet is):
#   scripts/input-rate.sh [FILES] [ROWS_PER_FILE] [OUTPUT_FOLDER]
# Defaults: 32 files of 1,500,000 rows (48M rows, ~7 GB of gzip), written under ${WORK:-/tmp/input-rate}.
# IN_ORDER_GZIP=0 leaves out the slowest run (gzip files one after another); REPEATS=N adds N rounds of plain TSV then
# Parquet and prints the median Parquet / TSV ratio.
set -uo pipefail
cd "$(dirname "$0")/.."
files=${1:-32}
rows=${2:-1500000}
copy_to=${3:-}
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
work=${WORK:-/tmp/input-rate}
batch=${BATCH:-16384}
chmod +x "$bin"
mkdir -p "$work"
log() { echo "== $(date -u +%H:%M:%S) $*"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
echo "cores: $(nproc); files: $files x $rows rows; batch $batch"

log "writing $files gzip files in parallel"
seq 0 $((files - 1)) | xargs -P "$(nproc)" -I{} sh -c \
  "'$bin' synth --rows $rows --first-row \$(({} * $rows)) --out '$work/day{}.tsv.gz' > '$work/synth{}.log' || echo synth {} failed"
log "plain copies (gunzip) and Parquet copies (robegen convert), in parallel"
seq 0 $((files - 1)) | xargs -P "$(nproc)" -I{} sh -c "gzip -dc '$work/day{}.tsv.gz' > '$work/day{}.tsv'"
seq 0 $((files - 1)) | xargs -P "$(nproc)" -I{} sh -c \
  "'$bin' convert --data '$work/day{}.tsv.gz' --out '$work/day{}.parquet' > /dev/null || echo convert {} failed"
du -ch "$work"/*.tsv.gz | tail -1; du -ch "$work"/*.tsv | tail -1; du -ch "$work"/*.parquet | tail -1

train() {
  local name=$1; shift
  log "train from $name"
  local start end
  start=$(date +%s.%N)
  "$bin" train --model criteo-kaggle --device "${DEVICE:-cuda}" --batch-size "$batch" --epochs 1 "$@" 2>&1 | grep -v '^step' | tail -6
  end=$(date +%s.%N)
  echo "process wall time ($name): $(awk "BEGIN {printf \"%.1f\", $end - $start}") s"
}
# Files in the order written (day0, day1, ...), as a user's day files are read.
mapfile -t gz < <(ls -v "$work"/day*.tsv.gz)
mapfile -t tsv < <(ls -v "$work"/day*.tsv)
mapfile -t pq < <(ls -v "$work"/day*.parquet)
# Each input read one file after another (--files-at-once 1, the order before issue 15) and several at once (the default).
[[ ${IN_ORDER_GZIP:-1} == 1 ]] && train gzip-in-order --files-at-once 1 --data "${gz[@]}"
train gzip-at-once --data "${gz[@]}"
train plain-tsv --data "${tsv[@]}"
train parquet-in-order --files-at-once 1 --data "${pq[@]}"
train parquet-at-once --data "${pq[@]}"

# Parquet against TSV varies a few percent run to run (both near the GPU's rate): REPEATS more rounds of the two,
# alternating, and the median ratio of the pairs.
repeats=${REPEATS:-0}
ratios=()
rate() { "$bin" train --model criteo-kaggle --device "${DEVICE:-cuda}" --batch-size "$batch" --epochs 1 "$@" 2>&1 |
  sed -n 's/^throughput *\([0-9,]*\) rows\/s wall-clock.*/\1/p' | tr -d ,; }
for ((round = 1; round <= repeats; round++)); do
  t=$(rate --data "${tsv[@]}"); p=$(rate --data "${pq[@]}")
  ratios+=("$(awk "BEGIN {printf \"%.3f\", $p / $t}")")
  echo "round $round: plain TSV $t rows/s, Parquet at once $p rows/s, Parquet / TSV ${ratios[-1]}"
done
(( repeats > 0 )) && echo "median Parquet / TSV over $repeats rounds: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}')"

log "synthetic-batch rate of the same model, batch and precision"
"$bin" bench --device "${DEVICE:-cuda}" --models kaggle --batches "$batch" --storages robe --timed-steps 100 2>&1 | tail -12
log done
if [[ -n "$copy_to" ]]; then cp "$work"/synth0.log "$copy_to"/ 2>/dev/null; fi
