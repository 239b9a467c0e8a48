"""Rows this process last read or wrote, with PostgreSQL's stamp of that version (``xmin``),
so that a transition need not read its case again before it writes.

Why: reading the case is one of a transition's two round trips, and turning the row into
an object is a good part of its client time. A row's ``xmin`` is the id of the transaction
that wrote that version of it. Any change of the row, by any path, gives it a new one, and
no two transactions share an id: a rolled-back transaction's id is never seen on a
committed row. So a snapshot is exactly the row for as long as the row's ``xmin`` still
equals the stamp kept with it. The write that acts on a snapshot checks exactly that in
its own WHERE (``stamp_column``, see visibility.unchanged_and_visible and engine/combined): a stale
snapshot makes that write miss, and the caller starts over from a fresh read; it is never
acted on. Locks (``FOR UPDATE``, foreign-key checks) leave ``xmin`` alone and change nothing.
Transaction ids wrap around after 2**32 of them, so snapshots are dropped long before that
(``MAX_AGE_S``).

Only PostgreSQL has such a stamp: on SQLite nothing is kept (its loads carry no stamp).
"""

from __future__ import annotations

import copy
import functools
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

from sqlalchemy import BigInteger, literal_column
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.base import instance_state, manager_of_class

__all__ = ["stamp_column", "set_stamp", "stamp_of", "keep", "take", "forget", "MAX_AGE_S", "SIZE"]

SIZE = 4096  # cases per process and database; the least recently kept go first
MAX_AGE_S = 600.0  # far below the hours even a busy server takes to wrap 2**31 ids
_STAMP_KEY = "sandbox.stamp"  # instance state info: the row's xmin as it was loaded


def stamp_column(table: Any) -> Any:
    """``xmin`` of ``table``'s row as a number (PostgreSQL only)."""
    return literal_column(f'"{table.name}".xmin::text::bigint', BigInteger)


def set_stamp(instance: Any, stamp: int | None) -> None:
    instance_state(instance).info[_STAMP_KEY] = stamp


def stamp_of(instance: Any) -> int | None:
    return instance_state(instance).info.get(_STAMP_KEY)


class _Kept:
    """One database's snapshots of one model, by primary key: when kept, the stamp, the
    version, and the row as a detached object or as its values."""

    def __init__(self) -> None:
        self.rows: OrderedDict[Any, tuple[float, int, Any, Any]] = OrderedDict()
        self.lock = threading.Lock()


# Per engine (each database its own ids) and model; gone with the engine.
_KEPT: weakref.WeakKeyDictionary[Any, dict[type, _Kept]] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(session: Session, model: type) -> _Kept:
    engine = session.get_bind()
    kept = _KEPT.get(engine, {}).get(model)
    if kept is None:
        with _KEPT_LOCK:
            kept = _KEPT.setdefault(engine, {}).setdefault(model, _Kept())
    return kept


@functools.cache
def _columns(model: type) -> tuple[str, ...]:
    mapper = manager_of_class(model).mapper
    return tuple(mapper.get_property_by_column(c).key for c in mapper.local_table.c)


def keep(session: Session, instance: Any, stamp: int | None = None, *, handed_over: bool = False) -> None:
    """Keep ``instance``'s row as it is now, with ``stamp`` (default: as it was loaded).

    ``handed_over``: the caller drops the object now. A detached one (a kept row the door
    moved, see take) is then kept itself; otherwise its values are kept, copied unless
    handed over (JSON columns are dicts and lists its holder may change).
    """
    stamp = stamp_of(instance) if stamp is None else stamp
    if stamp is None:
        return
    model = type(instance)
    state = instance_state(instance)
    row: Any
    if handed_over and state.detached:
        row = instance
    else:
        row = {k: state.dict[k] for k in _columns(model) if k in state.dict}
        if not handed_over:
            row = copy.deepcopy(row)
    kept = _kept(session, model)
    with kept.lock:
        kept.rows[state.identity] = (time.monotonic(), stamp, state.dict.get("version"), row)
        kept.rows.move_to_end(state.identity)
        while len(kept.rows) > SIZE:
            kept.rows.popitem(last=False)


def take(session: Session, model: type, key: Any, version: int) -> Any:
    """The kept row of ``model`` with primary key ``key``, if kept at ``version``, as a
    detached object with its stamp (``stamp_of``); else None. Nothing is
    read. The row is no longer kept: the object is the one copy (whoever moves the case
    keeps its new row, see services.cases.fire_action)."""
    kept = _kept(session, model)
    with kept.lock:
        entry = kept.rows.get((key,))
        if entry is None or entry[2] != version:
            return None
        del kept.rows[(key,)]
    at, stamp, _version, row = entry
    manager = manager_of_class(model)
    if (time.monotonic() - at > MAX_AGE_S
            or session.identity_map.get(manager.mapper.identity_key_from_primary_key([key])) is not None):
        return None
    if isinstance(row, dict):
        instance = manager.new_instance()
        instance_state(instance).dict.update(row)
        # Detached, as the row's object: the door reads and keeps it in step without the
        # session's help (session.add would cost a quarter of what not reading the row saves).
        make_transient_to_detached(instance)
    else:
        instance = row
    set_stamp(instance, stamp)
    return instance


def forget(session: Session, model: type, key: Any) -> None:
    kept = _kept(session, model)
    with kept.lock:
        kept.rows.pop((key,), None)
