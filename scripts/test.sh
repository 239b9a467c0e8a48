#!/usr/bin/env bash
# Installs everything and runs the whole test suite. Tests that need PostgreSQL or Redis
# skip when those servers are not reachable, unless SANDBOX_REQUIRE_SERVICES=1 (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
