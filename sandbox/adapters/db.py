"""Database engine and the unit of work.

SQLite (the embedded default) takes its write lock at BEGIN IMMEDIATE, so two threads never
deadlock upgrading a read lock; PostgreSQL runs at READ COMMITTED and the engine relies on
conditional UPDATEs and row locks for concurrency.
"""

from __future__ import annotations

import select
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from . import lone_connections

__all__ = ["make_engine", "UnitOfWork", "SessionFactory", "PING_AFTER_IDLE_S", "LONE_WRITE",
           "LoneWriteError", "run_lone_rule", "lone_wrote_nothing", "held_connection",
           "driver_connection", "session_factory", "is_plain_read", "after_session_commit"]

SessionFactory = Callable[[], Session]

# A pooled connection idle for longer than this is pinged before use (see _ping_when_idle).
PING_AFTER_IDLE_S = 10.0
# Execution option of a statement that is all-or-nothing on its own (one statement, its
# condition in its WHERE) and returns no row when it wrote nothing: in a lone unit of work
# it may commit by itself (see UnitOfWork; adapters.direct runs such statements).
LONE_WRITE = "sandbox_lone_write"
_LONE = "sandbox.lone"  # connection info: this connection runs a lone unit of work
_HELD = "sandbox.connection"  # session info: (transaction, its connection)
_LONE_UOW = "sandbox.lone_uow"  # session info: the lone unit of work the session serves
# Locking clauses and functions that make a SELECT more than a read.
_NOT_A_READ = (" FOR UPDATE", " FOR SHARE", " FOR NO KEY UPDATE", " FOR KEY SHARE", "pg_advisory")


class LoneWriteError(RuntimeError):
    """A lone unit of work wrote after its lone write: that would not be atomic."""


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
    _lone_units_of_work(engine)
    lone_connections.keep_for(engine, PING_AFTER_IDLE_S)
    return engine


def _lone_units_of_work(engine: Engine) -> None:
    """Reads outside a transaction, until a unit of work writes (see UnitOfWork ``lone``).

    A connection in a lone unit of work runs in autocommit. Plain SELECTs stay so: at READ
    COMMITTED each statement takes its own snapshot inside a transaction too, so they see
    exactly what they would have seen, and they hold no lock either way. The first statement
    that writes or locks starts the transaction (psycopg sends BEGIN before it), and from
    there the unit of work is an ordinary one - unless that statement is marked
    ``LONE_WRITE``: then it commits on its own, and any later write is refused.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
                _many: bool) -> None:
        if conn.info.get(_LONE) is not None:
            lone_write = context is not None and bool(context.execution_options.get(LONE_WRITE))
            run_lone_rule(conn.info, conn.connection.dbapi_connection, statement,
                          lone_write=lone_write)

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, record: Any) -> None:
        if record.info.get(_LONE) is not None:  # the lone unit of work is over
            _end_lone(record.info, dbapi_conn)


def run_lone_rule(info: dict[str, Any], dbapi_conn: Any, statement: str, *,
                  lone_write: bool) -> None:
    """Before a statement runs on a connection (see _lone_units_of_work; adapters.direct
    calls it too): reads stay outside, a first lone write commits by itself, anything else
    starts the transaction."""
    lone = info.get(_LONE)
    if lone is None:
        return
    if is_plain_read(statement):
        return
    if lone == "written":
        raise LoneWriteError("a lone unit of work writes once; open an ordinary one")
    if lone_write:
        info[_LONE] = "written"
        return
    _end_lone(info, dbapi_conn)


def is_plain_read(statement: str) -> bool:
    """A SELECT that takes no lock: it sees the same and holds nothing in or out of a
    transaction (READ COMMITTED)."""
    return statement.startswith("SELECT") and not any(w in statement for w in _NOT_A_READ)


def lone_wrote_nothing(info: dict[str, Any]) -> None:
    """The lone write found its condition false: the unit of work has written nothing yet."""
    if info.get(_LONE) == "written":
        info[_LONE] = "reading"


def _end_lone(info: dict[str, Any], dbapi_conn: Any) -> None:
    """Back to transactions (psycopg allows it between statements, which is where we are)."""
    info.pop(_LONE, None)
    if dbapi_conn is not None:
        dbapi_conn.autocommit = False


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

    ``lone=True`` is for a unit of work that reads and then writes one all-or-nothing
    statement (a case's move, see engine/combined): on PostgreSQL it reads outside a
    transaction and that statement commits by itself, so the unit of work costs two round
    trips instead of four (no BEGIN, no COMMIT of their own). Anything else it writes
    first makes it an ordinary transaction; a write after the lone one raises
    ``LoneWriteError``. On SQLite it is an ordinary unit of work.

    Why a lone unit of work's statements run on a connection of its own: those the
    driver runs (adapters.direct: the case's load and its move) need no transaction, so
    until the session itself touches the database they go on a pooled connection the
    unit of work takes for them (``lone_connection``; adapters.lone_connections keeps a
    few in autocommit between units of work), not through the session's
    transaction, its ``Connection`` and their books, which cost about a tenth of a
    transition's client time. Once the session has a connection, every statement goes on
    that one, as in an ordinary unit of work (so nothing of one transaction is split
    across two connections); the lone rule (one lone write, then only reads) holds across
    both. When the lone write committed and the session never took a connection nor holds
    a change, the session has nothing to commit: ``commit`` then skips its commit and runs
    what a commit runs after it (``after_session_commit``: publishing the outbox). The
    first commit or rollback ends the lone part: what follows is ordinary.
    """

    def __init__(self, session_factory: SessionFactory, *, lone: bool = False) -> None:
        self._session_factory = session_factory
        self._lone = lone
        self.session: Session
        self._after_commit: list[Callable[[], None]] = []
        self._own: Any = None  # the pooled connection of the lone part, once taken
        self.connected = False  # the session has a connection (see _lone_sessions)

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._after_commit = []
        if self._lone and self.session.get_bind().dialect.name == "postgresql":
            self.session.info[_LONE_UOW] = self
        return self

    def __exit__(self, *exc: object) -> None:
        # close() rolls back what was not committed but, unlike rollback(), leaves loaded
        # objects readable after the block (views serialise them once the work is done).
        # A session that holds nothing has nothing to close (a move on a kept case).
        session = self.session
        if session.in_transaction() or session.identity_map or session.new:
            session.close()
        self._end_lone()

    def commit(self) -> None:
        if self._committed_alone():
            for hook in _AFTER_SESSION_COMMIT.get(self._session_factory, ()):
                hook(self.session)
        else:
            self.session.commit()
        self._end_lone()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
        self._end_lone()
        self._after_commit = []

    def lone_connection(self) -> Any:
        """The pooled connection the lone part's driver statements run on, in autocommit:
        taken at the first of them (a kept one, see adapters.lone_connections), given back
        when the lone part ends."""
        if self._own is None:
            own = lone_connections.take(self.session.get_bind())
            own.info[_LONE] = "reading"
            self._own = own
        return self._own

    def _committed_alone(self) -> bool:
        session = self.session
        return (self.lone_written() and not self.connected
                and not session.new and not session.dirty and not session.deleted)

    def lone_written(self) -> bool:
        return self._own is not None and self._own.info.get(_LONE) == "written"

    def _end_lone(self) -> None:
        self.session.info.pop(_LONE_UOW, None)
        own, self._own = self._own, None
        if own is not None:
            lone_connections.give_back(self.session.get_bind(), own)

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


# What runs after a session's commit, per session factory, that a lone unit of work runs
# when it had no session commit (see UnitOfWork.commit; adapters.publisher registers).
_AFTER_SESSION_COMMIT: weakref.WeakKeyDictionary[Any, list[Callable[[Session], None]]] = (
    weakref.WeakKeyDictionary())


def after_session_commit(session_factory: Any, hook: Callable[[Session], None]) -> None:
    """Run ``hook(session)`` after a lone unit of work of ``session_factory`` committed
    without a session commit, as an ``after_commit`` listener runs after one."""
    _AFTER_SESSION_COMMIT.setdefault(session_factory, []).append(hook)


def held_connection(session: Session) -> Any:
    """The session's connection for its current transaction, asked of the session once
    per transaction (``session.connection()`` costs a few hundredths of a millisecond)."""
    transaction = session.get_transaction()
    held = session.info.get(_HELD)
    if transaction is not None and held is not None and held[0] is transaction:
        return held[1]
    connection = session.connection()
    session.info[_HELD] = (session.get_transaction(), connection)
    return connection


def driver_connection(session: Session, *, outside: bool) -> tuple[Any, dict[str, Any], Any]:
    """Where a statement run on the driver goes (adapters.direct): the psycopg
    connection, its info (the lone rule's state) and how to invalidate it when lost.

    ``outside``: the statement may run outside the session's transaction (a plain read,
    or a lone write). In a lone unit of work whose session has no connection yet, such a
    statement runs on the unit of work's own connection (see UnitOfWork); anything else,
    and every statement once the session has a connection, on the session's.
    """
    uow = session.info.get(_LONE_UOW)
    if outside and uow is not None and not uow.connected:
        own = uow.lone_connection()
        return own.dbapi_connection, own.info, own.invalidate
    connection = held_connection(session)
    return connection.connection.dbapi_connection, connection.info, connection.invalidate


def session_factory(engine: Engine) -> SessionFactory:
    maker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    _lone_sessions(maker)
    return maker


def _lone_sessions(maker: Any) -> None:
    """A lone unit of work's session, once it takes a connection, reads outside a
    transaction on it as well, and the lone rule carries over: after a lone write on the
    unit of work's own connection, the session may read but not write."""

    @event.listens_for(maker, "after_begin")
    def _after_begin(session: Any, _transaction: Any, connection: Any) -> None:
        uow = session.info.get(_LONE_UOW)
        if uow is None or uow.connected:
            return
        uow.connected = True
        driver = connection.connection.dbapi_connection
        if driver is not None:
            driver.autocommit = True
            connection.info[_LONE] = "written" if uow.lone_written() else "reading"

    @event.listens_for(maker, "after_transaction_end")
    def _after_end(session: Any, transaction: Any) -> None:
        uow = session.info.get(_LONE_UOW)
        if uow is not None and transaction.parent is None:
            uow.connected = False
