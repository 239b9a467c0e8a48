"""Outbox rows are published once their transaction has committed, never before.

SQLAlchemy reports a released savepoint as a commit; the timer sweep fires each timer in
a savepoint, and a worker that got those rows' ids then would find nothing yet.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from sandbox.adapters.db import make_engine
from sandbox.adapters.publisher import listen
from sandbox.engine.notify import stash


class Recorder:
    def __init__(self) -> None:
        self.published: list[tuple[str, int]] = []

    def publish(self, items):
        self.published.extend(items)


def session_and_recorder() -> tuple[Session, Recorder]:
    maker = sessionmaker(bind=make_engine("sqlite://"), class_=Session)
    recorder = Recorder()
    listen(maker, recorder)
    session = maker()
    session.execute(text("SELECT 1"))
    return session, recorder


def test_a_released_savepoint_publishes_with_its_transaction_not_before():
    session, recorder = session_and_recorder()
    savepoint = session.begin_nested()
    stash(session, "notification", [1, 2])
    savepoint.commit()
    assert recorder.published == []
    stash(session, "document", [3])
    session.commit()
    assert recorder.published == [("notification", 1), ("notification", 2), ("document", 3)]


def test_a_savepoint_rolled_back_drops_only_its_own_rows():
    session, recorder = session_and_recorder()
    stash(session, "notification", [1])
    kept = session.begin_nested()
    stash(session, "notification", [2])
    kept.commit()
    failed = session.begin_nested()
    stash(session, "notification", [3])
    failed.rollback()
    stash(session, "notification", [4])
    session.commit()
    assert recorder.published == [("notification", 1), ("notification", 2), ("notification", 4)]


def test_a_rolled_back_transaction_publishes_nothing():
    session, recorder = session_and_recorder()
    savepoint = session.begin_nested()
    stash(session, "notification", [1])
    savepoint.commit()
    session.rollback()
    session.execute(text("SELECT 1"))
    session.commit()
    assert recorder.published == []
