"""Celery, wired the Flask way: one Celery app made by ``create_app``, tasks in an app context.

Tasks take ids, run after commit, acknowledge late (a worker killed mid-task leaves the
message to be redelivered) and are harmless twice: the timer sweep claims rows, a mail is
claimed before it is sent, a document is stored only once. Deadlines are never Celery
countdowns: beat only runs the sweep, and the timer rows say what is due
(ARCHITECTURE rule 3). Run ``celery -A sandbox.worker worker`` and ``… beat``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Celery, Task, shared_task
from flask import Flask, current_app

__all__ = ["celery_init_app", "sweep_timers", "sweep_outbox", "deliver_notification", "render_document"]

log = logging.getLogger(__name__)
RETRY = {"autoretry_for": (Exception,), "retry_backoff": 2, "retry_backoff_max": 300,
         "retry_jitter": True, "max_retries": 8}


def celery_config(config: dict[str, Any]) -> dict[str, Any]:
    sweep = float(config["SANDBOX_SWEEP_SECONDS"])
    outbox = float(config["SANDBOX_OUTBOX_SWEEP_SECONDS"])
    return {
        "broker_url": config["REDIS_URL"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,   # SIGKILL mid-task: redeliver, do not drop
        "worker_prefetch_multiplier": 1,
        # A worker or beat waits out a Redis outage of any length, at startup or later,
        # retrying every 30 s at most. Celery's default gives up after 100 retries (about
        # 47 minutes) and the worker exits. None is "forever" here: kombu treats 0 as "no
        # retries at all", whatever Celery's documentation says.
        "broker_connection_retry_on_startup": True,
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,
        "broker_connection_timeout": 2,
        "broker_transport_options": {
            # Keys of this deployment (or test run) only: several may share one Redis.
            "global_keyprefix": config["SANDBOX_REDIS_PREFIX"],
            "visibility_timeout": 3600,
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
        },
        "task_default_queue": "sandbox",
        "beat_schedule": {
            # Expire unsent sweeps: a backlog of identical sweeps is useless.
            "sweep-timers": {"task": "sandbox.sweep_timers", "schedule": sweep,
                             "options": {"expires": max(sweep, 1.0)}},
            "sweep-outbox": {"task": "sandbox.sweep_outbox", "schedule": outbox,
                             "options": {"expires": max(outbox, 1.0)}},
        },
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app.config))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _delivery() -> Any:
    return current_app.extensions["sandbox.delivery"]


@shared_task(name="sandbox.sweep_timers", acks_late=True)
def sweep_timers() -> int:
    """Fire every due timer (claimed with SKIP LOCKED: two beats or sweeps never double)."""
    from .services.timers import fire_due_timers

    # Small batches, each its own commit: a worker killed mid-sweep loses one batch's work.
    fired = fire_due_timers(current_app.extensions["sandbox"],
                            batch=int(current_app.config["SANDBOX_SWEEP_BATCH"]))
    if fired:
        log.info("sweep fired %d timers", fired)
    return fired


@shared_task(name="sandbox.sweep_outbox", acks_late=True)
def sweep_outbox() -> int:
    """Deliver what the after-commit publish never brought: lost publishes (Redis was down),
    workers that died mid-task. Delivered here, not re-queued, so a backlog never floods the
    queue with copies; two sweeps at once only race for the same claims."""
    return _delivery().deliver_due()


@shared_task(name="sandbox.deliver_notification", bind=True, acks_late=True, **RETRY)
def deliver_notification(self: Task, notification_id: int) -> str:
    return str(_delivery().handle("notification", notification_id))


@shared_task(name="sandbox.render_document", bind=True, acks_late=True, **RETRY)
def render_document(self: Task, document_id: int) -> str:
    return str(_delivery().handle("document", document_id))


def lease_from(config: dict[str, Any]) -> timedelta:
    return timedelta(seconds=float(config["SANDBOX_MAIL_LEASE_SECONDS"]))
