#!/usr/bin/env bash
# Run kehoach on this machine: embedded SQLite in ./data, plan 97/KH-UBND of xã Hà Bắc loaded,
# demo accounts printed, served on http://127.0.0.1:${PORT:-8000}/.
set -euo pipefail
cd "$(dirname "$0")"
bin/bootstrap
.venv/bin/kehoach migrate --noinput --verbosity 0
# Hà Bắc's plan played up to today, plus synthetic neighbouring communes for the city's comparison.
.venv/bin/kehoach demo --communes "${KEHOACH_DEMO_COMMUNES:-30}"
exec .venv/bin/kehoach serve --no-migrate
