#!/usr/bin/env bash
# The cost of each explanation method of `lepton explain`, in ms per image, on the MNIST CNN of
# examples/mnist-cnn.yaml (trained for one epoch into a temporary folder unless MODEL names a
# trained model folder), over IMAGES MNIST test digits (default 20), at THREADS threads
# (default 1); then, side by side, Captum (python/captum_bench.py) on the same weights and
# digits in PyTorch at the same thread count. The times count only the method (the model is
# loaded once per call and not timed; each Lepton figure is the mean of two runs after an untimed
# warm-up run, as Captum is warmed up once).
#   scripts/bench_explain.sh                 # IMAGES=20 THREADS=1 MODEL=<folder> STEPS=50 SAMPLES=25
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGES=${IMAGES:-20}
THREADS=${THREADS:-1}
STEPS=${STEPS:-50}
SAMPLES=${SAMPLES:-25}
export LEPTON_DATA_DIR=${LEPTON_DATA_DIR:-../shared/datasets}
swift build -c release --product lepton 2>&1 | grep -E "error|complete" || true
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found after the build" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MODEL=${MODEL:-$WORK/mnist-cnn}
[ -d "$MODEL" ] || "$LEPTON" train examples/mnist-cnn.yaml --epochs 1 --output "$MODEL" >/dev/null
# The first IMAGES test digits as [28, 28, 1] float32 .npy files (pixels 0-255, as the model takes).
python3 - "$LEPTON_DATA_DIR/mnist" "$WORK" "$IMAGES" <<'PY'
import gzip, os, sys
import numpy as np
folder, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
path = os.path.join(folder, "t10k-images-idx3-ubyte")
raw = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz", "rb").read()
images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 28, 28, 1)[:n].astype(np.float32)
for i, image in enumerate(images):
    np.save(os.path.join(out, f"digit{i}.npy"), image)
PY
echo "Lepton: ms per image (mean over $IMAGES digits, $THREADS thread(s); IG $STEPS steps Gauss-Legendre, SmoothGrad $SAMPLES samples, occlusion 4x4 stride 2)"
for method in saliency smoothgrad integrated-gradients gradcam occlusion; do
    total=0
    for ((i = 0; i < IMAGES; i++)); do
        ms=$("$LEPTON" explain "$MODEL" "$WORK/digit$i.npy" --method "$method" --out "$WORK/map.png" --threads "$THREADS" \
            --steps "$STEPS" --samples "$SAMPLES" --seed 1 --repeat 3 | sed -n 's/^time: \([0-9.]*\) ms.*/\1/p')
        total=$(python3 -c "print($total + $ms)")
    done
    printf "  %-22s %8.2f ms\n" "$method" "$(python3 -c "print($total / $IMAGES)")"
done
python3 python/captum_bench.py --model "$MODEL" --images "$WORK" --count "$IMAGES" --threads "$THREADS" \
    --steps "$STEPS" --samples "$SAMPLES"
