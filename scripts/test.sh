#!/usr/bin/env bash
# The whole test suite, in release mode (numeric code is slow in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
LEPTON_SKIP_BUILD=1 scripts/setup.sh
swift test -c release "$@"
