#!/usr/bin/env bash
# The demo server: Django's web server and a django-q2 worker, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
"$PY" manage.py qcluster &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Warga: http://127.0.0.1:${PORT}/  (back-office intake: /office/intake/, admin: /admin/)"
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload
