"""Round trips as the wire sees them: libpq's protocol trace of pooled psycopg connections.

SQLAlchemy's events cannot count round trips honestly: its BEGIN and COMMIT events fire
when psycopg sends nothing (a lone unit of work, see sandbox.adapters.db), and statements
run on the driver (sandbox.adapters.direct) raise no event. Each answer of the server ends
with ReadyForQuery, so those are counted; the client's messages say what was asked.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from sandbox.adapters import lone_connections

__all__ = ["WireTrace", "tracing"]


class WireTrace:
    def __init__(self) -> None:
        self.lines: list[str] = []

    @property
    def round_trips(self) -> int:
        return sum(1 for line in self.lines if line.startswith("B") and "\tReadyForQuery" in line)

    def asked(self) -> Counter[str]:
        """What the client sent, by message: BEGIN and COMMIT as queries, statements by their
        first words (a prepared statement's Parse happens once per connection)."""
        kinds: Counter[str] = Counter()
        for line in self.lines:
            parts = line.split("\t")
            if parts[0] != "F":
                continue
            if parts[2] == "Query":
                words = " ".join(parts[3].strip().strip('"').split()[:3])
                kinds[re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", words)] += 1
            elif parts[2] == "Execute":
                kinds["Execute (extended protocol)"] += 1
        return kinds


@contextmanager
def tracing(engine: Engine) -> Iterator[WireTrace]:
    """Trace every connection checked out of ``engine``'s pool while the block runs (the
    connections lone units of work keep between them go back to the pool first, so that
    the next is checked out, and traced, too)."""
    lone_connections.release(engine)
    trace = WireTrace()
    files: list[Any] = []
    traced: list[Any] = []

    def checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        f = tempfile.TemporaryFile("w+")
        dbapi_conn.pgconn.trace(f.fileno())
        dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        files.append(f)
        traced.append(dbapi_conn)

    def checkin(dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is not None and dbapi_conn in traced:
            dbapi_conn.pgconn.untrace()
            traced.remove(dbapi_conn)

    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    try:
        yield trace
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)
        for conn in traced:
            conn.pgconn.untrace()
        for f in files:
            f.seek(0)
            trace.lines.extend(f.read().splitlines())
            f.close()
