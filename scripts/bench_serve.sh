#!/usr/bin/env bash
# Load benchmark of `lepton serve` on loopback: the MNIST CNN (examples/mnist-cnn.yaml) answering
# single-sample binary V2 requests from wrk at 1, 16 and 64 concurrent clients, with dynamic
# batching on and off. Every answer is checked (status 200, echoed id, argmax equal to the class
# `lepton predict` gives for that image). Each run is bounded in time (wrk -d) and in count
# (a cap of answers that a run must not reach; a capped run fails the benchmark).
#
#   scripts/bench_serve.sh [MODEL_FOLDER]
#
# MODEL_FOLDER defaults to out/mnist-cnn (scripts/main.sh writes it); when missing, the CNN is
# trained for one epoch into out/mnist-cnn-bench first. Environment: LEPTON_BENCH_SECONDS
# (duration of each run, default 10), LEPTON_BENCH_MAX_REQUESTS (cap per run, default 500000),
# LEPTON_BENCH_SERVER_THREADS (CPU threads of the server, default 1), LEPTON_BENCH_PORT (8731).
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON_SKIP_BUILD=1 scripts/setup.sh
swift build -c release --product lepton >/dev/null
LEPTON=.build/release/lepton
MODEL="${1:-out/mnist-cnn}"
if [ ! -f "$MODEL/model.json" ]; then
  MODEL=out/mnist-cnn-bench
  if [ ! -f "$MODEL/model.json" ]; then
    echo "==> training the MNIST CNN for one epoch into $MODEL"
    "$LEPTON" train examples/mnist-cnn.yaml --epochs 1 --output "$MODEL" | tail -2
  fi
fi
CAP="${LEPTON_BENCH_MAX_REQUESTS:-500000}"
DURATION="${LEPTON_BENCH_SECONDS:-10}"
THREADS="${LEPTON_BENCH_SERVER_THREADS:-1}"
PORT="${LEPTON_BENCH_PORT:-8731}"
MNIST="${LEPTON_DATA_DIR:-../shared/datasets}/mnist"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/models/mnist"
cp -r "$MODEL" "$WORK/models/mnist/1"
python3 python/serve_bench_prepare.py images "$MNIST" 1000 "$WORK/images.npy"
"$LEPTON" predict "$MODEL" "$WORK/images.npy" > "$WORK/predictions.jsonl"
python3 python/serve_bench_prepare.py requests "$WORK/images.npy" "$WORK/predictions.jsonl" "$WORK"

start_server() {
  "$LEPTON" serve --repository "$WORK/models" --port "$PORT" --threads "$THREADS" --log-level warning "$@" \
    > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/server.log"; exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID"
  SERVER_PID=""
}

run_wrk() {  # clients seconds
  LEPTON_BENCH_DIR="$WORK" LEPTON_BENCH_MAX_REQUESTS="$CAP" \
    wrk -t 1 -c "$1" -d "$2s" --timeout 10s -s scripts/serve_load.lua "http://127.0.0.1:$PORT" \
    | grep '^RESULT'
}

RESULTS="$WORK/results.txt"
: > "$RESULTS"
for mode in on off; do
  if [ "$mode" = on ]; then start_server; else start_server --no-batching; fi
  run_wrk 16 2 >/dev/null   # warm-up
  for clients in 1 16 64; do
    line="$(run_wrk "$clients" "$DURATION")"
    echo "batching=$mode clients=$clients $line" | tee -a "$RESULTS"
  done
  stop_server
done

python3 - "$RESULTS" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r"(\w+)=([\w.]+)", line))
    rows[(f["batching"], int(f["clients"]))] = f
print()
print("| clients | batching | req/s | p50 ms | p99 ms | requests | errors (non-200, wrong, socket) |")
print("|---:|---|---:|---:|---:|---:|---|")
for c in (1, 16, 64):
    for mode in ("on", "off"):
        f = rows[(mode, c)]
        socket = sum(int(f[k]) for k in ("connect", "read", "write", "timeout"))
        print(f"| {c} | {mode} | {float(f['rps']):,.0f} | {float(f['p50_ms']):.2f} | {float(f['p99_ms']):.2f} | "
              f"{int(f['requests']):,} | {f['non200']}, {f['wrong']}, {socket} |")
on, off = float(rows[("on", 64)]["rps"]), float(rows[("off", 64)]["rps"])
print(f"\nbatching on / off at 64 clients: {on / off:.2f}x")
bad = [k for k, f in rows.items() if int(f["non200"]) or int(f["wrong"]) or int(f["answered"]) != int(f["requests"])
       or int(f["capped"]) or sum(int(f[x]) for x in ("connect", "read", "write", "timeout"))]
if bad:
    print(f"FAILED: lost, wrong or capped runs: {bad}")
    sys.exit(1)
PY
