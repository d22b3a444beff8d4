#!/usr/bin/env bash
# Bit-exact resume of `robegen train` on one device, narrowed down to the step where it breaks: the MLPerf model on
# ROWS synthetic rows (a few hundred steps) trained whole twice (does it repeat bit for bit?), then stopped at step STOP
# and resumed (a) for one step and (b) to the end. Each result is compared tensor by tensor (XXH64 from robegen inspect)
# with a whole run of the same steps, so a failure says whether the first step after the resume already differs and in
# which tensors. scripts/billion-rows.sh runs the same check before its long run.
# Usage (on the GPU machine, after scripts/publish-gpu.sh):
#   scripts/resume-check.sh [ROWS] [STOP]       env: DEVICE (cuda), PRECISION (tf32), DETERMINISTIC (1), MODEL (criteo-terabyte),
#                                               WORK (.gpu/resume-check), ROBEGEN (the published binary)
set -uo pipefail
cd "$(dirname "$0")/.."
rows=${1:-4000000}
stop=${2:-100}
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
work=${WORK:-.gpu/resume-check}
rm -rf "$work" && mkdir -p "$work"
deterministic=()
[[ ${DETERMINISTIC:-1} == 1 ]] && deterministic=(--deterministic)
args=(train --model "${MODEL:-criteo-terabyte}" --device "${DEVICE:-cuda}" --precision "${PRECISION:-tf32}" --batch-size 16384 --epochs 1
  --optimizer sgd --lr 0.01 "${deterministic[@]}" --synthetic-rows "$rows" --cardinalities mlperf --synth-seed 1)

train() { # train NAME [extra flags...]: one run saved to $work/NAME.rgck, its tensor hashes in $work/NAME.hashes
  local name=$1; shift
  "$bin" "${args[@]}" --save "$work/$name.rgck" "$@" > "$work/$name.log" 2>&1 || { echo "$name: exit $?"; tail -3 "$work/$name.log"; }
  "$bin" inspect --checkpoint "$work/$name.rgck" 2>/dev/null | grep xxh64 > "$work/$name.hashes"
}
same() { # same A B LABEL: prints whether two runs' tensors are bit-identical, and which differ
  if [[ -s "$work/$1.hashes" ]] && cmp -s "$work/$1.hashes" "$work/$2.hashes"; then echo "$3: BIT-EXACT ($(wc -l < "$work/$1.hashes") tensors)"
  else
    echo "$3: DIFFER in $(diff "$work/$1.hashes" "$work/$2.hashes" | grep -c '^>') of $(wc -l < "$work/$1.hashes") tensors:"
    diff "$work/$1.hashes" "$work/$2.hashes" | grep '^>' | awk '{print "  " $2}' | head -12
  fi
}

train whole
train again
same whole again "two whole runs"
train part --max-steps "$stop"
cp "$work/part.rgck" "$work/part-at-stop.rgck"
train one-more --max-steps $((stop + 1)) --resume "$work/part-at-stop.rgck"
cp "$work/part-at-stop.rgck" "$work/resumed.rgck"
train resumed --resume "$work/resumed.rgck"
train whole-one-more --max-steps $((stop + 1))
same whole-one-more one-more "resumed at step $stop, one step"
same whole resumed "resumed at step $stop, to the end"
grep -hE "^(resuming|throughput)" "$work/resumed.log"
rm -f "$work"/*.rgck
