#!/usr/bin/env bash
# Open-set verification on MNIST (issue 17): the embedding of examples/open-set-embed.yaml trained
# on digits 0-6 with each metric-learning loss, and the same network trained as a plain softmax
# classifier (its penultimate layer as the embedding), all verified on digits 7-9, never seen in
# training. Each loss is trained once per seed; prints one markdown row per loss: the mean over the
# seeds of ROC AUC, TAR@FAR=1e-2 and 1e-3 (each seed's value after it), and the mean training time;
# and, as the no-learning reference, the same verification on the standardised pixels.
# Usage: scripts/bench_embed.sh [--epochs N] [--threads N] [--seeds "1 2 3"]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=3 threads=2 seeds="1 2 3"
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) echo "usage: $0 [--epochs N] [--threads N] [--seeds \"1 2 3\"]" >&2; exit 2 ;;
  esac
done
swift build -c release --product lepton >/dev/null 2>&1 || swift build -c release --product lepton
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The losses and their settings. ArcFace and CosFace use scale 16: the usual 64 (InsightFace,
# pytorch-metric-learning) is meant for thousands of identities; with seven it trains worse.
losses=(
  "triplet_semi_hard|{name: triplet_semi_hard, margin: 0.2}"
  "triplet_batch_hard|{name: triplet_batch_hard, margin: 0.2}"
  "contrastive|{name: contrastive, margin: 1}"
  "contrastive (positive margin 0.5)|{name: contrastive, margin: 1, positive_margin: 0.5}"
  "arcface (scale 16, margin 0.3)|{name: arcface, scale: 16, margin: 0.3}"
  "cosface (scale 16, margin 0.2)|{name: cosface, scale: 16, margin: 0.2}"
  "classifier baseline|sparse_categorical_crossentropy"
)
echo "open-set verification, MNIST digits 0-6 -> 7-9; $epochs epochs, seeds $seeds, $threads threads; $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| loss | ROC AUC (mean; per seed) | TAR@FAR=1e-2 | TAR@FAR=1e-3 | training s (mean) |"
echo "|---|---|---|---|---:|"
for entry in "${losses[@]}"; do
  name=${entry%%|*} loss=${entry#*|}
  config="$out/config.yaml"
  sed "s/^loss: .*/loss: $loss/" examples/open-set-embed.yaml > "$config"
  lines=()
  for seed in $seeds; do
    log=$(.build/release/lepton embed "$config" --epochs "$epochs" --seed "$seed" --threads "$threads" \
          --output "$out/model" --overwrite --roc "$out/roc.png")
    lines+=("$(grep 'Open-set verification:' <<< "$log")")
  done
  python3 - "$name" "${lines[@]}" <<'PY'
import re, sys
name, lines = sys.argv[1], sys.argv[2:]
def values(pattern):
    return [float(re.search(pattern, line).group(1)) for line in lines]
def cell(vs):
    return f"**{sum(vs) / len(vs):.3f}**; " + ", ".join(f"{v:.3f}" for v in vs)
seconds = values(r"Trained in ([0-9.]+) s")
print(f"| {name} | {cell(values(r'ROC AUC ([0-9.]+)'))} | {cell(values(r'TAR@FAR=1e-2 ([0-9.]+)'))} | "
      f"{cell(values(r'TAR@FAR=1e-3 ([0-9.]+)'))} | {sum(seconds) / len(seconds):.1f} |")
PY
done
python3 python/pixel_verification.py "${LEPTON_DATA_DIR:-../shared/datasets}/mnist"
