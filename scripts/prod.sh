#!/usr/bin/env bash
# The production stack, one role per command (run each under your process supervisor):
#
#   bash scripts/prod.sh install   # once per release, before the others (as root): .venv
#                                  # without the dev tools, Pango and the Korean font
#   bash scripts/prod.sh migrate   # apply migrations, load seed organisations (once per release)
#   bash scripts/prod.sh web       # gunicorn, several processes (WEB_CONCURRENCY, PORT)
#   bash scripts/prod.sh worker    # Celery worker(s): outbox delivery, sweeps (any number)
#   bash scripts/prod.sh beat      # Celery beat: exactly one is enough (a second does no harm)
#
# Configuration comes from the environment (see README "Production"); at least
# SANDBOX_ENV=production, SECRET_KEY, DATABASE_URL (PostgreSQL) and REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

role="${1:-}"
case "$role" in
    install|migrate|web|worker|beat) ;;
    *) echo "usage: $0 install|migrate|web|worker|beat" >&2; exit 2 ;;
esac

# Installing is a step of its own: a role that installed on every start would run apt-get
# and pip at each restart, and several roles started together would run them at once.
if [ "$role" = install ]; then
    exec bash scripts/bootstrap.sh --production
fi
if [ ! -x .venv/bin/python ]; then
    echo "prod.sh: no .venv in $PWD; run 'bash scripts/prod.sh install' first" >&2; exit 2
fi
if ! bash scripts/bootstrap.sh --production --check; then
    echo "prod.sh: .venv is not installed for this pyproject.toml (an older release, or an" \
         "install that did not finish); run 'bash scripts/prod.sh install'" >&2; exit 2
fi

: "${SANDBOX_ENV:=production}"
export SANDBOX_ENV
# The web role runs behind one proxy (README, Production): the client's address is the
# one it appends to X-Forwarded-For.
: "${SANDBOX_PROXIES:=1}"
export SANDBOX_PROXIES
for var in SECRET_KEY DATABASE_URL REDIS_URL; do
    if [ -z "${!var:-}" ]; then echo "prod.sh: set $var (see README, Production)" >&2; exit 2; fi
done

case "$role" in
    migrate) exec .venv/bin/flask --app wsgi db upgrade ;;
    web)
        # gunicorn's control socket (for gunicornc) is at one path per user by default
        # (~/.gunicorn/gunicorn.ctl): a second gunicorn on the host takes it over, and
        # either one's exit removes it. Off, unless this instance is given a path of its own.
        if [ -n "${GUNICORN_CONTROL_SOCKET:-}" ]; then
            control=(--control-socket "$GUNICORN_CONTROL_SOCKET")
        else
            control=(--no-control-socket)
        fi
        exec .venv/bin/gunicorn -c python:sandbox.gunicorn_conf "${control[@]}" \
            --workers "${WEB_CONCURRENCY:-4}" --bind "${BIND:-127.0.0.1:${PORT:-8000}}" \
            --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" wsgi:app ;;
    worker) exec .venv/bin/celery -A sandbox.worker worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${WORKER_CONCURRENCY:-4}" ;;
    beat) mkdir -p instance  # beat's own file of last runs; not in a world-writable /tmp
          exec .venv/bin/celery -A sandbox.worker beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule "${BEAT_SCHEDULE_FILE:-instance/celerybeat-schedule}" ;;
esac
