#!/usr/bin/env bash
# The GPU measurements of issues 14 and 15 that code built since the last GPU run waits on, as named parts, so one
# device call runs the ones it has time for and the output is the raw record docs/runs keeps. Each part has a time
# limit (PART_LIMIT seconds, default 240), prints its command and the UTC time, and a failure does not stop the next.
# Usage (on the GPU machine, from the repository root, after scripts/publish-gpu.sh was run where dotnet is):
#   scripts/gpu-round.sh PART...      env: ROBEGEN (the published binary), PART_LIMIT, PYTHON (python3), OUT (the device
#                                     call's folder: the parts' CSV, study and billion-run files are copied there at exit)
# dcnv2-study and billion take a whole 10-minute call each (they stop themselves and keep what they finished).
# Parts:
#   check          robegen check --device cuda --precision tf32 and bf16 (layers, resume, determinism on two devices)
#   resume         scripts/resume-check.sh 20000000 600: bit-exact resume on the deterministic path at 20M rows
#   deterministic  bench of the MLPerf model, ROBE, TF32: deterministic and atomic gradients in the same call
#   dcnv2          bench of the multi-hot DLRM-DCNv2, ROBE and Full, BF16; the PyTorch baseline (eager and
#                  torch.compile, BF16) on the same model with its full tables as large as the GPU holds (--uncapped),
#                  the like-for-like ratios and issue 14's targets. Only an H200 holds the true-size tables (~104 GB);
#                  on an H100 the baseline's label says where its tables were capped and the targets are not judged.
#   input          REPEATS=3 IN_ORDER_GZIP=0 scripts/input-rate.sh 16 2000000: gzip, TSV and Parquet against synthetic
#                  batches (the median Parquet / TSV ratio)
#   dcnv2-study    scripts/synthetic-study.sh dcnv2-structured: Full against ROBE 1000x on 50M structured multi-hot rows
#   billion        scripts/billion-rows.sh (10^9 rows on the deterministic path; a later call goes on from its checkpoint)
#   full-mlperf    (needs an H200) uncapped Full MLPerf tables against ROBE, RobeGen and PyTorch, and a Full training run
#   full-train     (needs an H200) the Full training run of full-mlperf alone: 20M rows on the uncapped tables
#   profile-bags   ncu of RobeGen's bag gather on the multi-hot DCNv2 with Full tables (36.5 ms on an H200, PyTorch 1.7)
set -uo pipefail
cd "$(dirname "$0")/.."
(( $# > 0 )) || { echo "usage: scripts/gpu-round.sh PART... (check, resume, deterministic, dcnv2, input, dcnv2-study, billion, full-mlperf, full-train, profile-bags)" >&2; exit 2; }
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
limit=${PART_LIMIT:-240}
python=${PYTHON:-python3}
baseline=tests/RobeGen.Benchmarks/pytorch/dlrm_baseline.py
out=.gpu/round
mkdir -p "$out"
chmod +x "$bin" 2>/dev/null
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
echo "main at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

run() { # run COMMAND...: one measured command under the part's time limit
  echo "== $(date -u +%H:%M:%S) $*"
  timeout "$limit" "$@" 2>&1 | grep -v '^\s*$' | tail -"${tail_lines:-60}"
  local rc=${PIPESTATUS[0]}
  (( rc == 0 )) || echo "(exit $rc$( (( rc == 124 )) && echo ": over the ${limit} s limit"))"
}

full_train() { # SGD, as the MLPerf reference trains these tables: Adagrad's per-weight state would double the ~96 GB.
  run "$bin" train --storage full --model criteo-terabyte --device cuda --precision tf32 --batch-size 16384 \
    --optimizer sgd --lr 0.01 --synthetic-rows 20000000 --cardinalities mlperf --synth-seed 1
}

keep() { # keep: on the device machine ($OUT set), copy what the parts wrote there (not checkpoints: too large to return)
  [[ -n ${OUT:-} ]] || return 0
  for dir in .gpu/round .gpu/study .gpu/billion; do
    [[ -d $dir ]] && (cd "$(dirname "$dir")" && find "$(basename "$dir")" -type f ! -name '*.rgck' ! -name '*.tmp' -size -20M \
      -exec cp --parents {} "$OUT"/ \;)
  done
  return 0
}
trap keep EXIT

for part in "$@"; do
  case $part in
    check)
      run "$bin" check --device cuda --precision tf32 --skip-throughput
      run "$bin" check --device cuda --precision bf16 --skip-throughput ;;
    resume)
      run scripts/resume-check.sh 20000000 600 ;;
    deterministic)
      run "$bin" bench --models mlperf --batches 16384 --storages robe --precision tf32 --deterministic
      run "$bin" bench --models mlperf --batches 16384 --storages robe --precision tf32 ;;
    dcnv2)
      run "$bin" bench --models mlperf-dcnv2-multihot --batches 16384 --storages robe full --precision bf16 --csv "$out/dcnv2.csv"
      run "$python" "$baseline" --models mlperf-dcnv2-multihot --batches 16384 --storages full --uncapped --bf16 --robegen-csv "$out/dcnv2.csv"
      run "$python" "$baseline" --models mlperf-dcnv2-multihot --batches 16384 --storages full --uncapped --bf16 --compile --robegen-csv "$out/dcnv2.csv" ;;
    input)
      run env REPEATS=3 IN_ORDER_GZIP=0 scripts/input-rate.sh 16 2000000 ;;
    dcnv2-study)
      # The study stops itself at STUDY_SECONDS (540) and keeps its finished cells: give it the whole call.
      limit=590 run scripts/synthetic-study.sh dcnv2-structured ;;
    billion)
      # Its segments stop themselves within BUDGET (520 s) and checkpoint: give it the whole call.
      limit=590 run scripts/billion-rows.sh ;;
    full-mlperf)
      # BF16 on both sides: the baseline's strongest setting (autocast + torch.compile), and compare() pairs rows by
      # model, storage and batch only, so the two precisions must be the same.
      run "$bin" bench --models mlperf --batches 16384 --storages robe full --precision bf16 --csv "$out/full.csv"
      run "$python" "$baseline" --models mlperf --batches 16384 --storages robe32 full --uncapped --bf16 --compile --robegen-csv "$out/full.csv"
      full_train ;;
    full-train)
      full_train ;;
    profile-bags)
      tail_lines=160 run "${NCU:-/usr/local/cuda/bin/ncu}" -k regex:GatherBags --section SpeedOfLight --section MemoryWorkloadAnalysis \
        --section WarpStateStats --section Occupancy --section LaunchStats -c 1 \
        "$bin" bench --models mlperf-dcnv2-multihot --batches 16384 --storages full --precision bf16 --timed-steps 1 ;;
    *)
      echo "unknown part '$part' (check, resume, deterministic, dcnv2, input, dcnv2-study, billion, full-mlperf, full-train, profile-bags)" >&2
      exit 2 ;;
  esac
done
