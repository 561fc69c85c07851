#!/usr/bin/env bash
# Fuzzes Lepton's readers with libFuzzer under AddressSanitizer.
#
#   scripts/fuzz.sh                  every target, 60 s each
#   scripts/fuzz.sh TARGET [SECONDS] one target
#   scripts/fuzz.sh all SECONDS      every target, SECONDS each
#   scripts/fuzz.sh --list           the targets
#
# Builds `lepton-fuzz` (LEPTON_FUZZ=1, `-sanitize=fuzzer,address`, linked by the toolchain's lld:
# gold fails on the instrumented objects' debug info) in .build-fuzz, keeps each
# target's corpus in .fuzz/corpus/TARGET (seeded from the project's own writers and files on the
# first run) and writes crashing inputs to .fuzz/crashes/TARGET. LEPTON_FUZZ_RUNS=N runs N inputs per
# target with a fixed libFuzzer seed instead of SECONDS (the test script's short, repeatable run);
# LEPTON_FUZZ_DIR replaces .fuzz. Prints executions per target;
# exits 1 when any target found a crash, leak, timeout or out-of-memory input. A found input
# belongs, once fixed, in Tests/LeptonFuzzTests/Regressions/TARGET/, which the test suite replays.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(safetensors npy npz idx csv ratings scored-text image model-folder onnx yaml-config model-config v2-json v2-binary gzip-body)
if [ "${1:-}" = "--list" ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
which="${1:-all}"
seconds="${2:-60}"
if [ "$which" != "all" ] && [[ ! " ${targets[*]} " =~ " $which " ]]; then
  echo "error: unknown fuzz target '$which'; expected one of: all ${targets[*]}" >&2; exit 2
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "error: SECONDS must be a positive whole number, got '$seconds'" >&2; exit 2
fi
[ "$which" = "all" ] && run=("${targets[@]}") || run=("$which")

echo "==> building lepton-fuzz (libFuzzer + AddressSanitizer) in .build-fuzz"
LEPTON_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product lepton-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -g -Xswiftc -use-ld=lld 2>&1 | grep -E "error:|complete!" || true
binary=.build-fuzz/release/lepton-fuzz
[ -x "$binary" ] || { echo "build failed"; exit 1; }

export LEPTON_DATA_DIR="${LEPTON_DATA_DIR:-$PWD/../shared/datasets}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
# The targets that read paths write each input to a scratch file: on tmpfs they run about 3.5×
# the executions per second they reach on a disk folder.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
dir="${LEPTON_FUZZ_DIR:-.fuzz}"
if [ -n "${LEPTON_FUZZ_RUNS:-}" ]; then
  budget=(-runs="$LEPTON_FUZZ_RUNS" -seed=1); what="$LEPTON_FUZZ_RUNS runs"
else
  budget=(-max_total_time="$seconds"); what="$seconds s"
fi
failed=()
total=0
for t in "${run[@]}"; do
  corpus=$dir/corpus/$t crashes=$dir/crashes/$t log=$dir/logs/$t.log
  mkdir -p "$corpus" "$crashes" "$dir/logs"
  status=0
  LEPTON_FUZZ_TARGET=$t "$binary" "$corpus" "${budget[@]}" -timeout=20 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+$" || echo 0)
  total=$((total + execs))
  files=$(find "$corpus" -type f | wc -l)
  if [ "$status" != "0" ]; then
    failed+=("$t"); echo "$t: FAILED after $execs executions (status $status; see $log and $crashes)"
    grep -E "ERROR: |SUMMARY: |==ERROR|Fatal error" "$log" | head -5 || true
  else
    echo "$t: $execs executions ($what), corpus $files inputs, no crash"
  fi
done
echo "total: $total executions over ${#run[@]} target(s)"
[ ${#failed[@]} -eq 0 ] || { echo "targets with findings: ${failed[*]}"; exit 1; }
