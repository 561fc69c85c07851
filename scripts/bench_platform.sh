#!/usr/bin/env bash
# Benchmark of `lepton platform serve` on loopback, on a fresh data folder in a temporary folder:
#  - API latency at 32 concurrent clients (wrk, 2 threads): GET /api/v1/datasets (list) and
#    GET /api/v1/jobs/ID (get) with a valid key, p50 and p99;
#  - upload and download of a 256 MiB file of random bytes with encryption at rest (curl on
#    loopback; the download is verified whole before it is sent), against `cp` of the same file
#    on the same disk; the downloaded file's SHA-256 is checked.
#
#   scripts/bench_platform.sh
#
# Environment: LEPTON_BENCH_SECONDS (each wrk run, default 10), LEPTON_BENCH_MB (file size, 256),
# LEPTON_BENCH_PORT (8741).
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON_SKIP_BUILD=1 scripts/setup.sh >/dev/null
swift build -c release --product lepton >/dev/null
LEPTON="$PWD/.build/release/lepton"
SECONDS_PER_RUN="${LEPTON_BENCH_SECONDS:-10}"
MB="${LEPTON_BENCH_MB:-256}"
PORT="${LEPTON_BENCH_PORT:-8741}"
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

KEY="$("$LEPTON" platform init --data "$WORK/data" | sed -n 's/^admin key: //p')"
"$LEPTON" platform serve --data "$WORK/data" --port "$PORT" --slots 1 --log-level warning 2>"$WORK/serve.log" >"$WORK/serve.out" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
AUTH="Authorization: Bearer $KEY"
URL="http://127.0.0.1:$PORT"

ID="$(curl -sf -H "$AUTH" -d '{"name": "bench"}' "$URL/api/v1/datasets" | sed 's/.*"id":"\([^"]*\)".*/\1/')"
JOB="$(curl -sf -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"config": "dataset: {name: mnist}\nmodel: {input_shape: [28, 28, 1], layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: sparse_categorical_crossentropy\n", "inputs": [], "priority": -1}' \
  "$URL/api/v1/jobs" | sed 's/.*"id":"\(job_[^"]*\)".*/\1/')"

latency() {  # name path
  local out
  out="$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" "$URL$2")"
  local p50 p99 rps non2xx
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  non2xx="$(echo "$out" | awk '/Non-2xx/ {print $4}')"
  printf '| %-26s | %8s | %8s | %9s | %s |\n' "$1" "$p50" "$p99" "$rps" "${non2xx:-0}"
}
echo "API at 32 concurrent clients, ${SECONDS_PER_RUN} s each (wrk -t2 -c32):"
echo "| request                    |      p50 |      p99 |   req/s   | non-2xx |"
echo "|----------------------------|----------|----------|-----------|---------|"
latency "GET /api/v1/datasets" "/api/v1/datasets"
latency "GET /api/v1/jobs/ID" "/api/v1/jobs/$JOB"

head -c "$((MB << 20))" /dev/urandom >"$WORK/file"
sync
now() { date +%s.%N; }
start="$(now)"; cp "$WORK/file" "$WORK/copy"; sync; copy_s="$(echo "$(now) - $start" | bc -l)"
start="$(now)"
curl -sf -H "$AUTH" -H 'Content-Type: application/octet-stream' -X POST -T "$WORK/file" "$URL/api/v1/datasets/$ID/versions" >/dev/null
sync; up_s="$(echo "$(now) - $start" | bc -l)"
start="$(now)"
curl -sf -H "$AUTH" -o "$WORK/down" "$URL/api/v1/datasets/$ID/versions/1"
sync; down_s="$(echo "$(now) - $start" | bc -l)"
[ "$(sha256sum <"$WORK/file")" = "$(sha256sum <"$WORK/down")" ] || { echo "downloaded bytes differ" >&2; exit 1; }
echo
echo "A ${MB} MiB file on loopback (encrypted at rest; the download is verified whole, then sent):"
printf '| %-34s | %8s | %9s |\n' "transfer" "seconds" "MB/s"
echo "|------------------------------------|----------|-----------|"
for row in "cp (same disk):$copy_s" "upload (curl -T, streamed):$up_s" "download (curl -o):$down_s"; do
  printf '| %-34s | %8.2f | %9.1f |\n' "${row%%:*}" "${row##*:}" "$(echo "$MB * 1.048576 / ${row##*:}" | bc -l)"
done
