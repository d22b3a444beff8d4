#!/usr/bin/env bash
# The synthetic half of docs/accuracy.md: robegen sweep on 10M synthetic Criteo-shaped rows on a CUDA GPU.
# Usage (on the GPU machine, from the repository root, after scripts/publish-gpu.sh was run where dotnet is):
#   scripts/synthetic-study.sh PART [OUTPUT_FOLDER]
# PART picks the cells, so each call fits a 10-minute slot; the sweep appends every finished cell to
# .gpu/study/<study>/results.csv and skips cells already there, so a part can be rerun after an interruption, and the
# last call draws the table (sweep.md) and plot (sweep.png) from all of them. OUTPUT_FOLDER (e.g. $OUT) receives a copy.
#   kaggle-main    Kaggle cardinalities (33.8M ids), Full + ROBE Z=4 at 10x..10000x, seeds 1-3
#   kaggle-hashed  the same data, Hashed (capped) at 10x..10000x, seeds 1-3
#   kaggle-robe    the same data, ROBE Z=1, Z=16, circular, signed at 10x..10000x, seed 1
#   small-main     Kaggle cardinalities x 0.01 (338K ids, tables that 10M rows fill), Full, Hashed, ROBE Z=4, seeds 1-3
#   kaggle-qr      Kaggle cardinalities, QR (quotient-remainder; the reference's init and the scale-matched one) at
#                  10x..10000x, seeds 1-3 (10000x is not reachable: the smallest QR is ~1170x, trained and reported at
#                  its real bytes)
#   small-qr       cardinalities x 0.01, both QRs at 10x..10000x, seeds 1-3 (1000x and 10000x not reachable: ~116x)
#   structured-main  Kaggle cardinalities, the structured teacher (--teacher structured, defaults), Full + ROBE Z=4 at
#                  10x..10000x, seed 1 (docs/accuracy.md b4)
#   dcnv2-structured issue 14's comparison: the multi-hot MLPerf DLRM-DCNv2 (criteo-terabyte-dcnv2-multihot) on ROWS
#                  (50M) structured-teacher rows, Full against ROBE Z=32 at 1000x, seed SEEDS (1), Adagrad lr 0.001 (0.01
#                  diverges with bags of up to 199 ids), MLPerf cardinalities x SCALE (0.05, so that Full's ~1.2G floats
#                  fit one array uncapped)
set -uo pipefail
cd "$(dirname "$0")/.."
part=${1:?part: kaggle-main, kaggle-hashed, kaggle-robe, small-main, kaggle-qr, small-qr, structured-main or dcnv2-structured}
copy_to=${2:-}
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
chmod +x "$bin"
common=(sweep --device cuda --synthetic-rows 10000000 --synthetic-eval-rows 1000000 --batch-size 2048 --lr 0.01 --optimizer adagrad)
case "$part" in
  kaggle-main)   args=(--cardinality-scale 1 --methods full robe-z4 --seeds 1 2 3 --out .gpu/study/synthetic-kaggle) ;;
  kaggle-hashed) args=(--cardinality-scale 1 --methods hashed --seeds 1 2 3 --out .gpu/study/synthetic-kaggle) ;;
  kaggle-robe)   args=(--cardinality-scale 1 --methods robe-z1 robe-z16 robe-circular robe-signed --seeds 1 --out .gpu/study/synthetic-kaggle) ;;
  small-main)    args=(--cardinality-scale 0.01 --methods full hashed robe-z4 --seeds 1 2 3 --out .gpu/study/synthetic-small) ;;
  kaggle-qr)     args=(--cardinality-scale 1 --methods qr qr-scaled --seeds 1 2 3 --out .gpu/study/synthetic-kaggle) ;;
  small-qr)      args=(--cardinality-scale 0.01 --methods qr qr-scaled --seeds 1 2 3 --out .gpu/study/synthetic-small) ;;
  structured-main) args=(--cardinality-scale 1 --teacher structured --methods full robe-z4 --seeds 1 --out .gpu/study/synthetic-kaggle-structured) ;;
  dcnv2-structured)
    common=(sweep --device cuda --synthetic-rows "${ROWS:-50000000}" --synthetic-eval-rows "${EVAL_ROWS:-5000000}" --batch-size 2048 --lr 0.001 --optimizer adagrad)
    args=(--model criteo-terabyte-dcnv2-multihot --cardinalities mlperf --cardinality-scale "${SCALE:-0.05}" --teacher structured
      --methods full robe-z32 --ratios 1000 --seeds ${SEEDS:-1} --precision "${PRECISION:-tf32}" --out .gpu/study/dcnv2-structured) ;;
  *) echo "unknown part $part" >&2; exit 2 ;;
esac
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
# Stop short of a 10-minute limit so the copy below always runs; finished cells are already in results.csv.
timeout "${STUDY_SECONDS:-540}" "$bin" "${common[@]}" "${args[@]}"
status=$?
if [ -n "$copy_to" ]; then mkdir -p "$copy_to"; cp -r .gpu/study "$copy_to"/; fi
exit $status
