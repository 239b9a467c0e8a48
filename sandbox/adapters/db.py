"""Database engine and the unit of work.

SQLite (the embedded default) takes its write lock at BEGIN IMMEDIATE, so two threads never
deadlock upgrading a read lock; PostgreSQL runs at READ COMMITTED and the engine relies on
conditional UPDATEs and row locks for concurrency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

__all__ = ["make_engine", "UnitOfWork", "SessionFactory"]

SessionFactory = Callable[[], Session]


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_immediate_transactions(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_immediate_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class UnitOfWork:
    """One transaction. Services do their work inside ``with uow:`` and call ``commit``.

    Work registered with ``after_commit`` (publishing outbox rows, rendering documents)
    runs only once the transaction is durable, never for a rolled-back one.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self.session: Session
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._after_commit = []
        return self

    def __exit__(self, *exc: object) -> None:
        # close() rolls back what was not committed but, unlike rollback(), leaves loaded
        # objects readable after the block (views serialise them once the work is done).
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)


def session_factory(engine: Engine) -> SessionFactory:
    maker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    return maker
