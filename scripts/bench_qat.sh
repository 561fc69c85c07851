#!/usr/bin/env bash
# The quantisation-aware training benchmark of docs/BENCHMARKS.md ("Compression"), in one run: for
# the MNIST CNN (examples/mnist-cnn.yaml) and the CNN with BatchNormalization
# (examples/mnist-cnn-bn.yaml), trains the float model for TRAIN_EPOCHS epochs, then
#   - post-training static int8 (`lepton compress --quantize int8`, minmax on 10 batches of 32),
#   - quantisation-aware training (`lepton compress --quantize qat`, QAT_EPOCHS epochs, a tenth of
#     the config's learning rate, observers and BN statistics frozen for the last epoch when
#     QAT_EPOCHS > 1),
# evaluates fp32, PTQ and QAT on the 10,000 test images with `lepton evaluate`, and runs
# python/qat_bench.py: PyTorch eager PTQ and QAT (x86 qconfig) from the same fp32 weights.
#   scripts/bench_qat.sh            # TRAIN_EPOCHS=1 QAT_EPOCHS=1 THREADS=1 OUT=out/qat-bench
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
TRAIN_EPOCHS=${TRAIN_EPOCHS:-1}
QAT_EPOCHS=${QAT_EPOCHS:-1}
THREADS=${THREADS:-1}
OUT=${OUT:-out/qat-bench}
mkdir -p "$OUT"
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(uptime | sed 's/.*load average: //')"
freeze=() peer_freeze=()
if [ "$QAT_EPOCHS" -gt 1 ]; then
    freeze=(--freeze-observers-after $((QAT_EPOCHS - 1)) --freeze-bn-after $((QAT_EPOCHS - 1)))
    peer_freeze=(--freeze-after $((QAT_EPOCHS - 1)))
fi
accuracy() { "$LEPTON" evaluate "$1" "$2" --threads "$THREADS" | sed -n 's/.*accuracy[:=] *\([0-9.]*\).*/\1/p' | tail -1; }
for name in mnist-cnn mnist-cnn-bn; do
    config=examples/$name.yaml
    model=$OUT/$name
    start=$(date +%s)
    "$LEPTON" train "$config" --epochs "$TRAIN_EPOCHS" --output "$model" --overwrite --threads "$THREADS" >"$OUT/$name-train.log"
    trained=$(( $(date +%s) - start ))
    "$LEPTON" compress "$model" --out "$model-ptq" --quantize int8 --calibration "$config" --overwrite --threads "$THREADS" \
        >"$OUT/$name-ptq.log"
    start=$(date +%s)
    "$LEPTON" compress "$model" --out "$model-qat" --quantize qat --calibration "$config" --epochs "$QAT_EPOCHS" "${freeze[@]}" \
        --overwrite --threads "$THREADS" | tee "$OUT/$name-qat.log" | grep -E "^(Epoch|Test|Quantised)" || true
    tuned=$(( $(date +%s) - start ))
    fp32=$(accuracy "$model" "$config"); ptq=$(accuracy "$model-ptq" "$config"); qat=$(accuracy "$model-qat" "$config")
    echo "{\"model\": \"$name\", \"engine\": \"lepton\", \"fp32\": $fp32, \"ptq\": $ptq, \"qat\": $qat," \
         "\"train_seconds\": $trained, \"qat_seconds\": $tuned, \"load\": \"$(uptime | sed 's/.*load average: //')\"}"
    python3 python/qat_bench.py --model "$model" --epochs "$QAT_EPOCHS" --learning-rate 1e-4 --threads "$THREADS" "${peer_freeze[@]}"
done
