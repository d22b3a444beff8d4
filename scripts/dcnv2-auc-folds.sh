#!/usr/bin/env bash
# The DCNv2-against-dot comparison of scripts/dcnv2-auc.sh on the 1TB day-0 sample, with every row held out once:
# 5 folds of 2,000 consecutive lines (fold 5 is dcnv2-auc.sh's split, the last 20%), each model trained on the other
# 8,000 lines in file order and scored on its fold. A fold holds about 53 clicks, so one split's AUC has a sampling
# error of about 0.04; the mean over 5 folds scores all 265 clicks. Both models are ROBE 1000x at MLPerf sizes,
# Adagrad, batch 128, one epoch, CPU. Prints a markdown row per run and the mean per model and learning rate.
# Usage: scripts/dcnv2-auc-folds.sh [SEEDS] [LRS]     (defaults "1 2 3" and "0.002 0.003", the two models' best rates)
set -euo pipefail
cd "$(dirname "$0")/.."
sample=samples/data/criteo_1tb_day0_head10k.tsv.gz
seeds=${1:-"1 2 3"}
lrs=${2:-"0.002 0.003"}
dotnet build -c Release src/RobeGen.Cli >/dev/null
robegen() { dotnet run -c Release --no-build --project src/RobeGen.Cli -- "$@"; }
auc() { sed -n 's/^eval AUC *\([0-9.]*\).*/\1/p' | tail -1; }
folds=$(mktemp -d)
trap 'rm -rf "$folds"' EXIT
lines=$(gzip -dc "$sample" | wc -l)
size=$((lines / 5))
for k in 1 2 3 4 5; do
  first=$(((k - 1) * size + 1)) last=$((k * size))
  gzip -dc "$sample" | awk -v a="$first" -v b="$last" 'NR >= a && NR <= b' > "$folds/test$k.tsv"
  gzip -dc "$sample" | awk -v a="$first" -v b="$last" 'NR < a || NR > b' > "$folds/train$k.tsv"
done
echo "| model | lr | seed | fold | eval AUC |"
echo "|---|---|---|---|---|"
declare -A sum count
for model in criteo-terabyte criteo-terabyte-dcnv2; do
  for lr in $lrs; do
    for seed in $seeds; do
      for k in 1 2 3 4 5; do
        a=$(robegen train --model "$model" --data "$folds/train$k.tsv" --eval-data "$folds/test$k.tsv" --seed "$seed" --lr "$lr" --threads 2 2>&1 | auc)
        echo "| $model | $lr | $seed | $k | $a |"
        sum[$model $lr]=$(awk "BEGIN {print ${sum[$model $lr]:-0} + $a}")
        count[$model $lr]=$((${count[$model $lr]:-0} + 1))
      done
    done
  done
done
for key in "${!sum[@]}"; do awk "BEGIN {printf \"mean %s: %.4f over %d runs\n\", \"$key\", ${sum[$key]} / ${count[$key]}, ${count[$key]}}"; done | sort
