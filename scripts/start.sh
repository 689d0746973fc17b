#!/usr/bin/env bash
# Install (if needed) and start the vinocr web app on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
