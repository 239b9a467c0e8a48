"""The delivery side of the outbox: what a Celery task or the in-process loop runs.

``handle(kind, id)`` delivers one outbox item (an e-mail, a document to render);
``due()`` lists what the periodic outbox sweep must (re)publish because its after-commit
publish never arrived (the broker was down, a worker died mid-task).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from ..adapters.mailer import Mailer
from ..adapters.pdf import Renderer
from . import documents, outbox
from .runtime import Runtime

__all__ = ["Delivery"]

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    rt: Runtime
    mailer: Mailer
    renderer: Renderer
    sender: str
    public_url: str
    lease: timedelta = timedelta(minutes=5)
    grace: timedelta = timedelta(seconds=30)

    def handle(self, kind: str, item_id: int) -> str:
        if kind == "notification":
            return outbox.deliver_notification(
                self.rt, self.mailer, item_id, sender=self.sender, public_url=self.public_url,
                lease=self.lease,
            )
        if kind == "document":
            return documents.render_document(self.rt, self.renderer, item_id)
        raise ValueError(f"unknown outbox item kind {kind!r}")

    def deliver_due(self, limit: int = 100, budget_seconds: float = 5.0) -> int:
        """The outbox sweep: deliver what is overdue, one item's failure not stopping the rest.

        Short on purpose (``budget_seconds``, a duration, not a time of day): the next sweep
        goes on, and a long task would hold back a Celery worker's prefetch after a broker
        reconnect."""
        outbox.settle_handed_over(self.rt, lease=self.lease)
        done = 0
        stop_at = time.monotonic() + budget_seconds
        for kind, item_id in self.due(limit):
            if time.monotonic() > stop_at:
                break
            try:
                self.handle(kind, item_id)
                done += 1
            except Exception:  # noqa: BLE001 - stays pending (or claimed) for the next sweep
                log.exception("outbox sweep: %s %s failed", kind, item_id)
        return done

    def due(self, limit: int = 500) -> list[tuple[str, int]]:
        mails = outbox.due_notifications(self.rt, grace=self.grace, lease=self.lease, limit=limit)
        docs = documents.pending_documents(self.rt, limit=limit)
        return [("notification", i) for i in mails] + [("document", i) for i in docs]
