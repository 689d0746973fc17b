#!/usr/bin/env bash
# Install (if needed) and start the vinocr web app on http://localhost:8501 (PORT=... to change).
# Extra arguments go to `streamlit run` (e.g. --server.runOnSave true --server.fileWatcherType auto
# to reload on code changes while developing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PORT="${PORT:-8501}"
echo "vinocr: starting the app on http://localhost:$PORT (Ctrl+C stops it)"
exec .venv/bin/streamlit run app.py --server.port "$PORT" "$@"
