#!/usr/bin/env bash
# The main job: set up the machine, build Lepton, and run it.
# For now: a small network trained with autodiff, printing its loss falling.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.build/release/lepton demo "$@"
