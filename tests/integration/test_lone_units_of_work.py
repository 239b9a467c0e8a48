"""A transition as two round trips on PostgreSQL (adapters.db lone units of work,
adapters.direct), and everything that must stay true when it is.

The move commits by itself, so these tests look from a second connection, and count what
crosses the wire with libpq's trace.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import exc, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sandbox.adapters import lone_connections, snapshots
from sandbox.adapters.db import LoneWriteError
from sandbox.adapters.direct import Direct, DirectLoad
from sandbox.adapters.tables import AuditEvent, Case, Document, Notification, Organisation, Timer
from sandbox.domain.errors import Conflict, NotFound
from sandbox.engine import audit, door
from sandbox.engine.actors import Actor
from sandbox.services import cases as case_service
from sandbox.services.visibility import visible_case
from tests.support.flows import DISTRICT
from tests.support.moves import note_on
from tests.support.wire import tracing

pytestmark = pytest.mark.postgres


def submitted_case(rt: Any, actors: dict[str, Actor]) -> int:
    case_id = case_service.file_case(rt, actors["filer"], "district_designation", DISTRICT)
    case_service.fire_action(rt, actors["filer"], case_id, "submit", {})
    return case_id


def state_seen_by(other: Any, case_id: int) -> tuple[str, int]:
    with other.connect() as conn:
        row = conn.execute(text('SELECT state, version FROM "case" WHERE id = :id'),
                           {"id": case_id}).one()
        return row.state, row.version


def test_an_action_is_two_round_trips_and_its_move_commits_by_itself(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    db = pg_app.extensions["sandbox.db"]
    case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                             {"items": "도면"})  # warm: statements prepared on the connection
    case_service.fire_action(rt, actors["filer"], case_id, "resubmit", {})
    with rt.uow() as uow:  # a case this process did not keep (see test_case_snapshots)
        snapshots.forget(uow.session, Case, case_id)
    with tracing(db) as wire:
        case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                                 {"items": "도면", "version": 4})
    assert wire.round_trips == 2, wire.lines  # load the case; the move (its commit with it)
    assert "BEGIN" not in wire.asked() and "COMMIT" not in wire.asked()
    assert state_seen_by(other, case_id) == ("supplement_requested", 5)

    with rt.uow(lone=True) as uow:
        case = visible_case(uow.session, actors["filer"], case_id)
        door.fire(uow.session, rt.engine, rt.clock.now(), actors["filer"], case, "resubmit", {})
        # Committed before the unit of work's commit: the move was its own transaction.
        assert state_seen_by(other, case_id) == ("submitted", 6)
        with pytest.raises(LoneWriteError):
            uow.session.execute(update(Case).where(Case.id == case_id).values(flags={"x": 1}))
        uow.commit()
    with other.connect() as conn:
        assert conn.execute(text('SELECT flags FROM "case" WHERE id = :id'),
                            {"id": case_id}).scalar() == {}


def test_a_first_ordinary_write_makes_it_a_transaction_again(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    with rt.uow(lone=True) as uow:
        uow.session.execute(update(Case).where(Case.id == case_id).values(flags={"seen": True}))
        uow.session.execute(update(Case).where(Case.id == case_id).values(version=99))
        assert state_seen_by(other, case_id) == ("submitted", 2)  # not committed yet
        uow.rollback()
    assert state_seen_by(other, case_id) == ("submitted", 2)
    with rt.uow(lone=True) as uow:  # a locking read starts the transaction too
        uow.session.scalars(select(Case).where(Case.id == case_id).with_for_update()).one()
        driver = uow.session.connection().connection.dbapi_connection
        assert driver.info.transaction_status.name == "INTRANS"
        uow.rollback()
    with rt.uow() as uow:  # the pooled connection is back to transactions
        uow.session.get(Case, case_id)
        driver = uow.session.connection().connection.dbapi_connection
        assert driver.autocommit is False
        assert driver.info.transaction_status.name == "INTRANS"


def test_a_move_that_lost_its_race_writes_nothing_and_answers_409(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    with rt.uow(lone=True) as uow:
        case = visible_case(uow.session, actors["secretariat"], case_id)
        with other.begin() as conn:  # someone else moves the case after our read
            conn.execute(text('UPDATE "case" SET version = version + 1 WHERE id = :id'),
                         {"id": case_id})
        with pytest.raises(Conflict):
            door.fire(uow.session, rt.engine, rt.clock.now(), actors["secretariat"], case,
                      "request_supplement", {"items": "도면"})
    assert state_seen_by(other, case_id) == ("submitted", 3)
    with other.connect() as conn:
        events = conn.execute(text("SELECT action FROM auditevent WHERE case_id = :id"),
                              {"id": case_id}).scalars().all()
    assert events == ["file", "submit"]


def test_the_direct_load_filters_by_the_caller_and_matches_the_orm(pg_app, actors):
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    with rt.uow(lone=True) as uow:
        with pytest.raises(NotFound):
            visible_case(uow.session, actors["stranger"], case_id)
        case = visible_case(uow.session, actors["filer"], case_id)
        assert uow.session.get(Case, case_id) is case  # the same persistent object
        assert visible_case(uow.session, actors["secretariat"], case_id) is case
        assert case.created_at.tzinfo is not None and case.created_at.utcoffset() == UTC.utcoffset(None)
        assert case.data["name"] == DISTRICT["name"] and case not in uow.session.dirty
    with rt.uow() as uow:
        orm = uow.session.get(Case, case_id)
        assert orm is not None
        assert {c: getattr(orm, c) for c in Case.model_fields} == {
            c: getattr(case, c) for c in Case.model_fields}


def test_direct_statements_raise_sqlalchemy_errors(pg_app):
    rt = pg_app.extensions["sandbox"]
    table = Organisation.__table__  # type: ignore[attr-defined]
    with rt.uow() as uow:
        dialect = uow.session.get_bind().dialect
        duplicate = Direct(pg_insert(table).values(code="MOLIT", kind="ministry", name_ko="x",
                                                   name_en="x").returning(table.c.code), dialect)
        with pytest.raises(exc.IntegrityError):
            duplicate.run(uow.session, {})
    with rt.uow() as uow:  # the connection is usable afterwards
        load = DirectLoad(Organisation, table.c.code == "MOLIT", uow.session.get_bind().dialect)
        assert load.one(uow.session, {}).kind == "ministry"


def test_a_move_after_the_chain_moved_appends_under_the_lock(pg_app, actors, other):
    """Someone else's event (a comment, say) moved the chain after our read, not the state:
    the one statement misses on the head, and the move is written as an ordinary
    transaction that appends after that event."""
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    with rt.uow(lone=True) as uow:
        case = visible_case(uow.session, actors["secretariat"], case_id)
        note_on(rt, case_id, actors["secretariat"])
        door.fire(uow.session, rt.engine, rt.clock.now(), actors["secretariat"], case,
                  "request_supplement", {"items": "도면"})
        uow.commit()
    assert state_seen_by(other, case_id) == ("supplement_requested", 3)
    with rt.uow() as uow:
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                     .order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["file", "submit", "note", "request_supplement"]
        assert audit.verify_case(list(events)) is None
        timers = uow.session.scalars(select(Timer.kind).where(Timer.case_id == case_id,
                                                              Timer.status == "pending")).all()
        assert sorted(timers) == ["supplement_deadline", "supplement_deadline:reminder",
                                  "supplement_deadline:reminder"]


def test_the_lone_part_runs_on_its_own_connection_and_gives_it_back(pg_app, actors, other):
    """The load and the move go on a connection the unit of work took for them, not
    through the session's transaction; once the session itself takes a connection,
    statements go on that one. Afterwards that connection is kept in autocommit for the
    next lone unit of work, the session's is back in the pool, and once given back too
    every pooled connection is back to transactions."""
    rt = pg_app.extensions["sandbox"]
    db = pg_app.extensions["sandbox.db"]
    case_id = submitted_case(rt, actors)
    with rt.uow(lone=True) as uow:
        case = visible_case(uow.session, actors["secretariat"], case_id)
        assert uow.connected is False  # the load did not go through the session
        door.fire(uow.session, rt.engine, rt.clock.now(), actors["secretariat"], case,
                  "request_supplement", {"items": "도면"})
        assert state_seen_by(other, case_id) == ("supplement_requested", 3)
        # The session may read after the lone write; its connection carries the rule on.
        assert uow.session.scalar(select(Case.version).where(Case.id == case_id)) == 3
        assert uow.connected is True
        with pytest.raises(LoneWriteError):
            uow.session.execute(update(Case).where(Case.id == case_id).values(flags={"x": 1}))
        uow.commit()
    assert db.pool.checkedout() == 1  # kept for the next lone unit of work
    lone_connections.release(db)
    assert db.pool.checkedout() == 0
    held = [db.raw_connection() for _ in range(db.pool.checkedin())]
    try:
        assert all(c.dbapi_connection.autocommit is False for c in held)
    finally:
        for c in held:
            c.close()


def test_a_driver_write_that_is_not_lone_stays_in_the_sessions_transaction(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = submitted_case(rt, actors)
    table = Case.__table__  # type: ignore[attr-defined]
    with rt.uow(lone=True) as uow:
        dialect = uow.session.get_bind().dialect
        mark = Direct(update(table).where(table.c.id == case_id).values(flags={"marked": True})
                      .returning(table.c.id), dialect)
        assert mark.run(uow.session, {}) == [case_id]
        assert uow.connected is True  # it went through the session's connection...
        with other.connect() as conn:  # ...and its transaction: not committed yet
            assert conn.execute(text('SELECT flags FROM "case" WHERE id = :id'),
                                {"id": case_id}).scalar() == {}
        uow.rollback()
    with other.connect() as conn:
        assert conn.execute(text('SELECT flags FROM "case" WHERE id = :id'),
                            {"id": case_id}).scalar() == {}


def test_a_move_committed_by_itself_publishes_its_outbox_rows(pg_app, actors):
    """With nothing left for the session to commit, the unit of work skips its commit; the
    move's notification and document are published all the same, and only once."""
    rt = pg_app.extensions["sandbox"]
    publisher = pg_app.extensions["sandbox.publisher"]
    case_id = submitted_case(rt, actors)
    publisher.items.clear()
    case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                             {"items": "도면", "version": 2})
    with rt.uow() as uow:
        notes = uow.session.scalars(select(Notification.id).where(
            Notification.case_id == case_id, Notification.kind == "case:request_supplement")).all()
        papers = uow.session.scalars(select(Document.id).where(
            Document.case_id == case_id, Document.kind == "supplement_request")).all()
    assert notes and len(papers) == 1
    assert sorted(publisher.items) == sorted([("notification", n) for n in notes]
                                             + [("document", papers[0])])
