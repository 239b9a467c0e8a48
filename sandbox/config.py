"""Configuration from the environment, with safe defaults for the embedded run."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["load_config", "DEFAULT_SECRET"]

DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production, see below

_KEYS = {
    "DATABASE_URL": None,
    "SECRET_KEY": DEFAULT_SECRET,
    "REDIS_URL": None,
    "SANDBOX_RULE_SET": "2020",
    "SANDBOX_ENV": "development",
    "SANDBOX_TIMER_LOOP": "0",
    "SANDBOX_TIMER_INTERVAL": "60",
    "SANDBOX_PUBLIC_URL": "http://127.0.0.1:5000",
    "MAIL_SERVER": None,
    "MAIL_PORT": "25",
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": "0",
    "MAIL_FROM": "sandbox@localhost",
    "MAX_UPLOAD_MB": "20",
    "MAX_ATTACHMENT_BYTES": None,  # default: MAX_UPLOAD_MB
    # Cookies are Secure unless SANDBOX_PUBLIC_URL is plain http; "1"/"0" decides explicitly.
    "SANDBOX_SECURE_COOKIES": None,
    # Production runtime (issue 4): sweeps, outbox delivery, Redis key prefix.
    "SANDBOX_SWEEP_SECONDS": "60",            # Celery beat: timer sweep interval
    "SANDBOX_SWEEP_BATCH": "50",              # timers fired per sweep transaction
    "SANDBOX_OUTBOX_SWEEP_SECONDS": "60",     # Celery beat: re-publish undelivered outbox rows
    "SANDBOX_OUTBOX_GRACE_SECONDS": "30",     # a pending row older than this is re-published
    "SANDBOX_MAIL_LEASE_SECONDS": "300",      # a mail claim older than this was a dead worker's
    "SANDBOX_REDIS_PREFIX": "sandbox:",       # Redis keys of this deployment
    "SANDBOX_OUTBOX": "",                     # celery | thread | manual; default by REDIS_URL/TESTING
    # Proxies in front that append X-Forwarded-For (prod.sh web: 1). Behind one, the client's
    # address is the proxy's, and the sign-in throttle's count per address would count every
    # client together; 0 (the embedded run) trusts no such header, which a client can forge.
    "SANDBOX_PROXIES": "0",
}
MULTIPART_ALLOWANCE = 64 * 1024  # the multipart envelope and form fields around a file


def load_config(overrides: Mapping[str, Any] | None, instance_path: str) -> dict[str, Any]:
    config: dict[str, Any] = {key: os.environ.get(key, default) for key, default in _KEYS.items()}
    config["TESTING"] = False
    config.update(overrides or {})
    if not config.get("DATABASE_URL"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'sandbox.db'}"
    if config["SANDBOX_RULE_SET"] not in ("2020", "2021"):
        raise RuntimeError("SANDBOX_RULE_SET must be 2020 or 2021")
    if config["SANDBOX_ENV"] == "production" and config["SECRET_KEY"] in (DEFAULT_SECRET, "", None):
        raise RuntimeError("refusing to start in production with the default SECRET_KEY")
    if not str(config["SANDBOX_PROXIES"]).isdigit():
        raise RuntimeError("SANDBOX_PROXIES must be a whole number (the proxies in front, 0 for none)")
    # One attachment may be MAX_ATTACHMENT_BYTES (413 from the service); a body larger than
    # that plus its envelope is refused by Flask before it is read (413 too).
    limit = int(config.get("MAX_ATTACHMENT_BYTES") or int(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    config["MAX_ATTACHMENT_BYTES"] = limit
    config["MAX_CONTENT_LENGTH"] = limit + MULTIPART_ALLOWANCE
    return config
