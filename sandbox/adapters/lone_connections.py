"""Connections left in autocommit between lone units of work (see adapters.db).

Why: a lone unit of work runs its load and its move on a pooled connection of its own, in
autocommit. Checking one out of SQLAlchemy's pool, switching it to autocommit, then back
and in again, cost about a twentieth of a transition's time (measured interleaved). So a
lone unit of work leaves its connection here, still in autocommit, and the next takes it.

Kept only while that is safe:

- at most ``KEEP`` per engine in a process (they count as checked out of the pool);
- never one that sat idle for longer than ``PING_AFTER_IDLE_S``: it is given back to the
  pool, whose checkout pings it as for any idle connection;
- never an invalidated one, nor one inside a transaction;
- never across a fork: they are given back before it, so a child never holds its parent's
  sockets;
- never after the engine is disposed: they are closed.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine

__all__ = ["KEEP", "take", "give_back", "release", "keep_for"]

KEEP = 2


class _Free:
    def __init__(self, idle_limit_s: float) -> None:
        self.idle_limit_s = idle_limit_s
        self.connections: list[tuple[float, Any]] = []  # (idle since, pooled connection)
        self.lock = threading.Lock()


_FREE: weakref.WeakKeyDictionary[Engine, _Free] = weakref.WeakKeyDictionary()


def keep_for(engine: Engine, idle_limit_s: float) -> None:
    """Keep lone connections of ``engine`` (PostgreSQL), none idle for ``idle_limit_s``."""
    _FREE[engine] = _Free(idle_limit_s)

    @event.listens_for(engine, "engine_disposed")
    def _disposed(_engine: Any) -> None:
        release(engine, close=True)


def take(engine: Engine) -> Any:
    """A pooled connection in autocommit: a kept one, else one checked out now."""
    free = _FREE.get(engine)
    if free is not None:
        with free.lock:
            entry = free.connections.pop() if free.connections else None
        if entry is not None:
            since, connection = entry
            if time.monotonic() - since < free.idle_limit_s:
                return connection
            connection.close()  # back to the pool, which pings it on its next checkout
    connection = engine.raw_connection()
    connection.dbapi_connection.autocommit = True
    return connection


def give_back(engine: Engine, connection: Any) -> None:
    """Keep ``connection`` for the next lone unit of work, or return it to the pool."""
    free = _FREE.get(engine)
    driver = connection.dbapi_connection
    if (free is not None and connection.is_valid and driver is not None and driver.autocommit
            and driver.info.transaction_status == TransactionStatus.IDLE):
        with free.lock:
            if len(free.connections) < KEEP:
                free.connections.append((time.monotonic(), connection))
                return
    connection.close()


def release(engine: Engine, *, close: bool = False) -> None:
    """Give every kept connection of ``engine`` back to the pool (or ``close`` them)."""
    free = _FREE.get(engine)
    if free is None:
        return
    with free.lock:
        connections, free.connections = free.connections, []
    for _since, connection in connections:
        if close:
            connection.invalidate()  # the pool they came from is gone: close the socket
        else:
            connection.close()


def _release_all() -> None:
    for engine in list(_FREE.keys()):
        release(engine)


# A child process must not share its parent's connections: give them back before forking.
os.register_at_fork(before=_release_all)
