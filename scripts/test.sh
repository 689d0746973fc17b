#!/usr/bin/env bash
# Install everything the tests need (venv, dev requirements, Debian's chromium for the browser
# tests) and run the full test suite. EMNIST is read from $VINOCR_EMNIST_DIR (default ../shared/data/emnist).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export VINOCR_EMNIST_DIR="${VINOCR_EMNIST_DIR:-$(cd .. && pwd)/shared/data/emnist}"
exec .venv/bin/python -m pytest "$@"
