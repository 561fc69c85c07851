#!/usr/bin/env bash
# The main job: set up the machine, build Lepton in release mode, train the reference CNN on
# MNIST (Keras-style progress, test accuracy at the end) and save it to out/mnist-cnn.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.build/release/lepton train examples/mnist-cnn.yaml "$@"
