#!/usr/bin/env bash
# Accuracy of every storage on the real Criteo Kaggle rows: train on the first 10,000 lines of train.txt,
# evaluate on 10,000 other train.txt lines, 3 seeds each. Prints a markdown table (mean and spread).
# Usage: scripts/kaggle-study.sh [extra robegen train options]   (needs ../shared/data beside the repo)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${ROBEGEN_SHARED_DATA:-../shared/data}
train=$data/criteo_kaggle_train_head10k.tsv.gz
eval=$data/criteo_kaggle_train_sample10k.tsv.gz
[ -f "$train" ] || { echo "missing $train" >&2; exit 1; }
dotnet build -c Release src/RobeGen.Cli >/dev/null
seeds=(1 2 3)
configs=("Full|--storage full" "Hashed 10x|--storage hashed --compression 10" "Hashed 100x|--storage hashed --compression 100"
         "Hashed 1000x|--storage hashed --compression 1000" "ROBE 10x|--compression 10" "ROBE 100x|--compression 100"
         "ROBE 1000x|--compression 1000")
echo "| storage | embedding bytes | AUC mean | AUC min..max | logloss mean | logloss min..max |"
echo "|---|---|---|---|---|---|"
for entry in "${configs[@]}"; do
  name=${entry%%|*}; opts=${entry#*|}
  aucs=(); losses=(); bytes=""
  for seed in "${seeds[@]}"; do
    out=$(dotnet run -c Release --no-build --project src/RobeGen.Cli -- train --data "$train" --eval-data "$eval" $opts --seed "$seed" "$@" 2>&1)
    aucs+=("$(echo "$out" | awk '/^eval AUC/ {print $3}')")
    losses+=("$(echo "$out" | awk '/^eval logloss/ {print $3}')")
    bytes=$(echo "$out" | sed -n 's/^model bytes .*(embeddings \([^,]*\),.*/\1/p')
  done
  printf '%s\n' "${aucs[@]}" > /tmp/robegen-auc.txt; printf '%s\n' "${losses[@]}" > /tmp/robegen-loss.txt
  stats() { awk '{s+=$1; if (min==""||$1<min) min=$1; if (max==""||$1>max) max=$1} END {printf "%.4f|%.4f..%.4f", s/NR, min, max}' "$1"; }
  IFS='|' read -r am ar <<<"$(stats /tmp/robegen-auc.txt)"; IFS='|' read -r lm lr <<<"$(stats /tmp/robegen-loss.txt)"
  echo "| $name | $bytes | $am | $ar | $lm | $lr |"
done
