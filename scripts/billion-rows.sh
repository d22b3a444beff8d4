#!/usr/bin/env bash
# Issue 15's run at scale: the MLPerf model (criteo-terabyte, ROBE 1000x) on ROWS synthetic rows made on the fly
# (robegen train --synthetic-rows, MLPerf cardinalities), evaluated every EVAL_EVERY steps on EVAL_ROWS held-out rows
# (from row 2^48, exact AUC), stopped by SIGINT every SEGMENT seconds (the graceful stop saves a checkpoint) and
# resumed from it until the run is done or BUDGET seconds have passed; a later call with the same WORK folder goes on
# from the newest checkpoint. Then the in-memory (synthetic-batch) training rate of the same model, batch and
# precision, measured in the same call, for the ratio: on ids uniform over each table (bench's default) and on the
# run's own first rows held in memory (bench --synthetic), which separates the input's cost from the skew of the ids.
# Training uses deterministic embedding gradients (bit-exact resume, checked first on CHECK_ROWS rows); the in-memory
# rate is measured on the same path.
# Usage (on the GPU machine, from the repository root, after scripts/publish-gpu.sh was run where dotnet is):
#   scripts/billion-rows.sh [ROWS] [EVAL_ROWS]        env: DETERMINISTIC (1; 0: atomic gradients), CHECK_ROWS, CHECK_STOP, SEGMENT (150), BUDGET (520), EVAL_EVERY (12000), WORK, PRECISION (tf32),
#                                                     TEACHER (structured: ids in clusters, as issue 14 asks; or independent)
set -uo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000000}
eval_rows=${2:-50000000}
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
work=${WORK:-.gpu/billion}
segment=${SEGMENT:-150}
budget=${BUDGET:-520}
precision=${PRECISION:-tf32}
chmod +x "$bin"
mkdir -p "$work"
log() { echo "== $(date -u +%H:%M:%S) $*"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
deterministic=()
[[ ${DETERMINISTIC:-1} == 1 ]] && deterministic=(--deterministic)
args=(train --model criteo-terabyte --device cuda --precision "$precision" --batch-size 16384 --epochs 1 --optimizer sgd --lr 0.01 "${deterministic[@]}"
  --synthetic-rows "$rows" --synthetic-eval-rows "$eval_rows" --cardinalities mlperf --synth-seed 1 --teacher "${TEACHER:-structured}"
  --eval-every "${EVAL_EVERY:-12000}" --save "$work/run.rgck" --checkpoint-minutes 2)
# Bit-exact resume on this GPU, on the deterministic path: the first CHECK_ROWS rows trained whole twice (the same
# bits run to run?), and stopped at step CHECK_STOP (--max-steps) then resumed; every tensor's XXH64 (robegen inspect)
# must match. The run's own segments resume the same way.
check_rows=${CHECK_ROWS:-20000000}
check_stop=${CHECK_STOP:-600}
if (( check_rows > 0 )) && [[ ! -f "$work/resume-check.done" ]]; then
  log "resume check: $check_rows rows whole (twice), and stopped at step $check_stop then resumed"
  short=("${args[@]}" --deterministic)
  for i in "${!short[@]}"; do
    case "${short[$i]}" in
      --synthetic-rows) short[$((i + 1))]=$check_rows ;;
      --synthetic-eval-rows) short[$((i + 1))]=16384 ;;
      --save) short[$((i + 1))]=$work/check-whole.rgck ;;
    esac
  done
  "$bin" "${short[@]}" > "$work/check-whole.log" 2>&1 || { echo "resume check: whole run failed"; tail -3 "$work/check-whole.log"; }
  "$bin" inspect --checkpoint "$work/check-whole.rgck" | grep xxh64 > "$work/check-again.hashes"
  "$bin" "${short[@]}" > "$work/check-again.log" 2>&1 || { echo "resume check: second whole run failed"; tail -3 "$work/check-again.log"; }
  parts=("${short[@]/$work\/check-whole.rgck/$work/check-parts.rgck}")
  "$bin" "${parts[@]}" --max-steps "$check_stop" > "$work/check-parts1.log" 2>&1 || { echo "resume check: first part failed"; tail -3 "$work/check-parts1.log"; }
  "$bin" "${parts[@]}" --resume "$work/check-parts.rgck" > "$work/check-parts2.log" 2>&1 || { echo "resume check: resumed run failed"; tail -3 "$work/check-parts2.log"; }
  grep -E "^resuming" "$work/check-parts2.log"
  "$bin" inspect --checkpoint "$work/check-whole.rgck" | grep xxh64 > "$work/check-whole.hashes"
  "$bin" inspect --checkpoint "$work/check-parts.rgck" | grep xxh64 > "$work/check-parts.hashes"
  if diff -q "$work/check-whole.hashes" "$work/check-again.hashes" > /dev/null; then echo "repeat check: two whole runs BIT-EXACT"
  else echo "repeat check: two whole runs DIFFER:"; diff "$work/check-whole.hashes" "$work/check-again.hashes" | grep "^>" | head -20; fi
  if [[ -s "$work/check-whole.hashes" ]] && diff "$work/check-whole.hashes" "$work/check-parts.hashes"; then
    echo "resume check: BIT-EXACT, $(wc -l < "$work/check-whole.hashes") tensors equal"; touch "$work/resume-check.done"
  else echo "resume check: FAILED (hashes differ or missing)"; fi
  rm -f "$work"/check-*.rgck
fi

started=$SECONDS
while (( SECONDS - started < budget )); do
  left=$(( budget - (SECONDS - started) ))
  limit=$(( left < segment ? left : segment ))
  resume=()
  [[ -f "$work/run.rgck" ]] && resume=(--resume "$work/run.rgck")
  log "segment of at most ${limit}s ${resume[*]}"
  timeout -s INT "$limit" "$bin" "${args[@]}" "${resume[@]}" > "$work/segment.log" 2>&1
  rc=$?
  cat "$work/segment.log" >> "$work/all.log"
  grep -E "^(eval|resuming|robegen:|throughput|steps|checkpoint  )" "$work/segment.log" | grep -v "^checkpoint @" | tail -12
  grep -E "^step" "$work/segment.log" | tail -1
  if [[ $rc -eq 0 ]] && grep -q "all epochs done" "$work/segment.log"; then log "run complete"; touch "$work/done"; break; fi
  [[ $rc -ne 0 && $rc -ne 130 && $rc -ne 124 ]] && { log "segment failed with exit code $rc"; tail -5 "$work/segment.log"; break; }
done
log "in-memory rate of the same model, batch and precision, on ids uniform over each table"
"$bin" bench --device cuda --models mlperf --batches 16384 --storages robe --timed-steps 50 --precision "$precision" "${deterministic[@]}" 2>&1 | tail -1
log "in-memory rate on the run's own first rows (Zipf-skewed ids, the same teacher and seed)"
"$bin" bench --device cuda --models mlperf --batches 16384 --storages robe --timed-steps 50 --precision "$precision" "${deterministic[@]}" \
  --synthetic --cardinalities mlperf --synth-seed 1 --teacher "${TEACHER:-structured}" 2>&1 | tail -1
log done
if [[ -n "${OUT:-}" ]]; then grep -v "^step" "$work/all.log" > "$OUT/billion-rows.log"; fi
