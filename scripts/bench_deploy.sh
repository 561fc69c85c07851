#!/usr/bin/env bash
# Benchmark of deployments (`lepton deploy`) on loopback, on a fresh platform in a temporary folder,
# with a small MNIST MLP (two versions, trained by two platform jobs on 2,048 images):
#  - router overhead: p50/p99 and requests/s through /deployments/NAME/v2/… vs straight to the one
#    `lepton serve` replica, at 1 and 64 clients (wrk, JSON requests of one 28×28 image);
#  - autoscaling on queue depth (target 16 in flight per replica, 1…4 replicas, scale to zero after
#    10 s idle): replicas over time under 1 → 64 → 0 clients, time to scale up, time to zero, and
#    the latency of the cold request that follows;
#  - a rolling update, then a 20 % canary and its promotion, under 64 clients: failed requests
#    (non-2xx and socket errors) and latency.
#
#   scripts/bench_deploy.sh
#
# The one-client overhead runs also go through nginx (a reverse proxy with kept-alive upstream
# connections to the same replica) as the reference of what a proxy hop costs on the machine.
#
# Environment: LEPTON_BENCH_BUILD (release, or debug to reuse a debug build), LEPTON_DATA_DIR
# (folder with mnist/, default ../shared/datasets), LEPTON_BENCH_PORT (8751), LEPTON_BENCH_SECONDS
# (each overhead run, default 5), LEPTON_BENCH_REPEAT (one-client overhead runs, direct and routed
# interleaved, default 5; their median added p50 is printed: single runs scatter on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${LEPTON_BENCH_BUILD:-release}"
swift build -c "$BUILD" --product lepton >/dev/null
LEPTON="$PWD/.build/$BUILD/lepton"
MNIST="$(cd "${LEPTON_DATA_DIR:-../shared/datasets}/mnist" && pwd)"
PORT="${LEPTON_BENCH_PORT:-8751}"
SECONDS_PER_RUN="${LEPTON_BENCH_SECONDS:-5}"
REPEAT="${LEPTON_BENCH_REPEAT:-5}"
WORK="$(mktemp -d)"
SERVER=""
NGINX=""
trap 'kill "$SERVER" $NGINX 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"

KEY="$("$LEPTON" platform init --data data | sed -n 's/^admin key: //p')"
"$LEPTON" platform serve --data data --port "$PORT" --slots 1 --log-level warning 2>serve.log >serve.out &
SERVER=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
export LEPTON_URL="$URL" LEPTON_TOKEN="$KEY" LEPTON_CONFIG_DIR="$WORK/config"
AUTH="Authorization: Bearer $KEY"

echo "==> registering two versions of mnist-mlp (two platform jobs)"
INPUTS=()
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  "$LEPTON" dataset push "$MNIST/$f.gz" --name "mnist-$f" >/dev/null
  INPUTS+=(--input "mnist/$f.gz=mnist-$f")
done
for epochs in 1 2; do
  cat >mlp.yaml <<YAML
dataset: {name: mnist, train_limit: 2048}
model:
  input_shape: [28, 28, 1]
  layers: [{type: Flatten}, {type: Dense, units: 64, activation: relu}, {type: Dense, units: 10, activation: softmax}]
optimizer: {name: adam, learning_rate: 0.001}
loss: sparse_categorical_crossentropy
epochs: $epochs
batch_size: 64
YAML
  job="$("$LEPTON" job submit mlp.yaml --model-name mnist-mlp "${INPUTS[@]}" | awk '{print $2}')"
  "$LEPTON" job logs "$job" --follow | tail -1
done

python3 -c "import json; print(json.dumps({'inputs': [{'name': 'input', 'shape': [1, 28, 28, 1], 'datatype': 'FP32', 'data': [0.5] * 784}]}))" >req.json
cat >post.lua <<'LUA'
wrk.method = "POST"
local f = io.open("req.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
LUA
run_wrk() {  # label clients seconds url
  local out
  out="$(wrk -t1 -c"$2" -d"$3s" --timeout 30s --latency -s post.lua "$4")"
  local p50 p99 rps non2xx errors
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  non2xx="$(echo "$out" | awk '/Non-2xx/ {print $5}')"
  errors="$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')"
  printf '| %-34s | %7s | %9s | %9s | %9s | %s |\n' "$1" "$2" "$p50" "$p99" "$rps" "$(( ${non2xx:-0} + ${errors:-0} ))"
}
status() { curl -sf -H "$AUTH" "$URL/api/v1/deployments/$1"; }
ready() { status "$1" | python3 -c "import json, sys; print(json.load(sys.stdin)['ready_replicas'])"; }
wait_ready() {  # name count
  for _ in $(seq 600); do [ "$(ready "$1")" -ge "$2" ] && return; sleep 0.1; done
  echo "$1: not $2 ready replicas" >&2; exit 1
}

echo
echo "Router overhead (${SECONDS_PER_RUN} s per run, wrk -t1, one replica, $BUILD build):"
echo "| path                               | clients |       p50 |       p99 |     req/s | failed |"
echo "|------------------------------------|---------|-----------|-----------|-----------|--------|"
"$LEPTON" deploy create direct --model mnist-mlp:1 --public >/dev/null
wait_ready direct 1
REPLICA_PORT="$(status direct | python3 -c "import json, sys; print(json.load(sys.stdin)['replicas'][0]['port'])")"
NGINX_PORT=$((PORT + 1))
mkdir -p nginx
cat >nginx/nginx.conf <<CONF
worker_processes 1;
daemon off;
error_log $WORK/nginx/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy; fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  upstream replica { server 127.0.0.1:$REPLICA_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://replica; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  PATH="$PATH:/usr/sbin" nginx -c "$WORK/nginx/nginx.conf" 2>/dev/null &
  NGINX=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/v2/health/ready" && break; sleep 0.1; done
fi
run_wrk "warm-up" 16 2 "$URL/deployments/direct/v2/models/mnist-mlp/infer" >/dev/null
for clients in 1 64; do
  run_wrk "straight to the replica" "$clients" "$SECONDS_PER_RUN" "http://127.0.0.1:$REPLICA_PORT/v2/models/mnist-mlp/infer"
  run_wrk "through the router" "$clients" "$SECONDS_PER_RUN" "$URL/deployments/direct/v2/models/mnist-mlp/infer"
  if [ -n "$NGINX" ]; then run_wrk "through nginx (reference proxy)" "$clients" "$SECONDS_PER_RUN" "http://127.0.0.1:$NGINX_PORT/v2/models/mnist-mlp/infer"; fi
done
p50_ms() { wrk -t1 -c1 -d"$SECONDS_PER_RUN"s --latency -s post.lua "$1" | awk '$1 == "50%" {v = $2; if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000}'; }
ADDED=() PROXY=()
for _ in $(seq "$REPEAT"); do
  direct="$(p50_ms "http://127.0.0.1:$REPLICA_PORT/v2/models/mnist-mlp/infer")"
  routed="$(p50_ms "$URL/deployments/direct/v2/models/mnist-mlp/infer")"
  ADDED+=("$(python3 -c "print(f'{$routed - $direct:.2f}')")")
  if [ -n "$NGINX" ]; then
    proxied="$(p50_ms "http://127.0.0.1:$NGINX_PORT/v2/models/mnist-mlp/infer")"
    PROXY+=("$(python3 -c "print(f'{$proxied - $direct:.2f}')")")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "added p50 at 1 client over $REPEAT interleaved runs (ms): ${ADDED[*]}; median $(median "${ADDED[@]}")"
if [ -n "$NGINX" ]; then
  echo "the same through nginx $(PATH="$PATH:/usr/sbin" nginx -v 2>&1 | sed 's/.*nginx\///') (reverse proxy, kept-alive upstream): ${PROXY[*]}; median $(median "${PROXY[@]}")"
  kill "$NGINX" 2>/dev/null || true; NGINX=""
else
  echo "(nginx is not installed: scripts/setup.sh installs it for the reference proxy row)"
fi
"$LEPTON" deploy rm direct >/dev/null

echo
echo "Autoscaling (queue depth target 16 per replica, 1…4 replicas, to zero after 10 s idle): 1 client 10 s, 64 clients 20 s, then none"
"$LEPTON" deploy create auto --model mnist-mlp:1 --public --min-replicas 1 --max-replicas 4 --target-queue-depth 16 --scale-to-zero-after 10 >/dev/null
wait_ready auto 1
python3 - "$URL" "$KEY" >timeline.txt <<'PY' &
import json, sys, time, urllib.request
url, key = sys.argv[1], sys.argv[2]
start = time.time()
while time.time() - start < 75:
    request = urllib.request.Request(f"{url}/api/v1/deployments/auto", headers={"Authorization": f"Bearer {key}"})
    status = json.load(urllib.request.urlopen(request))
    print(f"{time.time() - start:.1f} {status['ready_replicas']} {len(status['replicas'])}", flush=True)
    time.sleep(0.5)
PY
SAMPLER=$!
T0="$(date +%s.%N)"
run_wrk "1 client" 1 10 "$URL/deployments/auto/v2/models/mnist-mlp/infer" >step1.txt
T1="$(date +%s.%N)"
run_wrk "64 clients" 64 20 "$URL/deployments/auto/v2/models/mnist-mlp/infer" >step2.txt
T2="$(date +%s.%N)"
for _ in $(seq 600); do [ "$(status auto | python3 -c "import json, sys; print(len(json.load(sys.stdin)['replicas']))")" = 0 ] && break; sleep 0.1; done
T3="$(date +%s.%N)"
COLD="$(curl -s -o /dev/null -w '%{time_total} %{http_code}' -d @req.json "$URL/deployments/auto/v2/models/mnist-mlp/infer")"
wait "$SAMPLER" 2>/dev/null || true
cat step1.txt step2.txt
python3 - "$T0" "$T1" "$T2" "$T3" "$COLD" timeline.txt <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5]); cold, code = sys.argv[5].split()
rows = [tuple(float(x) for x in line.split()) for line in open(sys.argv[6]) if line.strip()]
step = t1 - t0
up = next((t for t, ready, _ in rows if t >= step and ready >= 2), None)
full = next((t for t, ready, _ in rows if t >= step and ready == max(r for _, r, _ in rows)), None)
print(f"time to a second replica after the step to 64 clients: {up - step:.1f} s" if up else "no second replica")
print(f"time to the most replicas ({int(max(r for _, r, _ in rows))}): {full - step:.1f} s" if full else "")
print(f"time to zero replicas after the load stopped: {t3 - t2:.1f} s")
print(f"cold request after scale to zero: {float(cold) * 1000:.0f} ms (status {code})")
print("replicas over time (s: ready/total):", " ".join(f"{t:.0f}:{int(r)}/{int(n)}" for t, r, n in rows[::4]))
PY
"$LEPTON" deploy rm auto >/dev/null

echo
echo "Rolling update at 3 s, 20 % canary at 12 s, promoted at 18 s, under 64 clients for 25 s (two replicas):"
"$LEPTON" deploy create roll --model mnist-mlp:1 --public --min-replicas 2 --max-replicas 2 >/dev/null
wait_ready roll 2
echo "| run                                | clients |       p50 |       p99 |     req/s | failed |"
echo "|------------------------------------|---------|-----------|-----------|-----------|--------|"
run_wrk "update + canary + promote" 64 25 "$URL/deployments/roll/v2/models/mnist-mlp/infer" &
LOAD=$!
sleep 3; "$LEPTON" deploy update roll --model mnist-mlp:2 >/dev/null
sleep 9; "$LEPTON" deploy canary roll --model mnist-mlp:1 --percent 20 >/dev/null
sleep 6; "$LEPTON" deploy promote roll >/dev/null
wait "$LOAD"
curl -sf -H "$AUTH" "$URL/api/v1/deployments/roll/events" | python3 -c "
import json, sys
for event in json.load(sys.stdin)['events']:
    if event['kind'] in ('rollout', 'canary', 'promoted', 'replica.ready', 'replica.stopped'):
        print(event['time'][11:19], event['kind'], event['message'])"
