"""Publishing outbox rows after commit: to Celery (production) or in-process (embedded).

Services never publish by hand: ``notify.send`` and ``documents.issue`` note their new rows
on the session, and the listener installed here hands them over once the transaction has
committed (never for a rolled-back one). A publish that fails (Redis down) loses nothing:
the rows stay pending in the database and the periodic outbox sweep publishes them again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from sqlalchemy import event

from ..engine.notify import OUTBOX_KEY
from .db import after_session_commit

__all__ = ["Publisher", "ManualPublisher", "ThreadPublisher", "CeleryPublisher", "listen"]

log = logging.getLogger(__name__)
Item = tuple[str, int]
Handler = Callable[[str, int], Any]


class Publisher(Protocol):
    def publish(self, items: Iterable[Item]) -> None: ...


# Where each open savepoint's outbox items begin, so a savepoint rolled back drops only
# its own (the timer sweep fires each timer in a savepoint and goes on after a failure).
MARKS_KEY = "sandbox.outbox_marks"


def listen(session_maker: Any, publisher: Publisher) -> None:
    @event.listens_for(session_maker, "after_transaction_create")
    def _mark(session: Any, transaction: Any) -> None:
        if transaction.nested:
            marks = session.info.setdefault(MARKS_KEY, {})
            marks[transaction] = len(session.info.get(OUTBOX_KEY, ()))

    def _publish(session: Any) -> None:
        items = session.info.pop(OUTBOX_KEY, None)
        if items:
            try:
                publisher.publish(items)
            except Exception:  # the sweep will publish them; the commit stands
                log.exception("publishing %d outbox items failed", len(items))

    @event.listens_for(session_maker, "after_commit")
    def _after_commit(session: Any) -> None:
        if session.in_nested_transaction():
            # SQLAlchemy reports a released savepoint as a commit too, but no worker can
            # see its rows before the enclosing transaction commits: they wait for that.
            session.info.get(MARKS_KEY, {}).pop(session.get_nested_transaction(), None)
            return
        _publish(session)

    # A lone unit of work whose one write committed by itself skips the session's commit.
    after_session_commit(session_maker, _publish)

    @event.listens_for(session_maker, "after_transaction_end")
    def _after_end(session: Any, transaction: Any) -> None:
        mark = session.info.get(MARKS_KEY, {}).pop(transaction, None)
        items = session.info.get(OUTBOX_KEY)
        if mark is not None and items:  # a savepoint that ended without its commit
            del items[mark:]

    @event.listens_for(session_maker, "after_rollback")
    def _after_rollback(session: Any) -> None:
        if not session.in_nested_transaction():
            session.info.pop(OUTBOX_KEY, None)


class ManualPublisher:
    """Tests: items wait until the test calls ``drain()``, which delivers them in its thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.items: list[Item] = []
        self._lock = threading.Lock()

    def publish(self, items: Iterable[Item]) -> None:
        with self._lock:
            self.items.extend(items)

    def drain(self) -> list[Any]:
        results = []
        while True:
            with self._lock:
                batch, self.items = self.items, []
            if not batch:
                return results
            results.extend(self.handler(kind, i) for kind, i in batch)


class ThreadPublisher:
    """Embedded mode: one daemon thread delivers after commit, off the request's path."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.queue: queue.Queue[Item] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="sandbox-outbox", daemon=True)
        self.thread.start()

    def publish(self, items: Iterable[Item]) -> None:
        for item in items:
            self.queue.put(item)

    def _run(self) -> None:
        while True:
            kind, item_id = self.queue.get()
            try:
                self.handler(kind, item_id)
            except Exception:  # the outbox sweep retries it
                log.exception("delivering %s %s failed", kind, item_id)
            finally:
                self.queue.task_done()

    def drain(self) -> None:
        self.queue.join()


class CeleryPublisher:
    """Production: one task per item (tasks take ids). With the broker down, it stops at
    the first failure rather than make the request wait once per item."""

    def __init__(self, tasks: dict[str, Any]) -> None:
        self.tasks = tasks

    def publish(self, items: Iterable[Item]) -> None:
        for kind, item_id in items:
            try:
                self.tasks[kind].apply_async(args=[item_id], retry=False)
            except Exception as exc:  # noqa: BLE001 - the sweep publishes it later
                log.warning("broker unavailable (%s); outbox sweep will publish the rest",
                            type(exc).__name__)
                return
