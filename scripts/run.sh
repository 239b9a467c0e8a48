#!/usr/bin/env bash
# Runs the product on the embedded default: SQLite in instance/, the in-process timer
# loop, demonstration data, served on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export SANDBOX_TIMER_INTERVAL="${SANDBOX_TIMER_INTERVAL:-30}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"

# Plain http on this machine: session cookies cannot be Secure here (they are under https).
export SANDBOX_PUBLIC_URL="${SANDBOX_PUBLIC_URL:-http://$HOST:$PORT}"

.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi demo
echo
echo "Serving on http://$HOST:$PORT  — sign in at http://$HOST:$PORT/login as a demo user above"
echo "  public register: http://$HOST:$PORT/register   API: http://$HOST:$PORT/api/v1/openapi.json"
exec .venv/bin/flask --app wsgi serve --host "$HOST" --port "$PORT"
