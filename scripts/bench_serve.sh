#!/usr/bin/env bash
# Load benchmark of `lepton serve` on loopback: the MNIST CNN (examples/mnist-cnn.yaml) answering
# single-sample binary V2 requests from wrk at 1, 16 and 64 concurrent clients, with dynamic
# batching on and off. Every answer is checked (status 200, echoed id, argmax equal to the class
# `lepton predict` gives for that image). Each run is bounded in time (wrk -d) and in count
# (a cap of answers that a run must not reach; a capped run fails the benchmark).
#
# A third server answers the same requests with a model that computes nothing (ONNX Reshape +
# Slice) at 64 clients: its throughput is the ceiling of any model on this HTTP path and
# machine, and its server CPU per request is the cost of the path itself (HTTP, codec, batcher).
# Besides the server's CPU, each run reports the whole machine's (server + wrk + the rest).
#
#   scripts/bench_serve.sh [MODEL_FOLDER]
#
# MODEL_FOLDER defaults to out/mnist-cnn (scripts/main.sh writes it); when missing, the CNN is
# trained for one epoch into out/mnist-cnn-bench first. Environment: LEPTON_BENCH_SECONDS
# (duration of each run, default 5), LEPTON_BENCH_REPEATS (runs per cell, default 3; the median
# is shown), LEPTON_BENCH_MAX_REQUESTS (cap per run, default 500000),
# LEPTON_BENCH_SERVER_THREADS (CPU threads of the server, default 1), LEPTON_BENCH_SERVER_FLAGS
# (more `lepton serve` flags for every server, e.g. "--io-threads 2"), LEPTON_BENCH_PORT (8731;
# the batching-off server listens on the next port).
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
DURATION="${LEPTON_BENCH_SECONDS:-5}"
REPEATS="${LEPTON_BENCH_REPEATS:-3}"
THREADS="${LEPTON_BENCH_SERVER_THREADS:-1}"
read -r -a EXTRA_FLAGS <<< "${LEPTON_BENCH_SERVER_FLAGS:-}"
PORT="${LEPTON_BENCH_PORT:-8731}"
MNIST="${LEPTON_DATA_DIR:-../shared/datasets}/mnist"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/models/mnist"
cp -r "$MODEL" "$WORK/models/mnist/1"
python3 python/serve_bench_prepare.py images "$MNIST" 1000 "$WORK/images.npy"
"$LEPTON" predict "$MODEL" "$WORK/images.npy" > "$WORK/predictions.jsonl"
python3 python/serve_bench_prepare.py requests "$WORK/images.npy" "$WORK/predictions.jsonl" "$WORK"
mkdir -p "$WORK/null-models/mnist/1"
python3 python/serve_bench_prepare.py null-model "$WORK/null-models/mnist/1/model.onnx"

PIDS=()
start_server() {  # port, repository, extra flags
  "$LEPTON" serve --repository "$2" --port "$1" --threads "$THREADS" --log-level warning "${EXTRA_FLAGS[@]}" "${@:3}" \
    > "$WORK/server-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do
    if curl -sf "http://127.0.0.1:$1/v2/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/server-$1.log"; exit 1
}

run_wrk() {  # port clients seconds
  LEPTON_BENCH_DIR="$WORK" LEPTON_BENCH_MAX_REQUESTS="$CAP" \
    wrk -t 1 -c "$2" -d "$3s" --timeout 10s -s scripts/serve_load.lua "http://127.0.0.1:$1" \
    | grep '^RESULT'
}

# Both servers run side by side (an idle one costs nothing) and the runs alternate between them,
# REPEATS times per cell, so load from elsewhere on the machine hits both alike; the table shows
# the median run of each cell.
start_server "$PORT" "$WORK/models"                          # batching on (the defaults: batches of up to 64, 500 µs delay)
start_server "$((PORT + 1))" "$WORK/models" --no-batching    # batching off
start_server "$((PORT + 2))" "$WORK/null-models"             # a model that computes nothing, batching on
run_wrk "$PORT" 16 2 >/dev/null; run_wrk "$((PORT + 1))" 16 2 >/dev/null   # warm-up
LEPTON_BENCH_CHECK_CLASS=0 run_wrk "$((PORT + 2))" 16 2 >/dev/null
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
RESULTS="$WORK/results.txt"
: > "$RESULTS"
for repeat in $(seq 1 "$REPEATS"); do
  for clients in 1 16 64; do
    for mode in on off null; do
      if [ "$mode" = null ] && [ "$clients" != 64 ]; then continue; fi
      port=$PORT; pid=${PIDS[0]}; check=1
      if [ "$mode" = off ]; then port=$((PORT + 1)); pid=${PIDS[1]}; fi
      if [ "$mode" = null ]; then port=$((PORT + 2)); pid=${PIDS[2]}; check=0; fi
      ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")   # the server's CPU time (user + system)
      busy0=$(busy_ticks)
      line="$(LEPTON_BENCH_CHECK_CLASS=$check run_wrk "$port" "$clients" "$DURATION")"
      ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      busy1=$(busy_ticks)
      echo "batching=$mode clients=$clients repeat=$repeat cpu_ticks=$((ticks1 - ticks0)) busy_ticks=$((busy1 - busy0)) $line" | tee -a "$RESULTS"
    done
  done
done
for pid in "${PIDS[@]}"; do kill -TERM "$pid"; wait "$pid"; done
PIDS=()

python3 - "$RESULTS" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r"(\w+)=([\w.]+)", line))
    runs.setdefault((f["batching"], int(f["clients"])), []).append(f)
def median_run(fs):
    return sorted(fs, key=lambda f: float(f["rps"]))[len(fs) // 2]
socket = lambda f: sum(int(f[k]) for k in ("connect", "read", "write", "timeout"))
print()
import os
tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
cpu = lambda fs, key="cpu_ticks": sum(int(f[key]) for f in fs) * tick_ms / max(1, sum(int(f["requests"]) for f in fs))
print("| clients | batching | req/s (median) | p50 ms | p99 ms | server CPU ms / request | machine CPU ms / request | requests (all runs) | non-200 / wrong / socket errors |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
for c in (1, 16, 64):
    for mode in ("on", "off"):
        fs = runs[(mode, c)]
        m = median_run(fs)
        total = sum(int(f["requests"]) for f in fs)
        errors = f"{sum(int(f['non200']) for f in fs)} / {sum(int(f['wrong']) for f in fs)} / {sum(socket(f) for f in fs)}"
        print(f"| {c} | {mode} | {float(m['rps']):,.0f} | {float(m['p50_ms']):.2f} | {float(m['p99_ms']):.2f} | {cpu(fs):.3f} | {cpu(fs, 'busy_ticks'):.3f} | {total:,} | {errors} |")
on, off = float(median_run(runs[("on", 64)])["rps"]), float(median_run(runs[("off", 64)])["rps"])
print(f"\nbatching on / off at 64 clients: {on / off:.2f}x (per-run ratios: "
      + ", ".join(f"{float(a['rps']) / float(b['rps']):.2f}" for a, b in zip(runs[("on", 64)], runs[("off", 64)])) + ")")
print(f"server CPU per request at 64 clients, off / on: {cpu(runs[('off', 64)]) / cpu(runs[('on', 64)]):.2f}x")
null = runs[("null", 64)]
print(f"a model that computes nothing, batching on, 64 clients: {float(median_run(null)['rps']):,.0f} req/s (runs: "
      + ", ".join(f"{float(f['rps']):,.0f}" for f in null) + f"), server CPU {cpu(null):.3f} ms / request, machine "
      f"{cpu(null, 'busy_ticks'):.3f}: the ceiling of any model here, {float(median_run(null)['rps']) / off:.2f}x batching off of the CNN")
bad = [k for k, fs in runs.items() for f in fs if int(f["non200"]) or int(f["wrong"]) or int(f["answered"]) != int(f["requests"])
       or int(f["capped"]) or socket(f)]
if bad:
    print(f"FAILED: lost, wrong or capped runs: {sorted(set(bad))}")
    sys.exit(1)
PY
