"""Races on PostgreSQL: several web processes and sweeps acting on the same rows at once.

Each thread has its own test client (or its own units of work) and starts at a barrier, so
the requests really overlap. Every race must end in one winner, never two, and never 500.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from sandbox.adapters.tables import AuditEvent, Case, Notification, Timer
from sandbox.domain.calendar import KST
from sandbox.engine.actors import Actor
from sandbox.services import cases as case_service
from sandbox.services.timers import fire_due_timers
from tests.support.api import ApiClient
from tests.support.cast import SECRETARIAT, SEJONG, make_cast
from tests.support.flows import DISTRICT, filed_district, ok
from tests.support.people import People

pytestmark = pytest.mark.postgres

START = datetime(2026, 9, 10, 10, 0, tzinfo=KST)
SECRETARIAT_2 = "sec2@molit.go.kr"


@pytest.fixture
def pg_api(pg_app: Any) -> ApiClient:
    people = People(pg_app.extensions["sandbox"])
    make_cast(people)
    people.user(SECRETARIAT_2, "secretariat", "MOLIT", "박사무")
    for email in (SECRETARIAT, SECRETARIAT_2, SEJONG):
        people.token(email)  # issued up front, not inside the race
    return ApiClient(pg_app.test_client(), people)


def race(*jobs: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run the jobs in threads released together; their results (or exceptions), in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a racer hung (deadlock?)"
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def own_client(app: Any, api: ApiClient) -> ApiClient:
    return ApiClient(app.test_client(), api.people)


def row_count(app: Any, query: Any) -> int:
    with app.extensions["sandbox"].uow() as uow:
        return int(uow.session.scalar(query) or 0)


def case_row(app: Any, case_id: int) -> Case:
    with app.extensions["sandbox"].uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case


def actions_of(app: Any, case_id: int) -> list[str]:
    with app.extensions["sandbox"].uow() as uow:
        return list(uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        ))


# --- (a) the same transition twice at the same instant -------------------------------------

RACES = {
    # two secretariat users return the same submitted district
    "return": (("return", SECRETARIAT, {"reason": "첨부 누락"}),
               ("return", SECRETARIAT_2, {"reason": "관할 아님"})),
    # the filer's double click
    "submit": (("submit", SEJONG, {}), ("submit", SEJONG, {})),
    # two different moves out of the same state
    "return_or_supplement": (("return", SECRETARIAT, {"reason": "첨부 누락"}),
                             ("request_supplement", SECRETARIAT_2, {"items": "도면"})),
}


@pytest.mark.parametrize("name", list(RACES))
def test_one_of_two_simultaneous_transitions_wins(pg_app, pg_api, name):
    first, second = RACES[name]
    for _ in range(5):
        case = filed_district(pg_api)
        if first[0] != "submit":
            ok(pg_api.action(case["id"], "submit", SEJONG))
        before = case_row(pg_app, case["id"])

        def job(spec: tuple[str, str, dict[str, Any]], case_id: int = case["id"]) -> Callable[[], Any]:
            client = own_client(pg_app, pg_api)
            return lambda: client.action(case_id, spec[0], spec[1], **spec[2])

        responses = race(job(first), job(second))
        assert sorted(r.status for r in responses) == [200, 409], responses
        [winner] = [r for r in responses if r.status == 200]
        [loser] = [r for r in responses if r.status == 409]
        assert loser.content_type.startswith("application/problem+json")
        after = case_row(pg_app, case["id"])
        assert after.version == before.version + 1
        assert after.state == winner.json["state"]
        actions = actions_of(pg_app, case["id"])
        fired = [spec[0] for spec in (first, second)]
        assert sum(actions.count(a) for a in set(fired)) == 1, actions
        assert after.audit_seq == len(actions)


# --- (b) two sweeps over the same due timers ------------------------------------------------


def _supplement_requested_cases(app: Any, api: ApiClient, n: int) -> list[int]:
    rt = app.extensions["sandbox"]
    people = api.people
    filer = Actor(people.id(SEJONG), "local_government", "sejong", "세종 담당관")
    secretariat = Actor(people.id(SECRETARIAT), "secretariat", "MOLIT", "김사무")
    ids = []
    for i in range(n):
        case_id = case_service.file_case(rt, filer, "district_designation",
                                         {**DISTRICT, "name": f"지구 {i}"})
        case_service.fire_action(rt, filer, case_id, "submit", {})
        case_service.fire_action(rt, secretariat, case_id, "request_supplement", {"items": "도면"})
        ids.append(case_id)
    return ids


def test_two_sweeps_fire_each_due_timer_once(pg_app, pg_api):
    rt = pg_app.extensions["sandbox"]
    with freeze_time(START):
        ids = _supplement_requested_cases(pg_app, pg_api, 300)
    with rt.uow() as uow:
        dues = set(uow.session.scalars(
            select(Timer.due_at).where(Timer.kind == "supplement_deadline")
        ))
    [due] = dues  # every case was filed at the same frozen instant
    # The reminders go first, so that the race is over the 300 deadlines alone.
    assert fire_due_timers(rt, now=due - timedelta(seconds=1)) == 600

    counts = race(lambda: fire_due_timers(rt, now=due, batch=50),
                  lambda: fire_due_timers(rt, now=due, batch=50))
    assert sum(counts) == 300, counts
    assert fire_due_timers(rt, now=due) == 0

    with rt.uow() as uow:
        s = uow.session
        statuses = Counter(s.scalars(select(Timer.status).where(Timer.kind == "supplement_deadline")))
        assert statuses == {"fired": 300}
        states = Counter(s.scalars(select(Case.state).where(Case.id.in_(ids))))
        assert states == {"withdrawn": 300}
        lapses = Counter(s.scalars(select(AuditEvent.case_id).where(AuditEvent.action == "lapse")))
        assert lapses == dict.fromkeys(ids, 1)
        versions = Counter(s.scalars(select(Case.version).where(Case.id.in_(ids))))
        assert len(versions) == 1  # file, submit, request_supplement, lapse: same for all
        keys = list(s.scalars(select(Notification.key)))
        assert len(keys) == len(set(keys))
        lapse_notes = Counter(s.scalars(
            select(Notification.case_id).where(Notification.kind == "case:lapse")
        ))
        # one to the filer (sejong's official), one to each of the two secretariat users
        assert lapse_notes == dict.fromkeys(ids, 3)


# --- (c) a sweep racing the filer's resubmission --------------------------------------------


def test_sweep_racing_a_resubmission_has_one_winner(pg_app, pg_api):
    rt = pg_app.extensions["sandbox"]
    outcomes: Counter[str] = Counter()
    for _ in range(25):
        case = filed_district(pg_api)
        ok(pg_api.action(case["id"], "submit", SEJONG))
        ok(pg_api.action(case["id"], "request_supplement", SECRETARIAT, items="도면"))
        with rt.uow() as uow:
            due = uow.session.scalar(
                select(Timer.due_at).where(Timer.case_id == case["id"],
                                           Timer.kind == "supplement_deadline")
            )
        client = own_client(pg_app, pg_api)
        swept, response = race(
            lambda due=due: fire_due_timers(rt, now=due),
            lambda client=client, case_id=case["id"]: client.action(case_id, "resubmit", SEJONG),
        )
        assert response.status in (200, 409), response
        after = case_row(pg_app, case["id"])
        actions = actions_of(pg_app, case["id"])
        with rt.uow() as uow:
            status = uow.session.scalar(
                select(Timer.status).where(Timer.case_id == case["id"],
                                           Timer.kind == "supplement_deadline")
            )
        if response.status == 200:
            outcomes["resubmitted"] += 1
            assert after.state == "submitted"
            assert status == "cancelled"
            assert "lapse" not in actions
            assert actions.count("resubmit") == 1
        else:
            outcomes["lapsed"] += 1
            assert after.state == "withdrawn"
            assert status == "fired"
            assert "resubmit" not in actions
            assert actions.count("lapse") == 1
        assert after.audit_seq == len(actions)
        assert swept >= 0
        # Whatever happened, nothing is left to fire for this case.
        assert fire_due_timers(rt, now=due) == 0
        assert row_count(pg_app, select(func.count()).select_from(Timer).where(
            Timer.case_id == case["id"], Timer.status == "pending",
            Timer.kind == "supplement_deadline")) == 0
    assert sum(outcomes.values()) == 25
