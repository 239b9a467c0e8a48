#!/usr/bin/env bash
# The production stack, one role per command (run each under your process supervisor):
#
#   bash scripts/prod.sh migrate   # apply migrations, load seed organisations (once per release)
#   bash scripts/prod.sh web       # gunicorn, several processes (WEB_CONCURRENCY, PORT)
#   bash scripts/prod.sh worker    # Celery worker(s): outbox delivery, sweeps (any number)
#   bash scripts/prod.sh beat      # Celery beat: exactly one is enough (a second does no harm)
#
# Configuration comes from the environment (see README "Production"); at least
# SANDBOX_ENV=production, SECRET_KEY, DATABASE_URL (PostgreSQL) and REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

: "${SANDBOX_ENV:=production}"
export SANDBOX_ENV
for var in SECRET_KEY DATABASE_URL REDIS_URL; do
    if [ -z "${!var:-}" ]; then echo "prod.sh: set $var (see README, Production)" >&2; exit 2; fi
done

case "${1:-}" in
    migrate) exec .venv/bin/flask --app wsgi db upgrade ;;
    web) exec .venv/bin/gunicorn --workers "${WEB_CONCURRENCY:-4}" --bind "${BIND:-0.0.0.0:${PORT:-8000}}" \
            --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" wsgi:app ;;
    worker) exec .venv/bin/celery -A sandbox.worker worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${WORKER_CONCURRENCY:-4}" ;;
    beat) exec .venv/bin/celery -A sandbox.worker beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule "${BEAT_SCHEDULE_FILE:-/tmp/sandbox-celerybeat-schedule}" ;;
    *) echo "usage: $0 migrate|web|worker|beat" >&2; exit 2 ;;
esac
