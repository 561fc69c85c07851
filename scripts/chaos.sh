#!/usr/bin/env bash
# Chaos benchmark of `lepton serve`: 64 clients of good inference requests mixed with 10 %
# hostile ones (malformed JSON, lying shapes and datatypes, oversized bodies, truncated binary
# tensors, gzip bombs, slow senders, clients that disconnect mid-body) for 10 minutes, against
# the MNIST MLP (examples/mnist-mlp.yaml, one epoch). Passes when every good request is
# answered correctly, every bad one gets a 4xx, the server never dies and its RSS grows < 5 %
# after the warm-up (python/chaos.py checks and prints all of it).
#
#   scripts/chaos.sh [SECONDS]    (default 600; LEPTON_CHAOS_CLIENTS, default 64;
#                                  LEPTON_CHAOS_WARMUP, default 60 s or a tenth of a short run;
#                                  LEPTON_CHAOS_BAD_FRACTION, default 0.1;
#                                  LEPTON_CHAOS_KINDS, hostile kinds to send, comma-separated,
#                                  default all: malformed-json lying-shape lying-dtype oversized
#                                  truncated-binary gzip-bomb slow-sender disconnect)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL="${1:-600}"
CLIENTS="${LEPTON_CHAOS_CLIENTS:-64}"
WARMUP="${LEPTON_CHAOS_WARMUP:-$(( SECONDS_TOTAL >= 600 ? 60 : SECONDS_TOTAL / 10 ))}"
if ! [[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] || [ "$SECONDS_TOTAL" -lt 5 ]; then
  echo "error: SECONDS must be a whole number of at least 5, got '$SECONDS_TOTAL'" >&2; exit 2
fi
[ -x .build/release/lepton ] || swift build -c release --product lepton >/dev/null
LEPTON=.build/release/lepton
MNIST="${LEPTON_DATA_DIR:-../shared/datasets}/mnist"
WORK="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "==> training the MNIST MLP for one epoch"
"$LEPTON" train examples/mnist-mlp.yaml --epochs 1 --output "$WORK/models/mnist/1" --threads 1 | tail -1
python3 python/serve_bench_prepare.py images "$MNIST" 500 "$WORK/images.npy"
"$LEPTON" predict "$WORK/models/mnist/1" "$WORK/images.npy" > "$WORK/predictions.jsonl"

MAX_BODY=$((8 << 20))
"$LEPTON" serve --repository "$WORK/models" --port 0 --port-file "$WORK/port" --threads 1 --log-level error \
  --max-body-bytes "$MAX_BODY" --max-inflated-bytes "$MAX_BODY" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.1; done

echo "==> $CLIENTS clients for $SECONDS_TOTAL s against port $PORT (server pid $SERVER)"
status=0
python3 python/chaos.py "$PORT" "$SERVER" "$WORK/images.npy" "$WORK/predictions.jsonl" --seconds "$SECONDS_TOTAL" \
  --clients "$CLIENTS" --warmup "$WARMUP" --bad-fraction "${LEPTON_CHAOS_BAD_FRACTION:-0.1}" --max-body-bytes "$MAX_BODY" --max-inflated-bytes "$MAX_BODY" \
  ${LEPTON_CHAOS_KINDS:+--kinds "$LEPTON_CHAOS_KINDS"} || status=$?
if ! kill -0 "$SERVER" 2>/dev/null; then echo "the server died:"; tail -20 "$WORK/server.log"; exit 1; fi
exit $status
