#!/usr/bin/env bash
# Benchmark of `lepton platform serve` on loopback, on a fresh data folder in a temporary folder:
#  - API latency at 32 concurrent clients (wrk, 2 threads): GET /api/v1/datasets (list) and
#    GET /api/v1/jobs/ID (get) with a valid key, p50 and p99;
#  - submit → running: a training job submitted with POST /api/v1/jobs until GET shows it
#    running (its `lepton train` child started), median of 5;
#  - upload and download of a 256 MiB file of random bytes with encryption at rest (curl on
#    loopback; the download is verified whole before it is sent), against `cp` of the same file
#    on the same disk; the downloaded file's SHA-256 is checked.
# All of it twice: with the embedded SQLite store and with the state in PostgreSQL (a server
# scripts/postgres.sh starts in the temporary folder), side by side in one run.
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
PG="$(mktemp -d)"
SERVER=""
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; scripts/postgres.sh stop "$PG"; rm -rf "$WORK" "$PG"' EXIT
PG_URL="$(scripts/postgres.sh start "$PG")"
PG_DB="${PG_URL%/postgres}/lepton_bench"
psql -q "$PG_URL" -c "CREATE DATABASE lepton_bench"
AUTH="" URL="http://127.0.0.1:$PORT"


start_platform() {  # data-folder [--database URL]
  KEY="$("$LEPTON" platform init --data "$@" | sed -n 's/^admin key: //p')"
  "$LEPTON" platform serve --data "$@" --port "$PORT" --slots 1 --log-level warning 2>"$WORK/serve.log" >"$WORK/serve.out" &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  AUTH="Authorization: Bearer $KEY"
}
stop_platform() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

latency() {  # store name path
  local out
  out="$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" "$URL$3")"
  local p50 p99 rps non2xx
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  non2xx="$(echo "$out" | awk '/Non-2xx/ {print $4}')"
  printf '| %-10s | %-26s | %8s | %8s | %9s | %s |\n' "$1" "$2" "$p50" "$p99" "$rps" "${non2xx:-0}" >>"$WORK/latency.md"
}

now() { date +%s.%N; }
JOB_CONFIG='dataset: {name: mnist}\nmodel: {input_shape: [28, 28, 1], layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: sparse_categorical_crossentropy\n'
submit_to_running() {  # store: prints the median of 5 submits, in ms
  local times=() job start state
  for _ in 1 2 3 4 5; do
    start="$(now)"
    job="$(curl -sf -H "$AUTH" -H 'Content-Type: application/json' -d "{\"config\": \"$JOB_CONFIG\", \"inputs\": []}" \
      "$URL/api/v1/jobs" | sed 's/.*"id":"\(job_[^"]*\)".*/\1/')"
    state=""
    for _ in $(seq 2000); do
      state="$(curl -sf -H "$AUTH" "$URL/api/v1/jobs/$job" | sed 's/.*"state":"\([a-z]*\)".*/\1/')"
      [ "$state" != "queued" ] && break
      sleep 0.005
    done
    times+=("$(echo "($(now) - $start) * 1000" | bc -l)")
    # Let it end (it fails: no data) so the next one finds the slot free.
    for _ in $(seq 400); do
      state="$(curl -sf -H "$AUTH" "$URL/api/v1/jobs/$job" | sed 's/.*"state":"\([a-z]*\)".*/\1/')"
      case "$state" in succeeded|failed|cancelled) break ;; esac
      sleep 0.05
    done
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

transfers() {  # store
  local id start up_s down_s
  id="$(curl -sf -H "$AUTH" -d '{"name": "bench"}' "$URL/api/v1/datasets" | sed 's/.*"id":"\([^"]*\)".*/\1/')"
  start="$(now)"
  curl -sf -H "$AUTH" -H 'Content-Type: application/octet-stream' -X POST -T "$WORK/file" "$URL/api/v1/datasets/$id/versions" >/dev/null
  sync; up_s="$(echo "$(now) - $start" | bc -l)"
  start="$(now)"
  curl -sf -H "$AUTH" -o "$WORK/down" "$URL/api/v1/datasets/$id/versions/1"
  sync; down_s="$(echo "$(now) - $start" | bc -l)"
  [ "$(sha256sum <"$WORK/file")" = "$(sha256sum <"$WORK/down")" ] || { echo "downloaded bytes differ" >&2; exit 1; }
  rm -f "$WORK/down"
  for row in "upload (curl -T, streamed):$up_s" "download (curl -o):$down_s"; do
    printf '| %-10s | %-34s | %8.2f | %9.1f |\n' "$1" "${row%%:*}" "${row##*:}" "$(echo "$MB * 1.048576 / ${row##*:}" | bc -l)" >>"$WORK/transfers.md"
  done
}

head -c "$((MB << 20))" /dev/urandom >"$WORK/file"
sync
start="$(now)"; cp "$WORK/file" "$WORK/copy"; sync; copy_s="$(echo "$(now) - $start" | bc -l)"; rm -f "$WORK/copy"
printf '| %-10s | %-34s | %8.2f | %9.1f |\n' "-" "cp (same disk)" "$copy_s" "$(echo "$MB * 1.048576 / $copy_s" | bc -l)" >"$WORK/transfers.md"
: >"$WORK/latency.md"
: >"$WORK/submit.md"

for store in sqlite postgresql; do
  if [ "$store" = sqlite ]; then start_platform "$WORK/data-sqlite"; else start_platform "$WORK/data-pg" --database "$PG_DB"; fi
  job="$(curl -sf -H "$AUTH" -H 'Content-Type: application/json' -d "{\"config\": \"$JOB_CONFIG\", \"inputs\": [], \"priority\": -1}" \
    "$URL/api/v1/jobs" | sed 's/.*"id":"\(job_[^"]*\)".*/\1/')"
  latency "$store" "GET /api/v1/datasets" "/api/v1/datasets"
  latency "$store" "GET /api/v1/jobs/ID" "/api/v1/jobs/$job"
  printf '| %-10s | %8.1f |\n' "$store" "$(submit_to_running)" >>"$WORK/submit.md"
  transfers "$store"
  stop_platform
done

echo "API at 32 concurrent clients, ${SECONDS_PER_RUN} s each (wrk -t2 -c32):"
echo "| store      | request                    |      p50 |      p99 |   req/s   | non-2xx |"
echo "|------------|----------------------------|----------|----------|-----------|---------|"
cat "$WORK/latency.md"
echo
echo "Submit → running (POST /api/v1/jobs until GET shows it running; median of 5, ms):"
echo "| store      |       ms |"
echo "|------------|----------|"
cat "$WORK/submit.md"
echo
echo "A ${MB} MiB file on loopback (encrypted at rest; the download is verified whole, then sent):"
printf '| %-10s | %-34s | %8s | %9s |\n' "store" "transfer" "seconds" "MB/s"
echo "|------------|------------------------------------|----------|-----------|"
cat "$WORK/transfers.md"
