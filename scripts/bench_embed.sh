#!/usr/bin/env bash
# Open-set verification on MNIST (issue 17): the embedding of examples/open-set-embed.yaml trained
# on digits 0-6 with each metric-learning loss, and the same network trained as a plain softmax
# classifier (its penultimate layer as the embedding), all verified on digits 7-9, never seen in
# training. Prints one markdown row per loss: ROC AUC, TAR@FAR=1e-2 and 1e-3, training time.
# Usage: scripts/bench_embed.sh [--epochs N] [--threads N] [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=3 threads=2 seed=42
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: $0 [--epochs N] [--threads N] [--seed N]" >&2; exit 2 ;;
  esac
done
swift build -c release --product lepton >/dev/null 2>&1 || swift build -c release --product lepton
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "open-set verification, MNIST digits 0-6 -> 7-9; $epochs epochs, seed $seed, $threads threads; $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
echo
echo "| loss | ROC AUC | TAR@FAR=1e-2 | TAR@FAR=1e-3 | training s |"
echo "|---|---:|---:|---:|---:|"
for loss in triplet_semi_hard triplet_batch_hard contrastive arcface cosface sparse_categorical_crossentropy; do
  log=$(.build/release/lepton embed examples/open-set-embed.yaml --loss "$loss" --epochs "$epochs" --seed "$seed" \
        --threads "$threads" --output "$out/$loss" --roc "$out/$loss.png")
  line=$(grep 'Open-set verification:' <<< "$log")
  python3 - "$loss" "$line" <<'PY'
import re, sys
loss, line = sys.argv[1], sys.argv[2]
auc = re.search(r"ROC AUC ([0-9.]+)", line).group(1)
tars = dict(re.findall(r"TAR@FAR=(1e-[0-9]) ([0-9.]+)", line))
seconds = re.search(r"Trained in ([0-9.]+) s", line).group(1)
name = loss + (" (classifier baseline)" if loss == "sparse_categorical_crossentropy" else "")
print(f"| {name} | {auc} | {tars.get('1e-2', '-')} | {tars.get('1e-3', '-')} | {seconds} |")
PY
done
