#!/usr/bin/env bash
# The deployment benchmark of issue 16 (docs/BENCHMARKS.md, "Deployments"), in one run on
# loopback: a platform in a temporary folder, the MNIST CNN pushed as model `mnist` (versions 1
# and 2, the same weights), then
#   1. router overhead: wrk with 64 connections straight to one replica's `lepton serve` and
#      through the platform's router (/deployments/bench/v2/…), alternating, REPEATS runs of
#      SECONDS each; p50 / p99 / req/s of the median run and the added p50;
#   2. a rolling update (version 1 → 2) and a canary (50 %, then promoted) while wrk keeps 64
#      connections busy: failed requests (goal 0) and latency;
#   3. autoscaling: a deployment with 0…4 replicas, a target of TARGET_RPS req/s per replica and
#      scale to zero after 10 s idle, driven by python/deploy_autoscale_bench.py (1 client, then
#      64, then none): cold-start latency, time to scale up, time to zero.
# Every answer is checked (status 200, the request's id, the class `lepton predict` gave).
#   scripts/bench_deploy.sh [MODEL_FOLDER]     # DEPLOY_BENCH_SECONDS=5 REPEATS=3 TARGET_RPS=200
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON=.build/release/lepton
[ -x "$LEPTON" ] || { echo "error: $LEPTON not found; run swift build -c release first" >&2; exit 1; }
LEPTON="$PWD/$LEPTON"
MODEL="${1:-out/mnist-cnn}"
if [ ! -f "$MODEL/model.json" ]; then
  MODEL=out/mnist-cnn-bench
  [ -f "$MODEL/model.json" ] || "$LEPTON" train examples/mnist-cnn.yaml --epochs 1 --output "$MODEL" | tail -2
fi
SECONDS_PER_RUN="${DEPLOY_BENCH_SECONDS:-5}"
REPEATS="${REPEATS:-3}"
TARGET_RPS="${TARGET_RPS:-200}"
MNIST="${LEPTON_DATA_DIR:-../shared/datasets}/mnist"

WORK="$(mktemp -d)"
PLATFORM_PID=""
cleanup() {
  if [ -n "$PLATFORM_PID" ]; then kill -TERM "$PLATFORM_PID" 2>/dev/null || true; wait "$PLATFORM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 python/serve_bench_prepare.py images "$MNIST" 1000 "$WORK/images.npy"
"$LEPTON" predict "$MODEL" "$WORK/images.npy" > "$WORK/predictions.jsonl"
python3 python/serve_bench_prepare.py requests "$WORK/images.npy" "$WORK/predictions.jsonl" "$WORK"

token=$("$LEPTON" platform init --data "$WORK/data" | awk '/admin key:/ {print $3}')
"$LEPTON" platform serve --data "$WORK/data" --port 0 --port-file "$WORK/port" --log-format json > "$WORK/platform.log" 2>&1 &
PLATFORM_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export LEPTON_URL="http://127.0.0.1:$(cat "$WORK/port")" LEPTON_TOKEN="$token"
"$LEPTON" model push "$MODEL" --name mnist >/dev/null
"$LEPTON" model push "$MODEL" --name mnist >/dev/null

api() { curl -sf -H "Authorization: Bearer $token" "$LEPTON_URL$1"; }
wait_ready() {  # name, replicas
  for _ in $(seq 1 600); do
    ready=$(api "/api/v1/deployments/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ready_replicas"])')
    [ "$ready" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "deployment $1 did not get $2 ready replicas"; exit 1
}
run_wrk() {  # url path clients seconds
  LEPTON_BENCH_DIR="$WORK" LEPTON_BENCH_PATH="$2" LEPTON_BENCH_MAX_REQUESTS=10000000 \
    wrk -t 1 -c "$3" -d "$4s" --timeout 10s -s scripts/serve_load.lua "$1" | grep '^RESULT'
}

echo "==> 1. router overhead (64 connections, $REPEATS x $SECONDS_PER_RUN s each way)"
"$LEPTON" deploy create bench --model mnist:1 --min-replicas 1 --max-replicas 1 --public >/dev/null
wait_ready bench 1
replica_port=$(api /api/v1/deployments/bench | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["replicas"] if r["phase"] == "ready"][0]["port"])')
run_wrk "http://127.0.0.1:$replica_port" /v2/models/mnist/infer 16 2 >/dev/null
run_wrk "$LEPTON_URL" /deployments/bench/v2/models/mnist/infer 16 2 >/dev/null
: > "$WORK/overhead.txt"
for repeat in $(seq 1 "$REPEATS"); do
  echo "way=direct $(run_wrk "http://127.0.0.1:$replica_port" /v2/models/mnist/infer 64 "$SECONDS_PER_RUN")" | tee -a "$WORK/overhead.txt"
  echo "way=router $(run_wrk "$LEPTON_URL" /deployments/bench/v2/models/mnist/infer 64 "$SECONDS_PER_RUN")" | tee -a "$WORK/overhead.txt"
done

echo "==> 2. rolling update and canary under 64 connections"
run_wrk "$LEPTON_URL" /deployments/bench/v2/models/mnist/infer 64 20 > "$WORK/rollout.txt" &
wrk_pid=$!
sleep 4
start=$(date +%s.%N)
"$LEPTON" deploy update bench --model mnist:2 >/dev/null
echo "rolling update 1 -> 2 took $(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}') s"
wait "$wrk_pid"
echo "during the rolling update: $(cat "$WORK/rollout.txt")"
run_wrk "$LEPTON_URL" /deployments/bench/v2/models/mnist/infer 64 20 > "$WORK/canary.txt" &
wrk_pid=$!
sleep 3
"$LEPTON" deploy canary bench --model mnist:1 --percent 50 >/dev/null
sleep 6
"$LEPTON" deploy promote bench >/dev/null
wait "$wrk_pid"
echo "during canary 50 % then promote: $(cat "$WORK/canary.txt")"
"$LEPTON" deploy rm bench >/dev/null

echo "==> 3. autoscaling: 0…4 replicas, $TARGET_RPS req/s per replica, scale to zero after 10 s"
"$LEPTON" deploy create auto --model mnist:1 --min-replicas 0 --max-replicas 4 --target-rps "$TARGET_RPS" \
    --scale-to-zero-after 10 --public >/dev/null
python3 python/deploy_autoscale_bench.py --url "$LEPTON_URL" --token "$token" --name auto --requests "$WORK" \
    --clients 64 --low-seconds 10 --high-seconds 30 --idle-limit 120 --csv "$WORK/autoscale.csv"
mkdir -p out
cp "$WORK/autoscale.csv" out/deploy-autoscale.csv

python3 - "$WORK/overhead.txt" "$WORK/rollout.txt" "$WORK/canary.txt" <<'PY'
import re, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r"(\w+)=([\w.]+)", line))
    runs.setdefault(f["way"], []).append(f)
median = lambda fs: sorted(fs, key=lambda f: float(f["p50_ms"]))[len(fs) // 2]
print("\n| 64 connections | req/s | p50 ms | p99 ms | failed |")
print("|---|---:|---:|---:|---:|")
errors = lambda f: int(f["non200"]) + int(f["wrong"]) + sum(int(f[k]) for k in ("connect", "read", "write", "timeout"))
for way in ("direct", "router"):
    m = median(runs[way])
    print(f"| {way} | {float(m['rps']):,.0f} | {float(m['p50_ms']):.2f} | {float(m['p99_ms']):.2f} | {sum(errors(f) for f in runs[way])} |")
print(f"\nadded p50 through the router: {float(median(runs['router'])['p50_ms']) - float(median(runs['direct'])['p50_ms']):.2f} ms "
      f"(per repeat: {', '.join('%.2f' % (float(r['p50_ms']) - float(d['p50_ms'])) for d, r in zip(runs['direct'], runs['router']))})")
bad = 0
for label, path in (("rolling update", sys.argv[2]), ("canary + promote", sys.argv[3])):
    f = dict(re.findall(r"(\w+)=([\w.]+)", open(path).read()))
    print(f"{label}: {f['requests']} requests, {errors(f)} failed, p50 {float(f['p50_ms']):.2f} ms, p99 {float(f['p99_ms']):.2f} ms")
    bad += errors(f)
bad += sum(errors(f) for fs in runs.values() for f in fs)
if bad:
    sys.exit(f"FAILED: {bad} failed requests")
PY
