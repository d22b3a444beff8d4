#!/usr/bin/env bash
# AUC cost of BF16 training and inference on CUDA (issue 12: at most 0.001 AUC against FP32), two data sets:
#  1. the Kaggle split (first 10,000 lines of train.txt to train, 10,000 other lines to evaluate), ROBE 1000x, 3 seeds;
#  2. 10M synthetic rows (1M held-out rows from row 2^48), ROBE Z=4 at 1000x, Adagrad lr 0.01, batch 2048, 3 seeds.
# Each seed trains the same model twice, --precision fp32 and --precision bf16, and evaluates each in its own precision.
# Usage on the GPU machine (after scripts/publish-gpu.sh): scripts/bf16-auc.sh [DATA_FOLDER] [WORK_FOLDER]
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${ROBEGEN:-.gpu/robegen/RobeGen.Cli}
data=${1:-../shared/data}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
chmod +x "$bin"
train=$data/criteo_kaggle_train_head10k.tsv.gz
eval=$data/criteo_kaggle_train_sample10k.tsv.gz
nvidia-smi --query-gpu=name --format=csv,noheader || true

echo "Kaggle split (ROBE 1000x, Adagrad lr 0.01, batch 128, 1 epoch), CUDA"
echo "| seed | AUC fp32 | AUC bf16 | bf16 - fp32 | logloss fp32 | logloss bf16 |"
echo "|---|---|---|---|---|---|"
for seed in 1 2 3; do
  f=$("$bin" train --device cuda --precision fp32 --data "$train" --eval-data "$eval" --compression 1000 --seed "$seed" 2>&1)
  b=$("$bin" train --device cuda --precision bf16 --data "$train" --eval-data "$eval" --compression 1000 --seed "$seed" 2>&1)
  auc() { awk '/^eval AUC/ {print $3}' | tail -1; }; loss() { awk '/^eval logloss/ {print $3}' | tail -1; }
  af=$(echo "$f" | auc); ab=$(echo "$b" | auc)
  awk -v s="$seed" -v af="$af" -v ab="$ab" -v lf="$(echo "$f" | loss)" -v lb="$(echo "$b" | loss)" \
    'BEGIN { printf "| %s | %s | %s | %+.5f | %s | %s |\n", s, af, ab, ab - af, lf, lb }'
done

echo
echo "10M synthetic rows (Kaggle cardinalities), ROBE Z=4 1000x, CUDA"
for p in fp32 bf16; do
  timeout 300 "$bin" sweep --device cuda --precision "$p" --synthetic-rows 10000000 --synthetic-eval-rows 1000000 --batch-size 2048 \
    --lr 0.01 --optimizer adagrad --methods robe-z4 --ratios 1000 --seeds 1 2 3 --out "$work/synthetic-$p" > "$work/synthetic-$p.log" 2>&1
  echo "== $p"; cat "$work/synthetic-$p/results.csv" 2>/dev/null || tail -5 "$work/synthetic-$p.log"
done
