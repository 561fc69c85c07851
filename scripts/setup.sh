#!/usr/bin/env bash
# Installs what Lepton needs on a fresh Debian machine (idempotent; run as root or with sudo):
# OpenBLAS, zlib, libpng, libjpeg-turbo, SQLite, PostgreSQL (the server the tests start), OpenMPI, pkg-config, binutils,
# Chromium (the dashboard's browser test), nginx (the reference proxy of the router benchmark) and Slurm with munge (the Slurm runner's test starts a one-node cluster with
# scripts/slurm.sh) from apt, the Python test oracles and benchmark peers from PyPI,
# then builds Lepton in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(libopenblas-dev libdnnl-dev zlib1g-dev libpng-dev libturbojpeg0-dev libsqlite3-dev postgresql pkg-config wrk curl binutils openmpi-bin libopenmpi-dev chromium chromium-driver nginx-light slurm-wlm munge)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON="${LEPTON_PYTHON:-python3}"
if ! "$PYTHON" - <<'PY' >/dev/null 2>&1
import importlib, sys
reqs = [l.split("#")[0].strip() for l in open("python/requirements.txt")]
for r in filter(None, reqs):
    name = r.split("==")[0].split(">=")[0].split("[")[0].strip()
    mod = {"scikit-learn": "sklearn", "pillow": "PIL"}.get(name, name)
    importlib.import_module(mod)
PY
then
  echo "==> pip: installing python/requirements.txt (test oracles and benchmark peers)"
  extra=()
  # This machine image keeps the PyTorch CPU wheel in a local folder (it is not on PyPI).
  if [ -d /opt/wheels ]; then extra+=(--find-links /opt/wheels); fi
  "$PYTHON" -m pip install -q "${extra[@]}" -r python/requirements.txt
fi

if [ "${LEPTON_SKIP_BUILD:-0}" != "1" ]; then
  echo "==> swift build -c release"
  swift build -c release
fi
