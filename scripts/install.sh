#!/usr/bin/env bash
# Create .venv (Python 3.11) and install vinocr from pyproject.toml (the one source of pins).
#   scripts/install.sh       runtime only: the app and the CLIs (onnxruntime, no TensorFlow)
#   scripts/install.sh dev   + training/export (TensorFlow, Keras, ONNX) + tests and lint
# Nothing is installed again while pyproject.toml is unchanged (a stamp in .venv records what was
# installed from which pyproject.toml); pip's output goes to .venv/install.log and is shown only
# when the install fails.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-app}"
case "$MODE" in
  app) EXTRAS="" ;;
  dev) EXTRAS="[train,dev]" ;;
  *) echo "usage: scripts/install.sh [dev]" >&2; exit 2 ;;
esac
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
for done_mode in dev "$MODE"; do  # a dev install holds everything the app needs
  if [ "$(cat ".venv/.installed-$done_mode" 2>/dev/null)" = "$WANT" ]; then
    exit 0
  fi
done
LOG=.venv/install.log
echo "Installing vinocr ($MODE) into .venv; pip's output: $LOG"
if ! {
  .venv/bin/python -m pip install --upgrade pip &&
    .venv/bin/python -m pip install -e ".$EXTRAS"
} >"$LOG" 2>&1; then
  tail -n 25 "$LOG" >&2
  echo "install failed: the whole output is in $LOG" >&2
  exit 1
fi
echo "$WANT" >".venv/.installed-$MODE"
echo "Installed."
