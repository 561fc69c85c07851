#!/usr/bin/env bash
# The dynamic int8 benchmark of docs/BENCHMARKS.md ("Dynamic int8"), in one run: trains the sentiment
# LSTM (examples/sentiment-lstm.yaml) unless out/sentiment-lstm exists, quantises it with
# `lepton compress --quantize dynamic` and runs python/dynamic_bench.py: Lepton fp32 and dynamic int8
# beside PyTorch fp32 and quantize_dynamic, in interleaved rounds, all at THREADS threads (default 1);
# then the same for the Transformer classifier (examples/sentiment-transformer.yaml), Lepton only.
#   scripts/bench_dynamic.sh                  # THREADS=1, ROUNDS=5, SECONDS_PER_MODEL=2
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
THREADS=${THREADS:-1}
[ -d out/sentiment-lstm ] || "$LEPTON" train examples/sentiment-lstm.yaml
"$LEPTON" compress out/sentiment-lstm --out out/sentiment-lstm-dynamic --quantize dynamic --overwrite
"$LEPTON" compress out/sentiment-lstm --out out/sentiment-lstm-dynamic-7bit --quantize dynamic --reduce-range --overwrite
"$LEPTON" inspect out/sentiment-lstm-dynamic
python3 python/dynamic_bench.py --lepton "$LEPTON" --fp32 out/sentiment-lstm --int8 out/sentiment-lstm-dynamic \
    --int8-narrow out/sentiment-lstm-dynamic-7bit \
    --config examples/sentiment-lstm.yaml --threads "$THREADS" --rounds "${ROUNDS:-5}" --seconds "${SECONDS_PER_MODEL:-2}"
# The Transformer classifier (examples/sentiment-transformer.yaml): its attention projections and
# feed-forward products in dynamic int8 (PyTorch's quantize_dynamic keeps nn.MultiheadAttention in
# float32, so no peer here), Lepton fp32 against int8 in interleaved rounds.
[ -d out/sentiment-transformer ] || "$LEPTON" train examples/sentiment-transformer.yaml
"$LEPTON" compress out/sentiment-transformer --out out/sentiment-transformer-dynamic --quantize dynamic --overwrite
"$LEPTON" compress-bench out/sentiment-transformer out/sentiment-transformer-dynamic --data examples/sentiment-transformer.yaml \
    --threads "$THREADS" --rounds "${ROUNDS:-5}" --seconds "${SECONDS_PER_MODEL:-2}"
