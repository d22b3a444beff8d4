#!/usr/bin/env bash
# Issue 14's real-data check: the DCNv2 model (criteo-terabyte-dcnv2) against the dot model (criteo-terabyte) of the
# same MLPerf sizes, both ROBE 1000x, on the real rows of ../shared/data: the Kaggle split of docs/accuracy-kaggle.md
# (train on the first 10,000 train.txt lines, evaluate on 10,000 others) and the Criteo 1TB day-0 sample (last 20% of
# its 10,000 lines held out). Adagrad lr 0.01, batch 128, one epoch (the train defaults), seeds 1..3, CPU. Prints a
# markdown table row per run and the means.
# Usage: scripts/dcnv2-auc.sh [SEEDS] [LRS]     (needs ../shared/data beside the repository; LRS e.g. "0.001 0.003 0.01",
# default 0.01, the train default: each model is compared at its best learning rate of the list)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${ROBEGEN_SHARED_DATA:-../shared/data}
seeds=${1:-"1 2 3"}
lrs=${2:-0.01}
[ -f "$data/criteo_kaggle_train_head10k.tsv.gz" ] || { echo "missing $data/criteo_kaggle_train_head10k.tsv.gz" >&2; exit 1; }
dotnet build -c Release src/RobeGen.Cli >/dev/null
robegen() { dotnet run -c Release --no-build --project src/RobeGen.Cli -- "$@"; }
auc() { sed -n 's/^eval AUC *\([0-9.]*\).*/\1/p' | tail -1; }
echo "| data | model | lr | seed | eval AUC |"
echo "|---|---|---|---|---|"
declare -A sum
for split in kaggle 1tb; do
  if [[ $split == kaggle ]]; then
    set -- --data "$data/criteo_kaggle_train_head10k.tsv.gz" --eval-data "$data/criteo_kaggle_train_sample10k.tsv.gz"
  else
    set -- --data "$data/criteo_1tb_day0_head10k.tsv.gz" --holdout 0.2
  fi
  for model in criteo-terabyte criteo-terabyte-dcnv2; do
    for lr in $lrs; do
      for seed in $seeds; do
        a=$(robegen train --model "$model" "$@" --seed "$seed" --lr "$lr" --threads 2 2>&1 | auc)
        echo "| $split | $model | $lr | $seed | $a |"
        sum[$split $model $lr]=$(awk "BEGIN {print ${sum[$split $model $lr]:-0} + $a}")
      done
    done
  done
done
n=$(echo $seeds | wc -w)
for key in "${!sum[@]}"; do awk "BEGIN {printf \"mean %s: %.4f\n\", \"$key\", ${sum[$key]} / $n}"; done | sort
