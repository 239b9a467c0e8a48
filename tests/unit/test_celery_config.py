"""The Celery settings production depends on, as the Celery app sees them."""

from __future__ import annotations

from celery import Celery

from sandbox.config import load_config
from sandbox.tasks import celery_config


def test_workers_and_beat_retry_the_broker_forever(tmp_path):
    config = load_config({"DATABASE_URL": "sqlite://", "REDIS_URL": "redis://127.0.0.1:6399/0"},
                         str(tmp_path))
    app = Celery("check", set_as_current=False)
    app.config_from_object(celery_config(config))
    # None: kombu's retry loop never gives up (0 would mean "do not retry at all").
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_retry_on_startup is True
