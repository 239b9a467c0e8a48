"""Database engine and the unit of work.

SQLite (the embedded default) takes its write lock at BEGIN IMMEDIATE, so two threads never
deadlock upgrading a read lock; PostgreSQL runs at READ COMMITTED and the engine relies on
conditional UPDATEs and row locks for concurrency.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

__all__ = ["make_engine", "UnitOfWork", "SessionFactory", "PING_AFTER_IDLE_S"]

SessionFactory = Callable[[], Session]

# A pooled connection idle for longer than this is pinged before use (see _ping_when_idle).
PING_AFTER_IDLE_S = 10.0


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_immediate_transactions(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_recycle", 3600)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping``, but only for connections that sat idle in the pool.

    A ping on every checkout costs a round trip per unit of work (about a tenth of a
    transition). A connection in steady use is known to be alive; one that sat idle may
    have been cut by a server restart or a proxy, so it is pinged as ``pool_pre_ping``
    would, and a failed ping discards the whole pool and reconnects before any work runs.
    Idle time is measured with the monotonic clock: it is plumbing, not a domain time.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["sandbox.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("sandbox.idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            record.info.pop("sandbox.idle_since", None)
            raise exc.InvalidatePoolError(str(err)) from err


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

    def commit_in_flight(self) -> Callable[[], None]:
        """Send COMMIT without waiting for it; the function returned waits, then runs what
        ``commit`` runs after the commit.

        Why: once PostgreSQL has received a COMMIT it commits, whether or not its client
        lives to read the answer. A worker that must do something right after its commit
        (send a mail's end-of-data mark) and is killed in between leaves the commit done
        and the action undone; waiting for the answer (its fsync included) first makes that
        window a round trip long. Sent first and waited for after, it is the time between
        two writes. Elsewhere (SQLite) it commits at once and the function only finishes.
        """
        connection = self.session.connection()
        driver = connection.connection.dbapi_connection
        if connection.dialect.name != "postgresql" or driver is None:
            self.commit()
            return lambda: None
        pgconn = driver.pgconn  # libpq, through psycopg's public pq module
        pgconn.send_query(b"COMMIT")
        while pgconn.flush() == 1:
            select.select([], [pgconn.socket], [])

        def finish() -> None:
            error = None
            while True:
                while pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    break
                if result.error_message:
                    error = result.error_message.decode(errors="replace")
            if error:
                raise exc.OperationalError("COMMIT", None, RuntimeError(error))
            # The transaction is over on the server: SQLAlchemy's commit now only closes
            # its books (psycopg sends nothing for a connection already idle).
            self.commit()

        return finish

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)


def session_factory(engine: Engine) -> SessionFactory:
    maker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    return maker
