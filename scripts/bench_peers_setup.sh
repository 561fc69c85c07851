#!/usr/bin/env bash
# Sets up the extra peers of `lepton-bench` (docs/BENCHMARKS.md, "Peers"): one virtual environment
# each, beside the repository's root, with pinned versions from PyPI:
#   .venv-bench-keras  TensorFlow (CPU wheel) + Keras 3   -> python/bench_peer_keras.py
#   .venv-bench-jax    JAX (CPU) + Flax + Optax           -> python/bench_peer_jax.py
# Idempotent: a venv that already imports its pinned versions is left alone. Not part of CI or of
# scripts/setup.sh (PyTorch, the main peer, comes from python/requirements.txt).
#   scripts/bench_peers_setup.sh            # both
#   scripts/bench_peers_setup.sh keras      # one of them (keras | jax)
# BASE_PYTHON (default python3) is the interpreter the venvs are made from (3.10–3.13).
set -euo pipefail
cd "$(dirname "$0")/.."

export TF_CPP_MIN_LOG_LEVEL=2  # quiet TensorFlow's start-up lines in the checks
BASE_PYTHON="${BASE_PYTHON:-python3}"
KERAS_PACKAGES=(tensorflow-cpu==2.21.0 keras==3.15.1 numpy)
KERAS_CHECK='import tensorflow as tf, keras; assert tf.__version__ == "2.21.0" and keras.__version__ == "3.15.1", (tf.__version__, keras.__version__)'
JAX_PACKAGES=("jax[cpu]==0.10.2" flax==0.12.8 optax==0.2.8 numpy)
JAX_CHECK='import jax, flax, optax; assert (jax.__version__, flax.__version__, optax.__version__) == ("0.10.2", "0.12.8", "0.2.8"), (jax.__version__, flax.__version__, optax.__version__)'

# setup_venv DIR CHECK PACKAGES...: creates DIR unless it exists, installs PACKAGES unless CHECK passes.
setup_venv() {
  local dir=$1 check=$2
  shift 2
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$check" >/dev/null 2>&1; then
    echo "==> $dir: already set up ($*)"
    return
  fi
  [ -x "$dir/bin/python" ] || { echo "==> $dir: creating with $("$BASE_PYTHON" --version 2>&1)"; "$BASE_PYTHON" -m venv "$dir"; }
  echo "==> $dir: pip install $*"
  "$dir/bin/python" -m pip install -q --upgrade pip
  "$dir/bin/python" -m pip install -q "$@"
  "$dir/bin/python" -c "$check"
  echo "==> $dir: ready"
}

want=("${@:-keras jax}")
for peer in ${want[*]}; do
  case "$peer" in
    keras) setup_venv .venv-bench-keras "$KERAS_CHECK" "${KERAS_PACKAGES[@]}" ;;
    jax) setup_venv .venv-bench-jax "$JAX_CHECK" "${JAX_PACKAGES[@]}" ;;
    *) echo "unknown peer '$peer' (keras | jax)" >&2; exit 2 ;;
  esac
done
