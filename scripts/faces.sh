#!/usr/bin/env bash
# The seeds' face recogniser (examples/faces-cnn.yaml) trained with three seeds on the same
# stratified 80/20 split of ../shared/datasets/faces; prints each held-out accuracy and their mean.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/lepton ] || swift build -c release --product lepton >/dev/null
mkdir -p out
accuracies=()
for seed in 1 2 3; do
  line=$(.build/release/lepton train examples/faces-cnn.yaml --seed "$seed" --output "out/faces-cnn-seed$seed" --overwrite | grep '^Trained in')
  accuracy=$(sed -E 's/.*accuracy: ([0-9.]+).*/\1/' <<< "$line")
  echo "seed $seed: $line"
  accuracies+=("$accuracy")
done
python3 -c "import sys; a = [float(v) for v in sys.argv[1:]]; print(f'held-out accuracy, mean of {len(a)} seeds: {sum(a) / len(a):.4f}')" "${accuracies[@]}"
