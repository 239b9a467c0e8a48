"""The delivery side of the outbox: what a Celery task or the in-process loop runs.

``handle(kind, id)`` delivers one outbox item (an e-mail, a document to render);
``due()`` lists what the periodic outbox sweep must (re)publish because its after-commit
publish never arrived (the broker was down, a worker died mid-task).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..adapters.mailer import Mailer
from ..adapters.pdf import Renderer
from . import documents, outbox
from .runtime import Runtime

__all__ = ["Delivery"]


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

    def due(self, limit: int = 500) -> list[tuple[str, int]]:
        mails = outbox.due_notifications(self.rt, grace=self.grace, lease=self.lease, limit=limit)
        docs = documents.pending_documents(self.rt, limit=limit)
        return [("notification", i) for i in mails] + [("document", i) for i in docs]
