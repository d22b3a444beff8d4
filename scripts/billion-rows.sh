#!/usr/bin/env bash
# Issue 15's run at scale: the MLPerf model (criteo-terabyte, ROBE 1000x) on ROWS synthetic rows made on the fly
# (robegen train --synthetic-rows, MLPerf cardinalities), evaluated every EVAL_EVERY steps on EVAL_ROWS held-out rows
# (from row 2^48, exact AUC), stopped by SIGINT every SEGMENT seconds (the graceful stop saves a checkpoint) and
# resumed from it until the run is done or BUDGET seconds have passed; a later call with the same WORK folder goes on
# from the newest checkpoint. Then the in-memory (synthetic-batch) training rate of the same model, batch and
# precision, measured in the same call, for the ratio.
# Usage (on the GPU machine, from the repository root, after scripts/publish-gpu.sh was run where dotnet is):
#   scripts/billion-rows.sh [ROWS] [EVAL_ROWS]        env: SEGMENT (150), BUDGET (520), EVAL_EVERY (12000), WORK, PRECISION (tf32),
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
args=(train --model criteo-terabyte --device cuda --precision "$precision" --batch-size 16384 --epochs 1 --optimizer sgd --lr 0.01
  --synthetic-rows "$rows" --synthetic-eval-rows "$eval_rows" --cardinalities mlperf --synth-seed 1 --teacher "${TEACHER:-structured}"
  --eval-every "${EVAL_EVERY:-12000}" --save "$work/run.rgck" --checkpoint-minutes 2)
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
log "in-memory rate of the same model, batch and precision"
"$bin" bench --device cuda --models mlperf --batches 16384 --storages robe --timed-steps 50 --precision "$precision" 2>&1 | tail -3
log done
if [[ -n "${OUT:-}" ]]; then grep -v "^step" "$work/all.log" > "$OUT/billion-rows.log"; fi
