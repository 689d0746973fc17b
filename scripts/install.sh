#!/usr/bin/env bash
# Create .venv (Python 3.11) and install vinocr from pyproject.toml (the one source of pins).
#   scripts/install.sh       runtime only: the app and the CLIs (onnxruntime, no TensorFlow)
#   scripts/install.sh dev   + training/export (TensorFlow, Keras, ONNX) + tests and lint
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "dev" ]; then
  .venv/bin/python -m pip install -q -e ".[train,dev]"
else
  .venv/bin/python -m pip install -q -e .
fi
