#!/usr/bin/env bash
# The main job: set up the machine, build Lepton in release mode, train the reference CNN on
# MNIST (Keras-style progress, test accuracy at the end), save it to out/mnist-cnn, then serve it
# with `lepton serve` and answer one curl request.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.build/release/lepton train examples/mnist-cnn.yaml --overwrite "$@"

# Serve the trained model: a model repository (out/models/mnist/1), `lepton serve` in the
# background, one V2 inference request with curl for the first test image, then SIGTERM.
MODEL="${LEPTON_MAIN_MODEL:-out/mnist-cnn}"
PORT="${LEPTON_SERVE_PORT:-8000}"
rm -rf out/models && mkdir -p out/models/mnist && cp -r "$MODEL" out/models/mnist/1
.build/release/lepton serve --repository out/models --port "$PORT" > out/serve.log 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.1; done
LABEL=$(python3 python/serve_request.py "${LEPTON_DATA_DIR:-../shared/datasets}/mnist" 0 out/mnist-request.json)
echo "\$ curl -s -X POST http://127.0.0.1:$PORT/v2/models/mnist/infer -H 'Content-Type: application/json' -d @out/mnist-request.json"
ANSWER=$(curl -s -X POST "http://127.0.0.1:$PORT/v2/models/mnist/infer" -H 'Content-Type: application/json' -d @out/mnist-request.json)
echo "$ANSWER"
python3 -c 'import json,sys; d=json.loads(sys.argv[1])["outputs"][0]["data"]; c=max(range(len(d)),key=d.__getitem__); print(f"predicted class {c} (p = {d[c]:.4f}); label {sys.argv[2]}")' "$ANSWER" "$LABEL"
kill -TERM $SERVER && wait $SERVER
trap - EXIT
echo "Server stopped (SIGTERM)."
