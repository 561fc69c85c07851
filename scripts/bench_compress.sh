#!/usr/bin/env bash
# The compression benchmark of docs/BENCHMARKS.md ("Compression"), in one run: trains the MNIST
# CNN (examples/mnist-cnn.yaml) unless out/mnist-cnn exists, quantises it to int8 with
# `lepton compress` (also with 7-bit weights, --reduce-range), exports both to ONNX (the int8 one in QDQ form) and runs
# python/compress_bench.py: Lepton fp32 and int8, ONNX Runtime (fp32, Lepton's QDQ model, its own
# quantize_static) and PyTorch (fp32, x86/fbgemm int8), all at THREADS threads (default 1).
#   scripts/bench_compress.sh                 # METHOD=minmax|percentile|entropy, THREADS=1, SECONDS_PER_MODEL=3
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
METHOD=${METHOD:-minmax}
THREADS=${THREADS:-1}
[ -d out/mnist-cnn ] || "$LEPTON" train examples/mnist-cnn.yaml
"$LEPTON" compress out/mnist-cnn --out out/mnist-cnn-int8 --quantize int8 --calibration examples/mnist-cnn.yaml \
    --method "$METHOD" --overwrite
"$LEPTON" compress out/mnist-cnn --out out/mnist-cnn-int8-7bit --quantize int8 --reduce-range --calibration examples/mnist-cnn.yaml \
    --method "$METHOD" --overwrite
"$LEPTON" export out/mnist-cnn --onnx out/mnist-cnn.onnx --overwrite
"$LEPTON" export out/mnist-cnn-int8 --onnx out/mnist-cnn-int8.onnx --overwrite
python3 python/compress_bench.py --lepton "$LEPTON" --fp32 out/mnist-cnn --int8 out/mnist-cnn-int8 --int8-narrow out/mnist-cnn-int8-7bit \
    --onnx out/mnist-cnn.onnx --qdq out/mnist-cnn-int8.onnx --config examples/mnist-cnn.yaml \
    --threads "$THREADS" --seconds "${SECONDS_PER_MODEL:-3}"
