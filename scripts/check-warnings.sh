#!/usr/bin/env bash
# Recompiles every module of ours (not the dependencies) and fails on any compiler warning
# in Sources/ or Tests/ — an incremental build prints a file's warnings only when that file
# is compiled again, so this is the check to run before a commit lands.
set -euo pipefail
cd "$(dirname "$0")/.."
find Sources Tests -name '*.swift' -exec touch {} +
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build -c release --build-tests >"$log" 2>&1 || { tail -50 "$log"; exit 1; }
root=$(pwd)
if grep -E "^($root/)?(Sources|Tests)/.*warning:|^macro expansion .*warning:" "$log"; then
    echo "compiler warnings in our own code (above)" >&2
    exit 1
fi
echo "no compiler warnings in Sources/ or Tests/"
