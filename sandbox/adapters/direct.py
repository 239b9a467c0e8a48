"""Statements run straight on the driver: the door's hot path on PostgreSQL.

Why: SQLAlchemy spends 0.15-0.2 ms of CPU on every statement it executes (cache key,
parameter processing, execution context, result set-up): about what PostgreSQL's whole
commit of a one-row transaction costs on these machines. A transition is two statements
(load the case, the move, see engine/combined); compiled once here, they run on psycopg's
cursor with their parameters and results processed as SQLAlchemy would have processed
them (the columns' own bind and result processors), and the case comes back as the same
persistent ORM object a ``session.get`` returns.

Errors are SQLAlchemy's (``DBAPIError.instance``), and a lost connection is invalidated, so
callers cannot tell the two paths apart. SQLite and any other dialect take the ordinary
path: ``Direct.run`` is only for PostgreSQL sessions.
"""

from __future__ import annotations

from typing import Any

from psycopg import _queries as psycopg_queries
from sqlalchemy import exc, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.base import instance_state, manager_of_class
from sqlalchemy.sql import sqltypes

from .db import LONE_WRITE, driver_connection, is_plain_read, lone_wrote_nothing, run_lone_rule
from .snapshots import set_stamp, stamp_column

__all__ = ["Direct", "DirectLoad"]

# psycopg caches a statement's conversion to PostgreSQL's placeholders only up to 4,096
# characters and 50 parameters, a guard against ORM statements of ever new shapes. Ours are
# a few dozen fixed shapes, the longest a move with its deadline, reminders, notification
# and document (about 4,200 characters): uncached, each call parses it again (0.3 ms).
psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, 8192)
psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, 80)


_CURSOR = "sandbox.direct_cursor"  # connection info: the cursor Direct statements reuse


def _cursor(driver: Any, info: dict[str, Any]) -> Any:
    """The connection's cursor for Direct statements, made once per connection: a psycopg
    cursor runs one statement after another, and each fetches its one row at once."""
    cursor = info.get(_CURSOR)
    if cursor is None or cursor.connection is not driver or cursor.closed:
        cursor = info[_CURSOR] = driver.cursor()
    return cursor


def _result_processor(type_: Any, dialect: Any) -> Any:
    """SQLAlchemy's result processor of ``type_``, but none for an array whose items need
    none: psycopg already gives a list (of ids, here), which the processor would copy."""
    if isinstance(type_, sqltypes.ARRAY) and type_.item_type._cached_result_processor(dialect, None) is None:  # noqa: SLF001
        return None
    return type_._cached_result_processor(dialect, None)  # noqa: SLF001


class Direct:
    """A Core statement compiled once for one dialect, run on the session's connection."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.dialect = dialect
        self.lone_write = bool(statement.get_execution_options().get(LONE_WRITE))
        # May run outside the session's transaction in a lone unit of work (adapters.db).
        self.outside = self.lone_write or is_plain_read(self.sql)
        self._defaults = {k: v for k, v in compiled.construct_params(_check=False).items()
                          if v is not None}
        # SQLAlchemy's own bind and result processors of the statement's types.
        self._bind = tuple(compiled._bind_processors.items())  # noqa: SLF001
        processors = [_result_processor(type_, dialect)
                      for *_, type_ in compiled._result_columns]  # noqa: SLF001
        self._result = tuple((i, p) for i, p in enumerate(processors) if p is not None)

    def run(self, session: Session, params: dict[str, Any]) -> list[Any] | None:
        """Execute with ``params`` and return the first row (processed), or None."""
        values = {**self._defaults, **params}
        for name, process in self._bind:
            if name in values:
                values[name] = process(values[name])
        driver, info, invalidate = driver_connection(session, outside=self.outside)
        run_lone_rule(info, driver, self.sql, lone_write=self.lone_write)
        cursor = _cursor(driver, info)
        try:
            cursor.execute(self.sql, values, prepare=True)
            row = cursor.fetchone()  # every Direct statement returns rows (SELECT, RETURNING)
        except self.dialect.loaded_dbapi.Error as err:
            if self.dialect.is_disconnect(err, driver, cursor):
                invalidate(err)
            raise exc.DBAPIError.instance(self.sql, values, err, self.dialect.loaded_dbapi.Error,
                                          dialect=self.dialect) from err
        if row is None:
            if self.lone_write:
                lone_wrote_nothing(info)
            return None
        out = list(row)
        for i, process in self._result:
            if out[i] is not None:
                out[i] = process(out[i])
        return out


class DirectLoad:
    """``SELECT`` of one model's row by a condition, as a ``Direct`` statement, giving back
    the persistent ORM object (the one already in the session's identity map, if any, as
    ``session.get`` does), with the row's stamp when it is new (adapters.snapshots)."""

    def __init__(self, model: type, condition: Any, dialect: Any) -> None:
        self.manager = manager_of_class(model)
        self.mapper = mapper = self.manager.mapper
        table = mapper.local_table
        self.keys = [mapper.get_property_by_column(c).key for c in table.c]
        self.primary_key = [list(table.c).index(c) for c in mapper.primary_key]
        self.statement = Direct(select(*table.c, stamp_column(table)).where(condition),
                                dialect)

    def one(self, session: Session, params: dict[str, Any]) -> Any:
        row = self.statement.run(session, params)
        if row is None:
            return None
        key = self.mapper.identity_key_from_primary_key([row[i] for i in self.primary_key])
        held = session.identity_map.get(key)
        if held is not None:
            return held
        instance = self.manager.new_instance()
        instance_state(instance).dict.update(zip(self.keys, row[:-1], strict=True))
        make_transient_to_detached(instance)
        session.add(instance)
        set_stamp(instance, row[-1])
        return instance
