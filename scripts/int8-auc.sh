#!/usr/bin/env bash
# AUC cost of Int8 inference (CPU): per seed, train the Kaggle model once in FP32 on the first 10,000 lines of
# train.txt and evaluate that same checkpoint on 10,000 other lines in fp32 and in int8 (robegen eval --precision);
# then the README's main job (built-in sample, last 20% held out), whose end-of-run evaluation `train --precision int8`
# runs in int8 on the identical FP32-trained model. Prints markdown tables.
# Usage: scripts/int8-auc.sh   (needs ../shared/data beside the repo for the Kaggle part)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${ROBEGEN_SHARED_DATA:-../shared/data}
train=$data/criteo_kaggle_train_head10k.tsv.gz
eval=$data/criteo_kaggle_train_sample10k.tsv.gz
[ -f "$train" ] || { echo "missing $train" >&2; exit 1; }
dotnet build -c Release src/RobeGen.Cli >/dev/null
robegen() { dotnet run -c Release --no-build --project src/RobeGen.Cli -- "$@"; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" | tail -1; }

echo "Kaggle split (ROBE 1000x, Adagrad lr 0.01, batch 128, 1 epoch); eval batch 2048"
echo "| seed | AUC fp32 | AUC int8 | AUC int8 - fp32 | logloss fp32 | logloss int8 | logloss int8 - fp32 |"
echo "|---|---|---|---|---|---|---|"
for seed in 1 2 3; do
  robegen train --data "$train" --eval-data "$eval" --compression 1000 --seed "$seed" --save "$work/s$seed.rgck" >/dev/null
  f=$(robegen eval --checkpoint "$work/s$seed.rgck" --data "$eval" --precision fp32 | tail -1)
  i=$(robegen eval --checkpoint "$work/s$seed.rgck" --data "$eval" --precision int8 | tail -1)
  af=$(echo "$f" | field auc); ai=$(echo "$i" | field auc); lf=$(echo "$f" | field logloss); li=$(echo "$i" | field logloss)
  awk -v s="$seed" -v af="$af" -v ai="$ai" -v lf="$lf" -v li="$li" \
    'BEGIN { printf "| %s | %.6f | %.6f | %+.6f | %.6f | %.6f | %+.6f |\n", s, af, ai, ai - af, lf, li, li - lf }'
done

echo
echo "README main job (built-in sample, 20% holdout, defaults); the same FP32-trained model per seed, evaluated both ways"
echo "| seed | AUC fp32 | AUC int8 | logloss fp32 | logloss int8 |"
echo "|---|---|---|---|---|"
for seed in 1 2 3; do
  f=$(robegen train --seed "$seed" --precision fp32 2>&1); i=$(robegen train --seed "$seed" --precision int8 2>&1)
  auc() { awk '/^eval AUC/ {print $3}'; }; loss() { awk '/^eval logloss/ {print $3}'; }
  echo "| $seed | $(echo "$f" | auc) | $(echo "$i" | auc) | $(echo "$f" | loss) | $(echo "$i" | loss) |"
done
