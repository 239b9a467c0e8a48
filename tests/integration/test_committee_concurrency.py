"""Committee races on PostgreSQL: votes and closes arriving at the same instant.

Each thread has its own test client and waits at a barrier, so the requests overlap. A race
ends with every vote stored once and counted, and one close winning (never two, never 500).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from sandbox.adapters.tables import AuditEvent, Vote
from tests.conftest import make_app
from tests.support import flows
from tests.support.api import ApiClient
from tests.support.cast import KNPA, SECRETARIAT, make_cast
from tests.support.flows import ok
from tests.support.people import People

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(postgres_only_url: str) -> Iterator[dict[str, Any]]:
    app = make_app(postgres_only_url)
    people = People(app.extensions["sandbox"])
    cast = make_cast(people)
    for email in [SECRETARIAT, *cast.members]:
        people.token(email)  # issued up front: threads only read them
    with freeze_time(datetime(2026, 3, 2, tzinfo=UTC), tick=True) as frozen:
        api = ApiClient(app.test_client(), people)
        case = flows.tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA})
        now = datetime.now(UTC)
        meeting = ok(api.post("/api/v1/meetings", {
            "title": "동시성", "mode": "written", "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat()}, SECRETARIAT), 201)
        item = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items",
                           {"case_id": case["id"], "proposal": "approve"}, SECRETARIAT), 201)
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", None, SECRETARIAT))
        yield {"app": app, "people": people, "cast": cast, "api": api, "case": case,
               "meeting": meeting, "item": item}
    app.extensions["sandbox.db"].dispose()


def race(world: dict[str, Any], *calls: Callable[[ApiClient], Any]) -> list[Any]:
    """Run each call in its own thread with its own client, all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int, call: Callable[[ApiClient], Any]) -> None:
        client = ApiClient(world["app"].test_client(), world["people"])
        barrier.wait()
        try:
            results[n] = call(client)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def votes_of(world: dict[str, Any]) -> list[tuple[int, str]]:
    with world["app"].extensions["sandbox"].uow() as uow:
        return list(uow.session.execute(
            select(Vote.user_id, Vote.choice).where(Vote.item_id == world["item"]["id"])
        ).all())


def vote(item: dict[str, Any], who: str, choice: str) -> Callable[[ApiClient], Any]:
    return lambda client: client.post(f"/api/v1/items/{item['id']}/vote", {"choice": choice}, who)


def test_two_members_voting_at_once_are_both_counted(world):
    item, members = world["item"], world["cast"].members
    results = race(world, vote(item, members[0], "for"), vote(item, members[1], "against"))
    assert [r.status for r in results] == [200, 200], results
    assert sorted(votes_of(world)) == sorted(
        [(world["people"].id(members[0]), "for"), (world["people"].id(members[1]), "against")]
    )
    tally = ok(world["api"].get(f"/api/v1/items/{item['id']}", SECRETARIAT))["tally"]
    assert (tally["present"], tally["for"], tally["against"]) == (2, 1, 1)


def test_one_member_voting_twice_at_once_leaves_one_vote(world):
    item, member = world["item"], world["cast"].members[0]
    results = race(world, vote(item, member, "for"), vote(item, member, "against"))
    assert [r.status for r in results] == [200, 200], results
    rows = votes_of(world)
    assert len(rows) == 1 and rows[0][1] in ("for", "against")


def test_two_closes_at_once_decide_once(world):
    item, meeting, case = world["item"], world["meeting"], world["case"]
    for who in world["cast"].members[:3]:
        ok(world["api"].post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, who))
    close = f"/api/v1/meetings/{meeting['id']}/close"
    results = race(world, lambda c: c.post(close, None, SECRETARIAT),
                   lambda c: c.post(close, None, SECRETARIAT))
    assert sorted(r.status for r in results) == [200, 409], results
    assert ok(world["api"].get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"] == "designated"
    with world["app"].extensions["sandbox"].uow() as uow:
        decisions = uow.session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.case_id == case["id"], AuditEvent.action == "approve")
        )
    assert decisions == 1


def test_a_vote_racing_the_close_is_counted_or_refused(world):
    item, meeting, members = world["item"], world["meeting"], world["cast"].members
    for who in members[:2]:
        ok(world["api"].post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, who))
    close = f"/api/v1/meetings/{meeting['id']}/close"
    voted, closed = race(world, vote(item, members[2], "for"),
                         lambda c: c.post(close, None, SECRETARIAT))
    assert closed.status == 200 and voted.status in (200, 409), (voted, closed)
    decided = ok(world["api"].get(f"/api/v1/items/{item['id']}", SECRETARIAT))
    # Never a vote stored after the count: what is stored is what was counted.
    assert decided["tally"]["for"] == len(votes_of(world)) == (3 if voted.status == 200 else 2)
