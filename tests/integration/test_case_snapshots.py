"""An action on a case this process kept (adapters.snapshots): one round trip, and never
acted on when the row changed or the caller may no longer see it.

The move commits by itself, so these tests look from a second connection; they change rows
behind the process's back from there too, the way another process or a hand-run SQL would.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from sandbox.adapters import snapshots
from sandbox.adapters.tables import AuditEvent, Case
from sandbox.domain.errors import Conflict, NotFound
from sandbox.engine import audit, door
from sandbox.engine.actors import Actor
from sandbox.engine.gates import Unverified
from sandbox.services import cases as case_service
from sandbox.services.visibility import unchanged_and_visible
from tests.support.flows import DISTRICT
from tests.support.moves import note_on
from tests.support.wire import tracing

pytestmark = pytest.mark.postgres


def kept_case(rt: Any, actors: dict[str, Actor]) -> int:
    """A submitted case, moved twice since, so this process keeps it at version 4 with the
    gated move prepared on its connection."""
    case_id = case_service.file_case(rt, actors["filer"], "district_designation", DISTRICT)
    case_service.fire_action(rt, actors["filer"], case_id, "submit", {})
    case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                             {"items": "도면", "version": 2})
    case_service.fire_action(rt, actors["filer"], case_id, "resubmit", {"version": 3})
    return case_id


def seen_by(other: Any, case_id: int) -> tuple[str, int, list[str]]:
    with other.connect() as conn:
        row = conn.execute(text('SELECT state, version FROM "case" WHERE id = :id'),
                           {"id": case_id}).one()
        actions = conn.execute(text("SELECT action FROM auditevent WHERE case_id = :id ORDER BY seq"),
                               {"id": case_id}).scalars().all()
    return row.state, row.version, list(actions)


def behind_its_back(other: Any, sql: str, case_id: int) -> None:
    with other.begin() as conn:
        conn.execute(text(sql), {"id": case_id})


def chain_holds(rt: Any, case_id: int) -> bool:
    with rt.uow() as uow:
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                     .order_by(AuditEvent.seq)).all()
        return audit.verify_case(list(events)) is None


def test_an_action_on_a_kept_case_is_one_round_trip(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    with tracing(pg_app.extensions["sandbox.db"]) as wire:
        case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                                 {"items": "도면", "version": 4})
    assert wire.round_trips == 1, wire.lines  # the move only: the case was not read again
    assert seen_by(other, case_id)[:2] == ("supplement_requested", 5)
    with tracing(pg_app.extensions["sandbox.db"]) as wire:
        case_service.fire_action(rt, actors["filer"], case_id, "resubmit", {"version": 5})
    assert wire.round_trips == 1, wire.lines
    assert seen_by(other, case_id)[:2] == ("submitted", 6)
    assert chain_holds(rt, case_id)


def test_a_row_changed_by_another_path_is_read_again_before_the_move(pg_app, actors, other):
    """The version stays, the row does not: the kept copy is not acted on."""
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    behind_its_back(other, 'UPDATE "case" SET flags = \'{"noted": true}\' WHERE id = :id', case_id)
    with tracing(pg_app.extensions["sandbox.db"]) as wire:
        case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                                 {"items": "도면", "version": 4})
    assert wire.round_trips > 1  # the gated move missed; the case was read, then moved
    assert seen_by(other, case_id) == ("supplement_requested", 5, [
        "file", "submit", "request_supplement", "resubmit", "request_supplement"])
    with rt.uow() as uow:
        assert uow.session.get(Case, case_id).flags == {"noted": True}  # nothing overwritten
    assert chain_holds(rt, case_id)


def test_a_caller_who_may_no_longer_see_the_case_gets_404_and_nothing_is_written(
        pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    # The case passes to Busan behind the process's back (its version unchanged).
    behind_its_back(other, 'UPDATE "case" SET filer_org = \'busan\', local_government = \'busan\' '
                           "WHERE id = :id", case_id)
    with pytest.raises(NotFound):
        case_service.fire_action(rt, actors["filer"], case_id, "withdraw", {"version": 4})
    assert seen_by(other, case_id)[:2] == ("submitted", 4)


def test_an_event_appended_meanwhile_is_chained_before_the_move(pg_app, actors, other):
    """Another event on the case (a note, a comment) moves its chain, not its version."""
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    note_on(rt, case_id, actors["secretariat"])
    case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                             {"items": "도면", "version": 4})
    assert seen_by(other, case_id) == ("supplement_requested", 5, [
        "file", "submit", "request_supplement", "resubmit", "note", "request_supplement"])
    assert chain_holds(rt, case_id)


def test_a_stale_version_is_409_whether_or_not_the_case_is_kept(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    with pytest.raises(Conflict):
        case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                                 {"items": "도면", "version": 3})
    with pytest.raises(Conflict):  # moved by another process: kept at 4, the row is at 5
        behind_its_back(other, 'UPDATE "case" SET version = 5 WHERE id = :id', case_id)
        case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                                 {"items": "도면", "version": 4})
    assert seen_by(other, case_id)[:2] == ("submitted", 5)


def test_an_action_that_fails_on_the_kept_case_answers_as_on_a_read_one(pg_app, actors, other):
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    with pytest.raises(NotFound):  # a stranger: 404, not the 403 the kept copy would give
        case_service.fire_action(rt, actors["stranger"], case_id, "withdraw", {"version": 4})
    with pytest.raises(Conflict):  # not possible in this state
        case_service.fire_action(rt, actors["filer"], case_id, "resubmit", {"version": 4})
    case_service.fire_action(rt, actors["secretariat"], case_id, "request_supplement",
                             {"items": "도면", "version": 4})
    assert seen_by(other, case_id)[:2] == ("supplement_requested", 5)


def test_a_kept_copy_is_the_callers_alone(pg_app, actors):
    """What a reader does to the object it got does not change what is kept, and an object
    taken is no longer kept (the next action reads the case, unless the move keeps it)."""
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    case = case_service.get_case(rt, actors["secretariat"], case_id)
    case.data["name"] = "changed in memory"
    with rt.uow() as uow:
        taken = snapshots.take(uow.session, Case, case_id, 4)
        assert taken is not None and taken.data["name"] == DISTRICT["name"]
        assert snapshots.stamp_of(taken) is not None
        assert snapshots.take(uow.session, Case, case_id, 4) is None


def test_the_gated_move_itself_checks_who_may_see_the_case(pg_app, actors, other):
    """The caller's filter is in the move's WHERE, not only in the checks before it: a
    gate for someone who may not see the case makes the move write nothing."""
    rt = pg_app.extensions["sandbox"]
    case_id = kept_case(rt, actors)
    with rt.uow(lone=True) as uow:
        case = snapshots.take(uow.session, Case, case_id, 4)
        gate = unchanged_and_visible(actors["stranger"], snapshots.stamp_of(case))
        with pytest.raises(Unverified):
            door.fire(uow.session, rt.engine, rt.clock.now(), actors["secretariat"], case,
                      "request_supplement", {"items": "도면"}, expected_version=4, case=case,
                      gate=gate)
    assert seen_by(other, case_id)[:2] == ("submitted", 4)
    with rt.uow(lone=True) as uow:  # the same move, gated for the one who fires it, writes
        case = case_service.visible_case(uow.session, actors["secretariat"], case_id)
        gate = unchanged_and_visible(actors["secretariat"], snapshots.stamp_of(case))
        door.fire(uow.session, rt.engine, rt.clock.now(), actors["secretariat"], case,
                  "request_supplement", {"items": "도면"}, expected_version=4, case=case,
                  gate=gate)
        uow.commit()
    assert seen_by(other, case_id)[:2] == ("supplement_requested", 5)
