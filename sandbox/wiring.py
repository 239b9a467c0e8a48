"""The outbox's delivery side, wired for the mode the configuration asks for.

Called once by ``create_app``: production (``REDIS_URL`` set) publishes to Celery and sends
mail over SMTP; the embedded mode delivers in a background thread and logs mail instead of
sending it (unless ``MAIL_SERVER`` is set); tests (``TESTING``) deliver when they drain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from .adapters.mailer import mailer_from_config
from .adapters.pdf import WeasyPrintRenderer
from .adapters.publisher import CeleryPublisher, ManualPublisher, ThreadPublisher, listen
from .services.delivery import Delivery

__all__ = ["wire_delivery", "outbox_mode"]


def outbox_mode(config: dict[str, Any]) -> str:
    if config.get("SANDBOX_OUTBOX"):
        return str(config["SANDBOX_OUTBOX"])
    if config.get("REDIS_URL"):
        return "celery"
    return "manual" if config.get("TESTING") else "thread"


def wire_delivery(app: Flask) -> Delivery:
    rt = app.extensions["sandbox"]
    config = app.config
    delivery = Delivery(
        rt=rt, mailer=mailer_from_config(config), renderer=WeasyPrintRenderer(),
        sender=config["MAIL_FROM"], public_url=config["SANDBOX_PUBLIC_URL"],
        lease=timedelta(seconds=float(config["SANDBOX_MAIL_LEASE_SECONDS"])),
        grace=timedelta(seconds=float(config["SANDBOX_OUTBOX_GRACE_SECONDS"])),
    )
    mode = outbox_mode(config)
    publisher: Any
    if config.get("REDIS_URL"):
        from . import tasks

        tasks.celery_init_app(app)
    if mode == "celery":
        from . import tasks

        publisher = CeleryPublisher({"notification": tasks.deliver_notification,
                                     "document": tasks.render_document})
    elif mode == "thread":
        publisher = ThreadPublisher(delivery.handle)
    else:
        publisher = ManualPublisher(delivery.handle)
    listen(rt.session_factory, publisher)
    app.extensions["sandbox.delivery"] = delivery
    app.extensions["sandbox.publisher"] = publisher
    return delivery
