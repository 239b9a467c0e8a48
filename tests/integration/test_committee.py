"""The National Smart City Committee through the API (API.md, Committee).

Quorum: a majority of the enrolled members present; passing: a majority of those present
voting for (Enforcement Decree art. 26②). Enrolled: the standing members (Smart City Act
art. 23②) plus an item's extra members (art. 23③), less the recused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from sandbox.adapters.tables import Notification, User
from sandbox.services.audit_check import verify_all
from sandbox.services.outbox import mail_body
from tests.support import flows
from tests.support.cast import APPLICANT, BUSAN, KNPA, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import ok

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Mon 2026-03-02 09:00 KST


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(START, tick=True) as frozen:
        yield frozen


def tabled(api: Any, app: Any, frozen: Any) -> dict[str, Any]:
    case = flows.tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA})
    assert case["state"] == "committee"
    return case


def new_meeting(api: Any, mode: str = "written", title: str = "제1차 국가스마트도시위원회") -> dict[str, Any]:
    now = datetime.now(UTC)  # freezegun's clock, as the product's
    body = {"title": title, "mode": mode, "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat()}
    return ok(api.post("/api/v1/meetings", body, SECRETARIAT), 201)


def put_on(api: Any, meeting: dict[str, Any], case: dict[str, Any], proposal: str = "approve",
           **extra: Any) -> dict[str, Any]:
    body = {"case_id": case["id"], "proposal": proposal, **extra}
    return ok(api.post(f"/api/v1/meetings/{meeting['id']}/items", body, SECRETARIAT), 201)


def open_(api: Any, meeting: dict[str, Any]) -> dict[str, Any]:
    return ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", None, SECRETARIAT))


def close(api: Any, meeting: dict[str, Any]) -> dict[str, Any]:
    return ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", None, SECRETARIAT))


def vote(api: Any, item: dict[str, Any], who: str, choice: str) -> Any:
    return api.post(f"/api/v1/items/{item['id']}/vote", {"choice": choice}, who)


def attend(api: Any, meeting: dict[str, Any], ids: list[int]) -> Any:
    return api.post(f"/api/v1/meetings/{meeting['id']}/attendance", {"present": ids}, SECRETARIAT)


def state_of(api: Any, case: dict[str, Any]) -> str:
    return ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"]  # type: ignore[no-any-return]


def history(api: Any, case: dict[str, Any]) -> list[dict[str, Any]]:
    return ok(api.get(f"/api/v1/cases/{case['id']}/history", SECRETARIAT))  # type: ignore[return-value]


def test_meeting_lifecycle(api, app, cast, frozen):
    good = {"title": "제1차", "mode": "written", "starts_at": "2026-03-10T10:00:00+09:00",
            "ends_at": "2026-03-17T18:00:00+09:00"}
    r = api.post("/api/v1/meetings", {**good, "mode": "video"}, SECRETARIAT)
    assert r.status == 422 and "mode" in r.json["errors"], r
    assert r.content_type == "application/problem+json"
    r = api.post("/api/v1/meetings", {**good, "starts_at": "2026-03-10T10:00:00"}, SECRETARIAT)
    assert r.status == 422 and "starts_at" in r.json["errors"], r
    r = api.post("/api/v1/meetings", {**good, "ends_at": "2026-03-09T10:00:00+09:00"}, SECRETARIAT)
    assert r.status == 422 and "ends_at" in r.json["errors"], r
    meeting = ok(api.post("/api/v1/meetings", good, SECRETARIAT), 201)
    assert meeting["status"] == "scheduled" and meeting["items"] == []
    assert meeting["starts_at"] == "2026-03-10T01:00:00+00:00"

    draft = flows.filed_district(api)
    r = api.post(f"/api/v1/meetings/{meeting['id']}/items",
                 {"case_id": draft["id"], "proposal": "approve"}, SECRETARIAT)
    assert r.status == 409, r
    case = tabled(api, app, frozen)
    r = api.post(f"/api/v1/meetings/{meeting['id']}/items",
                 {"case_id": case["id"], "proposal": "approve_with_conditions"}, SECRETARIAT)
    assert r.status == 422 and "conditions" in r.json["errors"], r
    item = put_on(api, meeting, case, "approve_with_conditions", conditions=["야간 운행 금지"])
    assert item["outcome"] is None and item["tally"]["enrolled"] == 5
    other = new_meeting(api, title="제2차")
    r = api.post(f"/api/v1/meetings/{other['id']}/items",
                 {"case_id": case["id"], "proposal": "approve"}, SECRETARIAT)
    assert r.status == 409, r  # one undecided item per case

    assert vote(api, item, cast.members[0], "for").status == 409  # not open yet
    assert open_(api, meeting)["status"] == "open"
    assert api.post(f"/api/v1/meetings/{meeting['id']}/open", None, SECRETARIAT).status == 409
    kinds = [n["kind"] for n in ok(api.get("/api/v1/notifications", cast.members[0]))]
    assert "committee:meeting_opened" in kinds
    for who in cast.members[:3]:
        ok(vote(api, item, who, "for"))
    ok(vote(api, item, cast.members[3], "against"))
    live = ok(vote(api, item, cast.members[3], "for"))  # replaces the first vote
    assert live["tally"] == {"enrolled": 5, "recused": 0, "present": 4, "for": 4, "against": 0,
                             "abstain": 0, "quorum_met": True, "passed": True}
    assert live["outcome"] is None
    assert vote(api, item, cast.members[4], "maybe").status == 422

    closed = close(api, meeting)
    assert closed["status"] == "closed" and closed["items"][0]["outcome"] == "passed"
    assert api.post(f"/api/v1/meetings/{meeting['id']}/close", None, SECRETARIAT).status == 409
    assert vote(api, item, cast.members[4], "for").status == 409
    assert api.post(f"/api/v1/meetings/{meeting['id']}/items",
                    {"case_id": case["id"], "proposal": "approve"}, SECRETARIAT).status == 409
    decided = ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))
    assert decided["outcome"] == "passed" and decided["tally"]["for"] == 4

    after = ok(api.get(f"/api/v1/cases/{case['id']}", SEJONG))
    assert after["state"] == "designated"
    resolution = after["decision"]["resolution"]
    assert resolution["tally"] == decided["tally"]
    assert resolution["conditions"] == ["야간 운행 금지"] and resolution["item_id"] == item["id"]
    event = history(api, case)[-1]
    assert (event["action"], event["to_state"]) == ("approve_with_conditions", "designated")
    assert event["actor"].startswith("국가스마트도시위원회")
    kinds = [n["kind"] for n in ok(api.get("/api/v1/notifications", SEJONG))]
    assert "committee:passed" in kinds

    register = ok(api.get("/api/v1/register"))
    entry = next(e for e in register if e["id"] == case["id"])
    assert entry["status"] == "designated" and entry["conditions"] == ["야간 운행 금지"]

    assert verify_all(app.extensions["sandbox"])[1] is None  # the audit chain holds

    listed = ok(api.get("/api/v1/meetings", cast.members[0]))
    assert [m["id"] for m in listed] == [other["id"], meeting["id"]]  # newest first
    assert ok(api.get("/api/v1/meetings", SECRETARIAT))[0]["id"] == other["id"]


def test_no_quorum_leaves_the_case_for_re_tabling(api, app, cast, frozen):
    case = tabled(api, app, frozen)
    first = new_meeting(api)
    item = put_on(api, first, case)
    open_(api, first)
    for who in cast.members[:2]:  # written: only those who vote are present, 2 of 5
        ok(vote(api, item, who, "for"))
    decided = close(api, first)["items"][0]
    assert decided["outcome"] == "no_quorum"
    assert decided["tally"]["present"] == 2 and decided["tally"]["quorum_met"] is False
    assert state_of(api, case) == "committee"
    event = history(api, case)[-1]
    assert (event["action"], event["tag"]) == ("committee_decision", "case:committee:no_quorum")
    assert event["from_state"] == event["to_state"] == "committee"
    assert event["payload"]["tally"] == decided["tally"]
    kinds = [n["kind"] for n in ok(api.get("/api/v1/notifications", SECRETARIAT))]
    assert "committee:no_quorum" in kinds

    second = new_meeting(api, title="제2차")
    again = put_on(api, second, case)
    open_(api, second)
    for who in cast.members[:3]:
        ok(vote(api, again, who, "for"))
    assert close(api, second)["items"][0]["outcome"] == "passed"
    assert state_of(api, case) == "designated"


def test_a_tie_does_not_pass_and_abstentions_are_present_not_for(api, app, cast, frozen):
    case = tabled(api, app, frozen)
    ids = cast.member_ids()
    meeting = new_meeting(api, mode="in_person")
    item = put_on(api, meeting, case)
    assert attend(api, meeting, ids[:4] + [cast.people.id(APPLICANT)]).status == 422
    present = ok(attend(api, meeting, ids[:4]))
    assert present["present"] == sorted(ids[:4])
    open_(api, meeting)
    for who, choice in zip(cast.members[:4], ["for", "for", "against", "against"], strict=True):
        ok(vote(api, item, who, choice))
    decided = close(api, meeting)["items"][0]
    assert decided["outcome"] == "not_passed"
    assert decided["tally"] == {"enrolled": 5, "recused": 0, "present": 4, "for": 2, "against": 2,
                                "abstain": 0, "quorum_met": True, "passed": False}
    assert state_of(api, case) == "committee"
    assert history(api, case)[-1]["tag"] == "case:committee:not_passed"

    written = new_meeting(api, title="서면")
    assert attend(api, written, ids).status == 409
    meeting = new_meeting(api, mode="in_person", title="제2차")
    item = put_on(api, meeting, case, "reject")
    ok(attend(api, meeting, ids[:4]))
    open_(api, meeting)
    for who, choice in zip(cast.members[:3], ["for", "for", "abstain"], strict=True):
        ok(vote(api, item, who, choice))
    # Member 4 sat in the room and did not vote: present all the same.
    decided = close(api, meeting)["items"][0]
    assert decided["tally"]["present"] == 4 and decided["tally"]["abstain"] == 1
    assert decided["outcome"] == "not_passed"  # 2 for out of 4 present is no majority

    meeting = new_meeting(api, mode="in_person", title="제3차")
    item = put_on(api, meeting, case, "reject")
    ok(attend(api, meeting, ids[:4]))
    open_(api, meeting)
    for who, choice in zip(cast.members[:4], ["for", "for", "for", "abstain"], strict=True):
        ok(vote(api, item, who, choice))
    assert close(api, meeting)["items"][0]["outcome"] == "passed"
    assert state_of(api, case) == "rejected"


def test_recusal(api, app, cast, frozen):
    case = tabled(api, app, frozen)
    meeting = new_meeting(api)
    item = put_on(api, meeting, case)
    recuse = f"/api/v1/items/{item['id']}/recusal"
    first, second = cast.members[0], cast.members[1]
    assert api.post(recuse, {"reason": "  "}, first).status == 422
    assert api.post(recuse, {"reason": "신청 지자체 자문위원"}, APPLICANT).status == 403
    after = ok(api.post(recuse, {"reason": "세종시 자문위원으로 참여"}, first))
    assert after["tally"]["enrolled"] == 4 and after["tally"]["recused"] == 1
    assert api.post(recuse, {"reason": "다시"}, first).status == 409
    open_(api, meeting)
    assert vote(api, item, first, "for").status == 409
    ok(vote(api, item, second, "for"))
    assert api.post(recuse, {"reason": "뒤늦게 발견"}, second).status == 409
    ok(vote(api, item, cast.members[2], "for"))
    ok(vote(api, item, cast.members[3], "for"))
    decided = close(api, meeting)["items"][0]
    assert decided["tally"]["enrolled"] == 4 and decided["tally"]["present"] == 3
    assert decided["outcome"] == "passed"
    assert api.post(recuse, {"reason": "회의 종료 후"}, cast.members[4]).status == 409


def test_extra_members_vote_on_their_item_only(api, app, cast, frozen):
    first, second = tabled(api, app, frozen), tabled(api, app, frozen)
    officer = cast.people.id(KNPA)
    meeting = new_meeting(api)
    r = api.post(f"/api/v1/meetings/{meeting['id']}/items",
                 {"case_id": first["id"], "proposal": "approve", "extra_members": [999_999]},
                 SECRETARIAT)
    assert r.status == 422 and "extra_members" in r.json["errors"], r
    # Act 23③: only officials of the agencies and local government concerned join an item -
    # not its applicant, the secretariat, an agency never consulted or another city.
    for stranger in (APPLICANT, SECRETARIAT, PIPC, BUSAN):
        r = api.post(f"/api/v1/meetings/{meeting['id']}/items",
                     {"case_id": first["id"], "proposal": "approve",
                      "extra_members": [officer, cast.people.id(stranger)]}, SECRETARIAT)
        assert r.status == 422 and "Act 23" in r.json["errors"]["extra_members"][0], (stranger, r)
    # The same rule, listed for the secretariat: Sejong (its local government) and KNPA
    # (consulted), not PIPC, Busan, the applicant or the secretariat.
    officials = ok(api.get(f"/api/v1/cases/{first['id']}/officials", SECRETARIAT))
    assert {o["id"] for o in officials} == {officer, cast.people.id(SEJONG)}
    assert {(o["role"], o["org"]) for o in officials} == {("agency", "KNPA"), ("local_government", "sejong")}
    for outsider in (SEJONG, KNPA, APPLICANT):
        assert api.get(f"/api/v1/cases/{first['id']}/officials", outsider).status == 403
    assert api.get("/api/v1/cases/999999/officials", SECRETARIAT).status == 404
    mine = put_on(api, meeting, first, extra_members=[officer])
    theirs = put_on(api, meeting, second)
    assert mine["tally"]["enrolled"] == 6 and theirs["tally"]["enrolled"] == 5
    open_(api, meeting)
    assert "committee:meeting_opened" in [n["kind"] for n in ok(api.get("/api/v1/notifications", KNPA))]
    assert ok(vote(api, mine, KNPA, "for"))["tally"]["for"] == 1
    assert vote(api, theirs, KNPA, "for").status == 403
    assert vote(api, mine, PIPC, "for").status == 403
    assert api.get(f"/api/v1/items/{mine['id']}", KNPA).status == 200
    assert api.get(f"/api/v1/items/{theirs['id']}", KNPA).status == 404
    seen = ok(api.get(f"/api/v1/meetings/{meeting['id']}", KNPA))
    assert [i["id"] for i in seen["items"]] == [mine["id"]]
    assert api.get(f"/api/v1/meetings/{meeting['id']}", PIPC).status == 404
    assert api.get("/api/v1/meetings", KNPA).status == 403
    for who in cast.members[:3]:
        ok(vote(api, mine, who, "for"))
        ok(vote(api, theirs, who, "for"))
    items = close(api, meeting)["items"]
    assert [i["tally"]["present"] for i in items] == [4, 3]
    assert [i["outcome"] for i in items] == ["passed", "passed"]


def reminders_to(api: Any, who: str) -> list[dict[str, Any]]:
    return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == "committee:vote_reminder"]


def test_members_yet_to_vote_are_reminded_before_the_close(api, app, cast, frozen):
    """24 hours and 1 hour before a meeting closes (rule data, reminders.vote_hours), each
    member with items still to vote on hears which; a member who voted or was recused
    on everything hears nothing, and closing the meeting cancels what is left."""
    first, second = tabled(api, app, frozen), tabled(api, app, frozen)
    officer = cast.people.id(KNPA)
    meeting = new_meeting(api)  # closes 7 days from now
    closes = datetime.fromisoformat(meeting["ends_at"])
    a = put_on(api, meeting, first, extra_members=[officer])
    b = put_on(api, meeting, second)
    voted, half, recused = cast.members[0], cast.members[1], cast.members[2]
    ok(api.post(f"/api/v1/items/{b['id']}/recusal", {"reason": "자문 참여"}, recused))
    open_(api, meeting)
    ok(vote(api, a, voted, "for"))
    ok(vote(api, b, voted, "for"))
    ok(vote(api, a, half, "for"))
    ok(vote(api, a, recused, "against"))

    frozen.move_to(closes - timedelta(hours=25))
    flows.fire_timers(app)
    assert reminders_to(api, half) == []  # not yet

    frozen.move_to(closes - timedelta(hours=24))
    flows.fire_timers(app)
    flows.fire_timers(app)  # a second sweep sends nothing more
    assert reminders_to(api, voted) == [] and reminders_to(api, recused) == []
    [note] = reminders_to(api, half)
    assert second["reference"] in note["body_ko"] and first["reference"] not in note["body_ko"]
    assert "1건" in note["body_ko"] and "1 item(s)" in note["body_en"]
    [waiting] = reminders_to(api, cast.members[3])
    assert first["reference"] in waiting["body_en"] and second["reference"] in waiting["body_en"]
    [extra] = reminders_to(api, KNPA)  # the extra member, for their one item only
    assert first["reference"] in extra["body_ko"] and second["reference"] not in extra["body_ko"]
    with app.app_context():
        rt = app.extensions["sandbox"]
        with rt.uow() as uow:
            row = uow.session.get(Notification, note["id"])
            user = uow.session.get(User, row.user_id)
            subject, body = mail_body(row, user, "https://sandbox.example")
    assert "의결 마감 임박" in subject and "https://sandbox.example/committee" in body
    assert second["reference"] in body and "Voting closes at" in body

    ok(vote(api, b, half, "for"))
    close(api, meeting)
    frozen.move_to(closes - timedelta(minutes=30))
    flows.fire_timers(app)
    assert len(reminders_to(api, half)) == 1 and len(reminders_to(api, cast.members[3])) == 1


def test_no_reminder_is_due_for_a_meeting_that_closes_within_the_hour(api, app, cast, frozen):
    case = tabled(api, app, frozen)
    now = datetime.now(UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "긴급 회의", "mode": "in_person", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(minutes=50)).isoformat()}, SECRETARIAT), 201)
    put_on(api, meeting, case)
    open_(api, meeting)
    frozen.move_to(now + timedelta(minutes=49))
    flows.fire_timers(app)
    assert reminders_to(api, cast.members[0]) == []


def test_who_may_do_what(api, app, cast, frozen):
    case = tabled(api, app, frozen)
    body = {"title": "t", "mode": "written", "starts_at": "2026-05-01T10:00:00+09:00",
            "ends_at": "2026-05-08T10:00:00+09:00"}
    assert api.post("/api/v1/meetings", body, APPLICANT).status == 403
    assert api.post("/api/v1/meetings", body, cast.members[0]).status == 403
    assert api.post("/api/v1/meetings", body).status == 401
    assert api.get("/api/v1/meetings", APPLICANT).status == 403
    assert api.get("/api/v1/meetings", SEJONG).status == 403
    meeting = new_meeting(api)
    assert api.post("/api/v1/meetings/999999/items",
                    {"case_id": case["id"], "proposal": "approve"}, SECRETARIAT).status == 404
    assert api.post(f"/api/v1/meetings/{meeting['id']}/items",
                    {"case_id": 999_999, "proposal": "approve"}, SECRETARIAT).status == 404
    assert api.post(f"/api/v1/meetings/{meeting['id']}/items",
                    {"case_id": case["id"], "proposal": "approve"}, cast.members[0]).status == 403
    item = put_on(api, meeting, case)
    assert api.post(f"/api/v1/meetings/{meeting['id']}/open", None, cast.members[0]).status == 403
    open_(api, meeting)
    assert vote(api, item, APPLICANT, "for").status == 403
    assert vote(api, item, SECRETARIAT, "for").status == 403
    assert api.post("/api/v1/items/999999/vote", {"choice": "for"}, cast.members[0]).status == 404
    assert api.get(f"/api/v1/items/{item['id']}", APPLICANT).status == 404
    assert api.get(f"/api/v1/items/{item['id']}", SEJONG).status == 404
    assert api.get(f"/api/v1/items/{item['id']}", cast.members[0]).status == 200
    assert api.post(f"/api/v1/meetings/{meeting['id']}/close", None, APPLICANT).status == 403
    # A committee member now sees the case it deliberates on.
    assert api.get(f"/api/v1/cases/{case['id']}", cast.members[0]).status == 200


@pytest.mark.parametrize("starts, ends, field", [
    ("9999-12-31T22:00:00-12:00", "9999-12-31T23:59:59-12:00", "starts_at"),  # was a 500
    ("0001-01-01T00:00:00+14:00", "0001-01-02T00:00:00+14:00", "starts_at"),
    ("2025-01-01T10:00:00+09:00", "2025-01-08T10:00:00+09:00", "starts_at"),  # over a year ago
    ("2026-03-10T10:00:00+09:00", "2026-09-10T10:00:00+09:00", "ends_at"),  # half a year long
    ("2026-03-10T10:00:00+09:00", "2026-03-10T10:00:00+09:00", "ends_at"),
])
def test_a_meeting_time_no_calendar_holds_is_422(api, cast, frozen, starts, ends, field):
    body = {"title": "t", "mode": "in_person", "starts_at": starts, "ends_at": ends}
    r = api.post("/api/v1/meetings", body, SECRETARIAT)
    assert r.status == 422 and list(r.json["errors"]) == [field], r
    assert ok(api.get("/api/v1/meetings", SECRETARIAT)) == []


def test_openapi_documents_the_committee(api):
    spec = ok(api.get("/api/v1/openapi.json"))
    items = spec["paths"]["/api/v1/meetings/{meeting_id}/items"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(items["responses"])
    assert "requestBody" in items
    assert {"/api/v1/items/{item_id}/vote", "/api/v1/items/{item_id}/recusal",
            "/api/v1/meetings/{meeting_id}/attendance"} <= set(spec["paths"])


def test_the_committee_has_at_most_30_members(app):
    """Act 23②: up to 30 members; a 31st is refused until someone leaves."""
    from sqlalchemy import select, update

    from sandbox.domain.errors import Invalid
    from sandbox.services.people import create_user

    rt = app.extensions["sandbox"]
    with rt.uow() as uow:  # 29 members already (their passwords are never used here)
        uow.session.add_all([User(email=f"m{n}@molit.go.kr", name=f"위원 {n}", role="committee_member",
                                  org_code="MOLIT", password_hash="-", created_at=rt.clock.now())
                             for n in range(29)])
        uow.commit()

    def member(n: int) -> User:
        return create_user(rt, email=f"new{n}@molit.go.kr", role="committee_member", org="MOLIT",
                           name=f"새 위원 {n}", password="long-enough-1")

    member(30)
    with pytest.raises(Invalid) as refused:
        member(31)
    assert "제23조제2항" in refused.value.errors["role"][0]
    with rt.uow() as uow:
        assert uow.session.scalars(select(User).where(User.email == "new31@molit.go.kr")).first() is None
        uow.session.execute(update(User).where(User.email == "m0@molit.go.kr").values(active=False))
        uow.commit()
    member(31)  # a member who left makes room
    create_user(rt, email="staff@molit.go.kr", role="secretariat", org="MOLIT", name="사무국",
                password="long-enough-1")  # the cap is on members only


def test_the_standing_members_are_listed_for_attendance(api, cast):
    listed = ok(api.get("/api/v1/committee/members", SECRETARIAT))
    assert [m["id"] for m in listed] == sorted(cast.member_ids())
    assert all(m["name"] for m in listed)
    assert ok(api.get("/api/v1/committee/members", cast.members[0])) == listed
    for outsider in (SEJONG, KNPA, APPLICANT):
        assert api.get("/api/v1/committee/members", outsider).status == 403
    assert api.get("/api/v1/committee/members").status == 401
