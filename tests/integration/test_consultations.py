"""Agency consultations through the HTTP API (DOMAIN "Consultation", Act 49④⑤).

Deadlines follow DOMAIN "Deadlines and day counting"; time moves only through freezegun
and timers fire only through the sweep.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from sandbox.adapters.tables import Timer
from sandbox.domain.calendar import KST, default_calendar
from sandbox.domain.periods import Period, deadline_instant, period_last_day
from tests.support.cast import (
    BUSAN,
    KNPA,
    MOTIE,
    OTHER_APPLICANT,
    PIPC,
    SECRETARIAT,
    SEJONG,
)
from tests.support.flows import district_in_consultation, district_in_resident_opinion, fire_timers, ok
from tests.support.web import sign_in

OFFICIAL = {"KNPA": KNPA, "PIPC": PIPC, "MOTIE": MOTIE}
REPLY_DAYS, CAP_DAYS = Period(days=30), Period(days=90)


def _kst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


def _url(consultation: dict[str, Any], action: str = "") -> str:
    return f"/api/v1/consultations/{consultation['id']}" + (f"/{action}" if action else "")


def _get(api: Any, consultation: dict[str, Any], who: str = SECRETARIAT) -> dict[str, Any]:
    return ok(api.get(_url(consultation), who))


def _due(opened_at: str, period: Period, extra_days: int = 0) -> str:
    last = period_last_day(datetime.fromisoformat(opened_at), period,
                           calendar=default_calendar(), extra_days=extra_days)
    return deadline_instant(last).isoformat()


def _notified(api: Any, who: str, kind: str) -> list[dict[str, Any]]:
    return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == kind]


def _consulting_on_2026_09_10(api: Any, app: Any, frozen: Any, agencies: list[str]) -> dict[str, Any]:
    """A district whose consultations open on Thu 2026-09-10, 10:00 KST (the worked example);
    ``frozen`` must start at 2026-08-03 10:00 KST."""
    case = district_in_resident_opinion(api)  # 30 days: the notice ends with 2026-09-02
    frozen.tick(timedelta(days=38))
    fire_timers(app)
    case = ok(api.action(case["id"], "open_consultation", SECRETARIAT, agencies=agencies))
    return {**case, "by_agency": {c["agency"]: c for c in case["consultations"]}}


def _main_timer(app: Any, consultation: dict[str, Any], kind: str) -> Timer:
    with app.extensions["sandbox"].uow() as uow:
        return uow.session.scalars(
            select(Timer).where(Timer.subject_type == "consultation",
                                Timer.subject_id == consultation["id"], Timer.kind == kind,
                                Timer.parent_id.is_(None))  # type: ignore[union-attr]
        ).one()


def test_worked_example_overdue_at_midnight_and_tabling(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = _consulting_on_2026_09_10(api, app, frozen, ["KNPA", "PIPC"])
        knpa, pipc = case["by_agency"]["KNPA"], case["by_agency"]["PIPC"]
        # Day 1 is 09-11, day 30 Sat 10-10; the weekend rolls it to the end of Mon 10-12.
        assert knpa["state"] == "open" and knpa["position"] is None
        assert datetime.fromisoformat(knpa["due_at"]) == _kst("2026-10-13 00:00")
        assert knpa["due_at"] == "2026-10-12T15:00:00+00:00"
        assert knpa["hard_due_at"] == _due(knpa["opened_at"], CAP_DAYS)
        # PIPC takes its extension, so it is still open when KNPA's deadline passes.
        ok(api.post(_url(pipc, "extend"), {"days": 5}, PIPC))

        frozen.move_to(_kst("2026-10-12 23:59"))
        fire_timers(app)
        assert _get(api, knpa)["state"] == "open"
        assert not _notified(api, SECRETARIAT, "consultation:mark_overdue")

        frozen.move_to(_kst("2026-10-13 00:00"))
        fire_timers(app)
        knpa = _get(api, knpa)
        assert knpa["state"] == "overdue" and knpa["position"] is None  # silence is not consent
        assert _get(api, pipc)["state"] == "open"
        for who in (KNPA, SECRETARIAT):
            (note,) = _notified(api, who, "consultation:mark_overdue")
            # The agency by its name, as a person reads it, not by its code.
            assert note["case_id"] == case["id"] and "(Korean National Police Agency)" in note["subject_en"]
            assert "(경찰청)" in note["subject_ko"] and "KNPA" not in note["subject_ko"]
        assert not _notified(api, PIPC, "consultation:mark_overdue")

        # Tabling waits for every consultation to be answered or overdue.
        refused = api.action(case["id"], "table", SECRETARIAT)
        assert refused.status == 409 and refused.content_type == "application/problem+json"
        ok(api.post(_url(pipc, "reply"), {"position": "consent"}, PIPC))
        tabled = ok(api.action(case["id"], "table", SECRETARIAT))
        assert tabled["state"] == "committee"
        shown = {c["agency"]: c for c in tabled["consultations"]}
        assert shown["KNPA"]["state"] == "closed" and shown["KNPA"]["position"] is None
        assert shown["PIPC"]["state"] == "answered" and shown["PIPC"]["position"] == "consent"
        # The closed consultation takes no reply any more.
        assert api.post(_url(knpa, "reply"), {"position": "consent"}, KNPA).status == 409


def test_supplement_pauses_the_reply_clock(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = _consulting_on_2026_09_10(api, app, frozen, ["KNPA", "PIPC"])
        knpa, pipc = case["by_agency"]["KNPA"], case["by_agency"]["PIPC"]
        opened, original_due = knpa["opened_at"], knpa["due_at"]

        frozen.tick(timedelta(days=5))
        for consultation, who in ((knpa, KNPA), (pipc, PIPC)):
            asked = ok(api.post(_url(consultation, "request-supplement"),
                                {"questions": "야간 운행 시 안전요원 배치 계획을 제출하세요."}, who))
            assert asked["state"] == "awaiting_supplement" and asked["paused"] is True
            assert asked["questions"].startswith("야간 운행")
            assert _main_timer(app, consultation, "reply_due").status == "paused"
            assert _main_timer(app, consultation, "reply_cap").status == "pending"  # never paused
        # The filer is told, and only the filer may answer.
        assert _notified(api, SEJONG, "consultation:request_supplement")
        assert api.post(_url(knpa, "answer-supplement"), {"answer": "x"}, KNPA).status == 403
        assert api.post(_url(knpa, "answer-supplement"), {"answer": "x"}, SECRETARIAT).status == 403
        assert api.post(_url(knpa, "answer-supplement"), {"answer": ""}, SEJONG).status == 422
        assert api.post(_url(knpa, "request-supplement"), {"questions": "again"}, KNPA).status == 409

        frozen.tick(timedelta(days=10))
        answered = ok(api.post(_url(knpa, "answer-supplement"),
                               {"answer": "안전요원 2인 상시 탑승 계획 첨부"}, SEJONG))
        assert answered["state"] == "open" and answered["paused"] is False
        assert answered["answer"] == "안전요원 2인 상시 탑승 계획 첨부"
        # Ten days spent supplementing are not counted (Act 49⑤).
        assert answered["due_at"] == _due(opened, REPLY_DAYS, extra_days=10)
        assert answered["due_at"] > original_due
        assert answered["hard_due_at"] == _due(opened, CAP_DAYS)
        assert _notified(api, KNPA, "consultation:answer_supplement")
        assert api.post(_url(knpa, "answer-supplement"), {"answer": "again"}, SEJONG).status == 409

        # At the original deadline the paused one is not overdue, nor the resumed one.
        frozen.move_to(datetime.fromisoformat(original_due))
        fire_timers(app)
        assert _get(api, pipc)["state"] == "awaiting_supplement"
        assert _main_timer(app, pipc, "reply_due").status == "paused"
        assert _get(api, knpa)["state"] == "open"

        frozen.move_to(datetime.fromisoformat(answered["due_at"]) - timedelta(minutes=1))
        fire_timers(app)
        assert _get(api, knpa)["state"] == "open"
        frozen.move_to(datetime.fromisoformat(answered["due_at"]))
        fire_timers(app)
        assert _get(api, knpa)["state"] == "overdue"

        # PIPC's filer answers 40 days after the request: the deadline moves by 40 days.
        frozen.move_to(_kst("2026-10-25 10:00"))
        pipc = ok(api.post(_url(pipc, "answer-supplement"), {"answer": "개인정보 영향평가서"}, SEJONG))
        assert pipc["state"] == "open"
        assert pipc["due_at"] == _due(opened, REPLY_DAYS, extra_days=40)


def test_cap_of_90_days_runs_through_a_supplement(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = _consulting_on_2026_09_10(api, app, frozen, ["KNPA"])
        knpa = case["by_agency"]["KNPA"]
        hard_due = _due(knpa["opened_at"], CAP_DAYS)  # day 90 is Wed 2026-12-09
        assert knpa["hard_due_at"] == hard_due == "2026-12-09T15:00:00+00:00"

        frozen.tick(timedelta(days=2))
        ok(api.post(_url(knpa, "request-supplement"), {"questions": "운행 구간 도면"}, KNPA))
        frozen.move_to(datetime.fromisoformat(hard_due) - timedelta(minutes=1))
        fire_timers(app)
        waiting = _get(api, knpa)
        assert waiting["state"] == "awaiting_supplement" and waiting["paused"] is True
        assert waiting["due_at"] <= waiting["hard_due_at"]

        frozen.move_to(datetime.fromisoformat(hard_due))
        fire_timers(app)
        overdue = _get(api, knpa)
        assert overdue["state"] == "overdue" and overdue["position"] is None
        assert _main_timer(app, knpa, "reply_due").status == "cancelled"
        assert _main_timer(app, knpa, "reply_cap").status == "fired"
        assert _notified(api, KNPA, "consultation:mark_overdue")
        assert _notified(api, SECRETARIAT, "consultation:mark_overdue")

        # The supplement, 100 days after it was asked for, comes too late.
        frozen.move_to(_kst("2026-12-21 10:00"))
        late = api.post(_url(knpa, "answer-supplement"), {"answer": "도면 첨부"}, SEJONG)
        assert late.status == 409
        # Until the case is tabled the agency may still reply late; it is recorded as given.
        replied = ok(api.post(_url(knpa, "reply"), {"position": "object",
                                                    "comment": "안전 대책 미흡"}, KNPA))
        assert replied["state"] == "answered" and replied["position"] == "object"


def test_extension_once_by_up_to_30_days(api, app, cast):
    # Consultations open on Wed 2026-10-14: neither deadline needs rolling, before or after.
    with freeze_time("2026-08-30 01:00:00+00:00") as frozen:
        case = district_in_consultation(api, app, frozen, ["KNPA", "PIPC"])
        knpa, pipc = ({c["agency"]: c for c in case["consultations"]}[a] for a in ("KNPA", "PIPC"))
        opened = knpa["opened_at"]
        assert opened == "2026-10-14T01:00:00+00:00"
        assert datetime.fromisoformat(knpa["due_at"]) == _kst("2026-11-14 00:00")  # day 30: Fri

        for bad in ("ten", 5.5, True, None, 0, -3):
            r = api.post(_url(knpa, "extend"), {"days": bad}, KNPA)
            assert r.status == 422 and "days" in r.json["errors"], (bad, r)
        too_long = api.post(_url(knpa, "extend"), {"days": 31}, KNPA)
        assert too_long.status == 422 and list(too_long.json["errors"]) == ["days"]
        assert api.post(_url(knpa, "extend"), {"days": 10}, SECRETARIAT).status == 403
        assert api.post(_url(knpa, "extend"), {"days": 10}, PIPC).status == 404
        assert _get(api, knpa)["extended"] is False  # refused attempts changed nothing

        extended = ok(api.post(_url(knpa, "extend"), {"days": 10}, KNPA))
        assert extended["extended"] is True and extended["extension_days"] == 10
        assert extended["due_at"] == _due(opened, REPLY_DAYS, extra_days=10)
        assert extended["hard_due_at"] == _due(opened, CAP_DAYS, extra_days=10)
        for field in ("due_at", "hard_due_at"):
            moved = datetime.fromisoformat(extended[field]) - datetime.fromisoformat(knpa[field])
            assert moved == timedelta(days=10)
        (told,) = _notified(api, SECRETARIAT, "consultation:extend")
        # The state stays as it was: the text tells what was done, not a move from A to A.
        assert told["subject_ko"].endswith("관계기관 협의 (경찰청): 회신 기한 연장"), told["subject_ko"]
        assert "상태는 협의 중 그대로입니다." in told["body_ko"], told["body_ko"]
        assert "Reply period extended" in told["body_en"] and "from" not in told["body_en"], told["body_en"]
        assert "2026년 11월 23일(월)까지로 연장" in told["body_ko"], told["body_ko"]  # the new last day
        assert "extended to 2026-11-23 (the last day)" in told["body_en"]

        second = api.post(_url(knpa, "extend"), {"days": 5}, KNPA)
        assert second.status == 409 and second.content_type == "application/problem+json"
        assert _get(api, knpa)["due_at"] == extended["due_at"]

        # The full 30 days are allowed, also while a supplement pauses the clock.
        ok(api.post(_url(pipc, "request-supplement"), {"questions": "보완 요청"}, PIPC))
        extended = ok(api.post(_url(pipc, "extend"), {"days": 30}, PIPC))
        assert extended["hard_due_at"] == _due(opened, CAP_DAYS, extra_days=30)
        frozen.tick(timedelta(days=4))
        resumed = ok(api.post(_url(pipc, "answer-supplement"), {"answer": "보완 자료"}, SEJONG))
        assert resumed["due_at"] == _due(opened, REPLY_DAYS, extra_days=34)


def test_positions_and_their_required_texts(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = district_in_consultation(api, app, frozen, ["KNPA", "MOTIE", "PIPC"])
        by = {c["agency"]: c for c in case["consultations"]}
        knpa = by["KNPA"]

        r = api.post(_url(knpa, "reply"), {"position": "consent_with_conditions"}, KNPA)
        assert r.status == 422 and r.content_type == "application/problem+json"
        assert list(r.json["errors"]) == ["conditions"]
        r = api.post(_url(knpa, "reply"), {"position": "consent_with_conditions",
                                           "conditions": "   "}, KNPA)
        assert r.status == 422 and "conditions" in r.json["errors"]
        r = api.post(_url(knpa, "reply"), {"position": "object", "conditions": "x"}, KNPA)
        assert r.status == 422 and list(r.json["errors"]) == ["comment"]
        for bad in ("maybe", "deemed", "permit_required", "", None):
            r = api.post(_url(knpa, "reply"), {"position": bad}, KNPA)
            assert r.status == 422 and "position" in r.json["errors"], (bad, r)
        r = api.post(_url(knpa, "reply"), {"comment": "의견"}, KNPA)
        assert r.status == 422 and "position" in r.json["errors"]
        r = api.post(_url(knpa, "reply"), {"position": ["consent"]}, KNPA)
        assert r.status == 422 and "position" in r.json["errors"]
        r = api.post(_url(knpa, "reply"), {"position": "consent", "comment": 7}, KNPA)
        assert r.status == 422 and "comment" in r.json["errors"]
        assert _get(api, knpa)["state"] == "open"  # nothing of it was kept

        stale = api.post(_url(knpa, "reply"), {"position": "consent", "version": 99}, KNPA)
        assert stale.status == 409
        reply = {"position": "consent_with_conditions", "comment": "조건부 동의합니다.",
                 "conditions": "야간(22시~06시) 운행 제한", "version": knpa["version"]}
        answered = ok(api.post(_url(knpa, "reply"), reply, KNPA))
        assert answered["state"] == "answered"
        assert (answered["position"], answered["comment"], answered["conditions"]) == (
            "consent_with_conditions", "조건부 동의합니다.", "야간(22시~06시) 운행 제한")
        assert answered["replied_at"] is not None
        assert api.post(_url(knpa, "reply"), {"position": "consent"}, KNPA).status == 409
        (told,) = _notified(api, SECRETARIAT, "consultation:reply")
        # Words, not codes: the agency by its name, the position by its label.
        assert "관계기관 협의 (경찰청)" in told["subject_ko"] and "- 의견: 조건부 동의\n" in told["body_ko"]
        assert "- Position: Consent with conditions\n" in told["body_en"], told["body_en"]
        assert "consent_with_conditions" not in told["body_ko"] + told["body_en"]
        assert _notified(api, SEJONG, "consultation:reply")
        (opened,) = _notified(api, SEJONG, "case:open_consultation")
        assert "- 기관: 경찰청, 산업통상자원부, 개인정보보호위원회" in opened["body_ko"], opened["body_ko"]
        assert "[" not in opened["body_ko"] and "KNPA" not in opened["body_en"]

        ok(api.post(_url(by["MOTIE"], "reply"), {"position": "object",
                                                 "comment": "전기용품 안전 기준 미충족"}, MOTIE))
        ok(api.post(_url(by["PIPC"], "reply"), {"position": "not_applicable"}, PIPC))

        shown = {c["agency"]: c for c in ok(api.get(f"/api/v1/cases/{case['id']}",
                                                    SECRETARIAT))["consultations"]}
        assert shown["KNPA"]["conditions"] == "야간(22시~06시) 운행 제한"
        assert shown["KNPA"]["comment"] == "조건부 동의합니다."
        assert (shown["MOTIE"]["position"], shown["MOTIE"]["comment"]) == (
            "object", "전기용품 안전 기준 미충족")
        assert shown["PIPC"]["position"] == "not_applicable" and shown["PIPC"]["comment"] is None
        assert {c["state"] for c in shown.values()} == {"answered"}
        # The agency sees its own consultation on the case, not the others'.
        own = ok(api.get(f"/api/v1/cases/{case['id']}", KNPA))["consultations"]
        assert [(c["agency"], c["position"]) for c in own] == [("KNPA", "consent_with_conditions")]
        history = ok(api.get(f"/api/v1/cases/{case['id']}/history", SECRETARIAT))
        replies = [e for e in history if e["tag"] == "case:consultation:reply"]
        assert len(replies) == 3 and replies[0]["payload"]["position"] == "consent_with_conditions"


def test_access_is_denied_by_default(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = district_in_consultation(api, app, frozen, ["KNPA", "PIPC"])
        by = {c["agency"]: c for c in case["consultations"]}
        knpa, pipc = by["KNPA"], by["PIPC"]

        assert api.get(_url(pipc), KNPA).status == 404
        assert api.post(_url(pipc, "reply"), {"position": "consent"}, KNPA).status == 404
        assert api.post(_url(pipc, "request-supplement"), {"questions": "q"}, KNPA).status == 404
        assert [c["id"] for c in ok(api.get("/api/v1/consultations", KNPA))] == [knpa["id"]]
        assert api.get("/api/v1/consultations/999999", KNPA).status == 404

        # The secretariat sees every consultation but may not reply for an agency.
        listed = api.get("/api/v1/consultations", SECRETARIAT)
        assert {c["id"] for c in listed.json} == {knpa["id"], pipc["id"]}
        assert listed.raw.headers["X-Total-Count"] == "2"
        forbidden = api.post(_url(knpa, "reply"), {"position": "consent"}, SECRETARIAT)
        assert forbidden.status == 403 and forbidden.content_type == "application/problem+json"
        assert api.post(_url(knpa, "request-supplement"), {"questions": "q"}, SECRETARIAT).status == 403

        # The filer sees the consultations on its own case (to answer supplements), and may
        # not reply for an agency; another local government or company sees nothing.
        assert {c["id"] for c in ok(api.get("/api/v1/consultations", SEJONG))} == {
            knpa["id"], pipc["id"]}
        assert api.post(_url(knpa, "reply"), {"position": "consent"}, SEJONG).status == 403
        assert api.post(_url(knpa, "extend"), {"days": 3}, SEJONG).status == 403
        for outsider in (OTHER_APPLICANT, BUSAN, MOTIE):
            assert api.get(_url(knpa), outsider).status == 404
            assert api.post(_url(knpa, "reply"), {"position": "consent"}, outsider).status == 404
            assert api.post(_url(knpa, "answer-supplement"), {"answer": "a"}, outsider).status == 404
            assert ok(api.get("/api/v1/consultations", outsider)) == []

        # No token, or a wrong one: 401 before anything else.
        for path in ("/api/v1/consultations", _url(knpa)):
            assert api.get(path).status == 401
        r = api.post(_url(knpa, "reply"), {"position": "consent"})
        assert r.status == 401 and r.content_type == "application/problem+json"
        bad = api.client.get(_url(knpa), headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401

        # The state filter, and the order: those still running first, soonest deadline
        # first, then the settled ones (newest first), a page at a time.
        assert knpa["id"] < pipc["id"]
        ok(api.post(_url(knpa, "extend"), {"days": 3}, KNPA))
        ok(api.post(_url(pipc, "reply"), {"position": "consent_with_conditions",
                                          "conditions": "가명처리 후 저장"}, PIPC))
        assert [c["id"] for c in ok(api.get("/api/v1/consultations?state=answered",
                                            SECRETARIAT))] == [pipc["id"]]
        assert [c["id"] for c in ok(api.get("/api/v1/consultations?state=open",
                                            SECRETARIAT))] == [knpa["id"]]
        listed = ok(api.get("/api/v1/consultations", SECRETARIAT))
        # KNPA's is still to answer: it comes first, though PIPC's (answered) fell due sooner.
        assert [c["agency"] for c in listed] == ["KNPA", "PIPC"]
        assert listed[0]["due_at"] > listed[1]["due_at"]
        second = api.get("/api/v1/consultations?per_page=1&page=2", SECRETARIAT)
        assert [c["agency"] for c in second.json] == ["PIPC"]
        assert second.raw.headers["X-Total-Count"] == "2"
        assert api.get("/api/v1/consultations?page=0", SECRETARIAT).status == 422

        # The case's history shows an agency its own consultation's events, never another
        # agency's reply; the filer and the secretariat read them all.

        def subjects(who: str) -> set[str]:
            return {e["subject"] for e in ok(api.get(f"/api/v1/cases/{case['id']}/history", who))}
        assert f"consultation:{knpa['id']}" in subjects(KNPA)
        assert f"consultation:{pipc['id']}" not in subjects(KNPA)
        for reader in (SECRETARIAT, SEJONG):
            assert {f"consultation:{knpa['id']}", f"consultation:{pipc['id']}"} <= subjects(reader)
        for reader, shown in ((SEJONG, True), (KNPA, False)):
            page = app.test_client()
            sign_in(page, reader)
            assert ("가명처리 후 저장" in page.get(f"/cases/{case['id']}").get_data(as_text=True)) is shown


def test_reminders_7_3_and_1_days_before_the_reply_deadline(api, app, cast):
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = _consulting_on_2026_09_10(api, app, frozen, ["KNPA", "PIPC"])
        knpa, pipc = case["by_agency"]["KNPA"], case["by_agency"]["PIPC"]
        ok(api.post(_url(pipc, "reply"), {"position": "consent"}, PIPC))  # no reminders for it

        with app.extensions["sandbox"].uow() as uow:
            rows = uow.session.scalars(
                select(Timer).where(Timer.kind == "reply_due:reminder",
                                    Timer.subject_id == knpa["id"]).order_by(Timer.due_at)
            ).all()
            assert [(r.reminder_days, r.due_at.astimezone(KST)) for r in rows] == [
                (7, _kst("2026-10-05 09:00")), (3, _kst("2026-10-09 09:00")),
                (1, _kst("2026-10-11 09:00"))]

        seen = 0
        for day in ("2026-10-05", "2026-10-09", "2026-10-11"):
            frozen.move_to(_kst(f"{day} 08:59"))
            fire_timers(app)
            assert len(_notified(api, KNPA, "reminder:reply_due")) == seen
            frozen.move_to(_kst(f"{day} 09:00"))
            fire_timers(app)
            seen += 1
            reminders = _notified(api, KNPA, "reminder:reply_due")
            assert len(reminders) == seen
            assert "2026-10-12" in reminders[0]["body_en"]  # the last day, newest first
            assert "- 건명: 세종 스마트 규제혁신지구" in reminders[0]["body_ko"]  # which filing
        assert not _notified(api, PIPC, "reminder:reply_due")
        assert not _notified(api, SECRETARIAT, "reminder:reply_due")
        assert _get(api, knpa)["state"] == "open"


def test_a_long_supplement_leaves_the_cap_and_its_reminders_in_charge(api, app, cast):
    """Resumed late, the reply is due at the 90-day cap, and the agency is reminded of the
    cap (not of a later date the pause would otherwise have produced)."""
    with freeze_time("2026-08-03 01:00:00+00:00") as frozen:
        case = _consulting_on_2026_09_10(api, app, frozen, ["KNPA"])
        knpa = case["by_agency"]["KNPA"]
        hard_due = knpa["hard_due_at"]  # the cap ends with Wed 2026-12-09
        frozen.move_to(_kst("2026-09-15 10:00"))
        ok(api.post(_url(knpa, "request-supplement"), {"questions": "보험 증권 사본"}, KNPA))
        frozen.move_to(_kst("2026-11-24 10:00"))  # 70 days later
        resumed = ok(api.post(_url(knpa, "answer-supplement"), {"answer": "첨부함"}, SEJONG))
        assert resumed["due_at"] == hard_due
        with app.extensions["sandbox"].uow() as uow:
            pending = uow.session.scalars(
                select(Timer).where(Timer.subject_type == "consultation",
                                    Timer.subject_id == knpa["id"], Timer.status == "pending",
                                    Timer.kind.like("%:reminder"))  # type: ignore[attr-defined]
            ).all()
        assert sorted((t.kind, t.reminder_days) for t in pending) == [
            ("reply_cap:reminder", 1), ("reply_cap:reminder", 3), ("reply_cap:reminder", 7)]
        frozen.move_to(_kst("2026-12-02 09:00"))
        fire_timers(app)
        reminders = _notified(api, KNPA, "reminder:reply_cap")
        assert len(reminders) == 1 and "2026-12-09" in reminders[0]["body_en"]
