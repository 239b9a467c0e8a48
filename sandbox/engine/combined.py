"""A case's move as one statement on PostgreSQL: state, chain head, event, timers, notes.

Why: a statement costs a round trip plus about a tenth of a millisecond of driver and
SQLAlchemy work, and a transition written one statement at a time (state, event, deadline,
its reminders, notifications) spends most of its time there. PostgreSQL runs
data-modifying CTEs within one statement, so the door sends the conditional state UPDATE
(version, state and chain head as read with the case, see ``door``) with every other
write hanging off its RETURNING: when the condition fails, nothing at all is written and
the door takes the one-by-one path (which answers 409, or appends under the row lock).
Each other write reads ``moved`` first, so the case row is locked before any timer row,
the order the one-by-one path takes too.

The documents the move issues go in too when their facts need no query (their context
is computed before the statement and bound as JSON).

A statement is built once per shape (which deadlines start with how many reminders,
whether deadlines are cancelled, who is notified, how many documents) and cached; a call
binds values only.
Moves that must read their timers first (pause, resume, a capped deadline) and SQLite
(no data-modifying CTEs) keep the one-by-one path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..adapters.db import LONE_WRITE
from ..adapters.direct import Direct
from ..adapters.snapshots import stamp_column
from ..adapters.tables import AuditEvent, Document, Timer
from . import documents, notify, timers
from .audit import NewEvent
from .messages import transition_message

if TYPE_CHECKING:
    from .door import FireContext

__all__ = ["move_case"]

_EVENT = AuditEvent.__table__  # type: ignore[attr-defined]
_TIMER = Timer.__table__  # type: ignore[attr-defined]
_DOCUMENT = Document.__table__  # type: ignore[attr-defined]
# Values the other statements of the move share with the state UPDATE (see door._write):
# fewer parameters and a shorter text keep the statement within what psycopg caches.
_CASE_ID = bindparam("b_id", type_=Integer)
_NOW = bindparam("b_now", type_=_EVENT.c.at.type)
_EVENT_OWN = ("actor_user_id", "actor_label", "action", "tag", "subject", "payload_digest",
              "prev_hash", "payload")
_STATEMENTS: dict[tuple[Any, ...], Direct] = {}


def _insert_select(table: Any, values: dict[str, Any], source: Any) -> Any:
    """INSERT INTO table (keys) SELECT values [FROM source]."""
    rows = select(*values.values())
    return insert(table).from_select(list(values), rows if source is None else rows.select_from(source))


def _b(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


def _timer_row(kind: Any, due_at: Any, last_day: Any, **more: Any) -> dict[str, Any]:
    t = _TIMER.c
    return {"case_id": _CASE_ID, "subject_type": literal_column("'case'", String),
            "subject_id": _CASE_ID, "kind": kind, "status": literal_column("'pending'", String),
            "due_at": due_at, "last_day": last_day, "counted_from": _NOW,
            "extra_days": literal_column("0", Integer), "created_at": _NOW,
            "attempts": literal_column("0", Integer),
            **{k: v if v is not None else literal_column("NULL", t[k].type) for k, v in more.items()}}


def _documents(count: int, source: Any) -> Any:
    """INSERT the move's documents (keys make a replay issue nothing) RETURNING their ids."""
    d = _DOCUMENT.c
    rows = [select(_b(f"d{k}_key", d.key), _b(f"d{k}_case", d.case_id), _b(f"d{k}_kind", d.kind),
                   literal_column("'pending'", String), _b(f"d{k}_context", d.context), _NOW,
                   literal_column("0", Integer)).select_from(source) for k in range(count)]
    return (pg_insert(_DOCUMENT)
            .from_select(["key", "case_id", "kind", "status", "context", "created_at", "attempts"],
                         rows[0] if count == 1 else union_all(*rows))
            .on_conflict_do_nothing(index_elements=["key"]).returning(d.id))


def _build(write: Any, starts: tuple[int, ...], cancel: bool, shapes: tuple[str, ...],
           exclude: bool, papers: int) -> Any:
    # The row's new stamp, for this process to act on the case next without reading it.
    stamp = stamp_column(write.table).label("stamp")
    moved = write.returning(literal_column("1").label("moved"), stamp).cte("moved")
    gate = select(moved.c.moved)
    e = _EVENT.c
    event = {"case_id": _CASE_ID, "seq": bindparam("b_new_seq", type_=Integer), "at": _NOW,
             "from_state": _b("b_from", e.from_state), "to_state": _b("b_to", e.to_state),
             "hash": _b("b_head", e.hash), **{c: _b(f"e_{c}", e[c]) for c in _EVENT_OWN}}
    parts = [_insert_select(_EVENT, event, moved).cte("event")]
    if cancel:
        parts.append(timers.CANCEL_KINDS_ARRAY.where(gate.exists()).cte("cancelled"))
    t = _TIMER.c
    for i, reminders in enumerate(starts):
        last_day = _b(f"s{i}_last", t.last_day)
        main = _insert_select(_TIMER, _timer_row(
            _b(f"s{i}_kind", t.kind), _b(f"s{i}_due", t.due_at), last_day,
            period=_b(f"s{i}_period", t.period), trigger=_b(f"s{i}_trigger", t.trigger),
        ), moved).returning(t.id).cte(f"deadline{i}")
        parts.append(main)
        rows = [select(*_timer_row(
            _b(f"r{i}_kind", t.kind), _b(f"r{i}_{j}_due", t.due_at), last_day,
            period=cast(literal_column("'{}'"), JSON), reminder_days=_b(f"r{i}_{j}_n", t.reminder_days),
            parent_id=main.c.id,
        ).values()).select_from(main) for j in range(reminders)]
        if rows:
            columns = list(_timer_row(None, None, None, period=None, reminder_days=None,
                                      parent_id=None))
            parts.append(insert(_TIMER).from_select(
                columns, rows[0] if len(rows) == 1 else union_all(*rows)).cte(f"reminders{i}"))
    columns = [moved.c.moved, moved.c.stamp]
    if shapes:
        notes = notify.insert_select("postgresql", shapes, exclude, gate, _CASE_ID, _NOW).cte("notes")
        parts.append(notes)
        # The new notifications' ids, to publish after commit (notify.stash).
        columns.append(select(func.array_agg(notes.c.id)).scalar_subquery().label("notes"))
    if papers:
        issued = _documents(papers, moved).cte("documents")
        parts.append(issued)
        columns.append(select(func.array_agg(issued.c.id)).scalar_subquery().label("documents"))
    # All or nothing in itself: in a lone unit of work it commits on its own (adapters.db).
    return select(*columns).add_cte(*parts).execution_options(**{LONE_WRITE: True})


def move_case(ctx: FireContext, write: Any, params: dict[str, Any], event: NewEvent) -> str:
    """Write the whole move in one statement: ``done``, ``missed`` (nothing written: the
    condition failed) or ``unfit`` (this move needs the one-by-one path).

    ``write`` is the door's conditional UPDATE of the case with its ``params``; it binds
    the case id, the time, the states, the new sequence number and hash as ``b_*``.
    """
    session, definition = ctx.session, ctx.definition
    if session.get_bind().dialect.name != "postgresql":
        return "unfit"
    plan = timers.plan(definition, ctx.from_state, ctx.to_state) if definition.timers else None
    if plan is not None and (plan.read or any(spec.capped_by for spec in plan.start)):
        return "unfit"
    case, now = ctx.case, ctx.now
    params = {**params, **{f"e_{c}": event.fields[c] for c in _EVENT_OWN if c != "payload"},
              "e_payload": event.payload}
    starts: list[int] = []
    for i, spec in enumerate(plan.start if plan else ()):
        row = timers.deadline_row(spec, ctx.rules, ctx.engine.calendar, now, case.id,
                                  "case", case.id, ctx.payload)
        reminders = timers.reminder_rows(spec, ctx.rules, now, None, case.id, "case", case.id,
                                         row["last_day"])
        params.update({f"s{i}_kind": row["kind"], f"s{i}_due": row["due_at"],
                       f"s{i}_last": row["last_day"], f"s{i}_period": row["period"],
                       f"s{i}_trigger": row["trigger"], f"r{i}_kind": f"{spec.kind}:reminder"})
        for j, reminder in enumerate(reminders):
            params.update({f"r{i}_{j}_due": reminder["due_at"],
                           f"r{i}_{j}_n": reminder["reminder_days"]})
        starts.append(len(reminders))
        ctx.started[spec.kind] = row["last_day"]
    # The documents it issues, when their facts need no query (engine/documents.PURE).
    papers = documents.prepare(ctx, cause=f"ev:{event.hash[:32]}")
    if papers is None:
        return "unfit"
    for k, paper in enumerate(papers):
        params.update({f"d{k}_key": paper["key"], f"d{k}_case": paper["case_id"],
                       f"d{k}_kind": paper["kind"], f"d{k}_context": paper["context"]})
    if plan and plan.cancel:
        params.update(timers.cancel_params("case", case.id, plan.cancel))
    shapes = notify.who(ctx.transition.notify, case, None)
    exclude = ctx.unnotified
    if shapes:
        params.update(notify.recipient_params(case, None, definition.filer_roles))
        params.update(notify.message_params(f"ev:{event.hash[:32]}", case.id,
                                            transition_message(ctx), now))
        if exclude is not None:
            params["w_exclude"] = exclude
    key = (id(write), tuple(starts), bool(plan and plan.cancel), shapes, exclude is not None,
           len(papers))
    move = _STATEMENTS.get(key)
    if move is None:
        move = _STATEMENTS[key] = Direct(_build(write, tuple(starts), bool(plan and plan.cancel),
                                                shapes, exclude is not None, len(papers)),
                                         session.get_bind().dialect)
    row = move.run(session, params)
    if row is None:
        ctx.started.clear()
        return "missed"
    ctx.stamp = row[1]
    notes = row[2] if shapes else None
    if notes:
        notify.stash(session, "notification", notes)
    issued = row[-1] if papers else None
    if issued:
        notify.stash(session, "document", issued)
    return "done"
