#!/usr/bin/env bash
# The test suite under a sanitizer, in its own build folder (.build-asan / .build-tsan):
#
#   scripts/sanitize.sh asan [swift test arguments…]   AddressSanitizer (+ LeakSanitizer's
#                                                      leak check at exit: off, see below)
#   scripts/sanitize.sh tsan [swift test arguments…]   ThreadSanitizer (scripts/tsan-suppressions.txt:
#                                                      library handoffs it cannot see, none in Lepton)
#
# e.g. `scripts/sanitize.sh tsan --filter LeptonServeTests`. Without test arguments it runs the
# whole suite as scripts/test.sh does: a throwaway PostgreSQL for the storage suites, the suites
# that start servers or `lepton` children one test at a time after the rest. Exits non-zero when
# a test fails or the sanitizer reports an error (halt_on_error). Release mode, as the suite
# always runs; the tests' `lepton` children are the instrumented build too.
# Leak checking is off: Swift's runtime and Foundation keep caches that LeakSanitizer reports
# at exit; a leak that grows is what the chaos benchmark's RSS check catches.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in
  asan) sanitizer=address; export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:allocator_may_return_null=1}" ;;
  tsan) sanitizer=thread;  export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan-suppressions.txt}"
        # An instrumented `lepton` trains 5-10x slower: the dashboard test's job gets 9 minutes, not 4.
        export LEPTON_UI_JOB_TIMEOUT="${LEPTON_UI_JOB_TIMEOUT:-540}" ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan [swift test arguments…]" >&2; exit 2 ;;
esac
shift
LEPTON_SKIP_BUILD=1 scripts/setup.sh
scratch=.build-$kind
echo "==> building the tests with -sanitize=$sanitizer in $scratch"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build -c release --build-tests --scratch-path "$scratch" --sanitize="$sanitizer" >"$log" 2>&1; then
  grep -E "error:" "$log" | head -20; echo "build failed"; exit 1
fi
echo "==> swift test under $kind"
test_args=(-c release --skip-build --scratch-path "$scratch" --sanitize="$sanitizer")
if [ "$#" -gt 0 ]; then
  swift test "${test_args[@]}" "$@"
  exit
fi
pg_dir=$(mktemp -d)
trap 'rm -f "$log"; scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
LEPTON_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pg_dir")
export LEPTON_TEST_POSTGRES_URL
serial='LeptonCLITests\.|LeptonPlatformServerTests\.|LeptonONNXTests\.RealModelsTests'
status=0
swift test "${test_args[@]}" --skip "$serial" || status=$?
swift test "${test_args[@]}" --no-parallel --filter "$serial" || status=$?
exit "$status"
