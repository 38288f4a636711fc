#!/usr/bin/env bash
# Run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL says so).
# Installs Debian's chromium for the browser tests when it is missing. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bin/bootstrap
if ! command -v chromium >/dev/null 2>&1; then
  echo "Cài chromium cho kiểm thử trình duyệt…"
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
exec .venv/bin/pytest "$@"
