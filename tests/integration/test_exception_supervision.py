"""Supervising a running exception: incidents, correction orders, suspension, revocation
through local-government consultation, committee and hearing (Act 52⑤, Decree 55, 59)."""

from __future__ import annotations

from datetime import UTC, timedelta

from freezegun import freeze_time

from tests.support.cast import APPLICANT, BUSAN, OTHER_APPLICANT, SECRETARIAT, SEJONG
from tests.support.flows import fire_timers, ok
from tests.support.plans import approved_plan, decide, designated_district, started


def _exception(api, cid, who=APPLICANT):
    return ok(api.get(f"/api/v1/cases/{cid}", who))["exception"]


def test_corrections_suspension_and_revocation_through_hearing(api, app, cast):
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        cid = case["id"]
        # Where insurance cannot be had, a compensation plan stands in (Decree 57).
        ok(api.action(cid, "file_insurance", APPLICANT, compensation_plan="자체 보상 기금 3억원 적립"))
        ok(api.action(cid, "start", APPLICANT, started_on=frozen().date().isoformat()))

        an_hour_ago = (frozen() - timedelta(hours=1)).replace(tzinfo=UTC).isoformat()
        incident = api.action(cid, "report_incident", APPLICANT, description="보행자 접촉 사고(경상)",
                              occurred_at=an_hour_ago)
        assert incident.status == 200
        assert api.action(cid, "report_incident", OTHER_APPLICANT, description="x",
                          occurred_at=an_hour_ago).status == 404
        # Not a time to come, not before the exception began.
        for when in ("어제", (frozen() + timedelta(hours=1)).replace(tzinfo=UTC).isoformat(),
                     "2020-01-01T10:00:00+09:00"):
            refused = api.action(cid, "report_incident", APPLICANT, description="x", occurred_at=when)
            assert refused.status == 422 and list(refused.json["errors"]) == ["occurred_at"], when

        # A correction order: at most 6 months, one extension of at most 3.
        bad = api.action(cid, "order_correction", SECRETARIAT, measures="안전요원 증원", months=7)
        assert bad.status == 422 and "months" in bad.json["errors"]
        assert api.action(cid, "order_correction", APPLICANT, measures="x", months=1).status == 403
        case = ok(api.action(cid, "order_correction", SECRETARIAT, measures="안전요원 증원", months=2))
        assert case["exception"]["state"] == "correction_ordered"
        due = next(d for d in case["deadlines"] if d["kind"] == "correction_deadline")
        assert api.action(cid, "extend_correction", SECRETARIAT, months=4).status == 422
        case = ok(api.action(cid, "extend_correction", SECRETARIAT, months=1))
        later = next(d for d in case["deadlines"] if d["kind"] == "correction_deadline")
        assert later["due_at"] > due["due_at"]
        assert api.action(cid, "extend_correction", SECRETARIAT, months=1).status == 409
        case = ok(api.action(cid, "confirm_correction", SECRETARIAT))
        assert case["exception"]["state"] == "active"

        # Suspension and resumption.
        case = ok(api.action(cid, "suspend", SECRETARIAT, reason="사고 원인 조사"))
        assert case["exception"]["state"] == "suspended"
        case = ok(api.action(cid, "resume", SECRETARIAT, reason="조사 완료"))
        assert case["exception"]["state"] == "active"

        # Revocation: local-government consultation, committee, hearing.
        bad = api.action(cid, "propose_revocation", SECRETARIAT, ground="dislike")
        assert bad.status == 422
        early = api.action(cid, "propose_revocation", SECRETARIAT, ground="not_started")
        assert early.status == 409  # it started in time: not a ground
        case = ok(api.action(cid, "propose_revocation", SECRETARIAT, ground="deviation"))
        assert case["exception"]["state"] == "revocation_proposed"
        assert api.action(cid, "table", SECRETARIAT).status == 409  # the local government first
        assert api.action(cid, "record_local_opinion", BUSAN, opinion="x").status == 404
        ok(api.action(cid, "record_local_opinion", SEJONG, opinion="계획 이탈 확인, 취소에 동의"))
        case = ok(api.action(cid, "table", SECRETARIAT))
        assert case["exception"]["state"] == "revocation_committee"
        decide(api, cast, frozen, cid, "approve")
        assert _exception(api, cid)["state"] == "revocation_hearing"
        case = ok(api.action(cid, "record_hearing", SECRETARIAT, summary="사업자 소명 청취, 이탈 인정"))
        exception = case["exception"]
        assert exception["state"] == "revoked"
        assert exception["revocation"]["ground"] == "deviation"
        assert exception["revocation"]["local_opinion"].startswith("계획 이탈")
        assert [e for e in ok(api.get("/api/v1/register")) if e["id"] == cid][0]["status"] == "revoked"
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["actions"] == []


def test_not_starting_within_a_year_is_flagged_as_a_revocation_ground(api, app, cast):
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        cid = case["id"]
        frozen.tick(timedelta(days=370))  # a year, rolled past a weekend
        fire_timers(app)
        exception = _exception(api, cid, SECRETARIAT)
        assert exception["state"] == "awaiting_start" and "not_started" in exception["flags"]
        case = ok(api.action(cid, "propose_revocation", SECRETARIAT, ground="not_started"))
        assert case["exception"]["revocation"]["ground"] == "not_started"
        # The committee refuses: the exception goes back to waiting for its start.
        frozen.tick(timedelta(days=35))
        fire_timers(app)  # the local government's 30 days ran out without an opinion
        ok(api.action(cid, "table", SECRETARIAT))
        decide(api, cast, frozen, cid, "reject")
        assert _exception(api, cid)["state"] == "awaiting_start"


def test_an_approval_waits_for_its_district_and_closes_with_a_refused_one(api, app, cast):
    from tests.support.flows import district_in_consultation
    from tests.support.plans import AGENCY_OFFICIALS, tabled_plan

    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        # Two districts in progress; a plan filed in each (combined filing).
        first = district_in_consultation(api, app, frozen, ["KNPA"])
        second = district_in_consultation(api, app, frozen, ["KNPA"])
        waiting = tabled_plan(api, app, frozen, district_id=first["id"])
        doomed = tabled_plan(api, app, frozen, district_id=second["id"])
        for plan in (waiting, doomed):
            decide(api, cast, frozen, plan["id"], "approve")
            assert ok(api.get(f"/api/v1/cases/{plan['id']}", APPLICANT))["state"] == \
                "approved_pending_designation"
        assert ok(api.get(f"/api/v1/cases/{waiting['id']}", APPLICANT))["exception"] is None

        for district in (first, second):
            consultation = district["consultations"][0]
            ok(api.post(f"/api/v1/consultations/{consultation['id']}/reply", {"position": "consent"},
                        AGENCY_OFFICIALS["KNPA"]))
            ok(api.action(district["id"], "table", SECRETARIAT))
        decide(api, cast, frozen, first["id"], "approve")
        case = ok(api.get(f"/api/v1/cases/{waiting['id']}", APPLICANT))
        assert case["state"] == "approved" and case["exception"]["state"] == "awaiting_start"
        assert case["exception"]["starts_on"] == frozen().date().isoformat()
        decide(api, cast, frozen, second["id"], "reject")
        assert ok(api.get(f"/api/v1/cases/{doomed['id']}", APPLICANT))["state"] == "closed"


def test_a_plan_needs_a_district_under_the_2020_rules(api, app, cast):
    from tests.support.plans import filed_plan

    with freeze_time("2026-01-05 01:00:00+00:00"):
        case = filed_plan(api)
        refused = api.action(case["id"], "submit", APPLICANT)
        assert refused.status == 409 and "district" in refused.json["detail"]
        bad = api.post("/api/v1/cases", {"process": "project_approval", "data": {
            **case["data"], "district_id": 99999}}, APPLICANT)
        assert bad.status == 422 and "data.district_id" in bad.json["errors"]


def test_started_helper_is_reachable(api, app, cast):
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        assert started(api, case["id"], frozen().date().isoformat())["exception"]["state"] == "active"


def test_notifications_write_sums_days_and_times_as_people_read_them(api, app, cast):
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        on = frozen().date()
        started(api, case["id"], on.isoformat())  # INSURANCE: valid until 2031-12-31, 150,000,000 won
        an_hour_ago = (frozen() - timedelta(hours=1)).replace(tzinfo=UTC)
        ok(api.action(case["id"], "report_incident", APPLICANT, description="경미한 접촉",
                      occurred_at=an_hour_ago.isoformat()))
        bodies = [n["body_ko"] for n in ok(api.get("/api/v1/notifications", SECRETARIAT))]
        said = "\n".join(bodies)
        assert "150,000,000" in said and "1,000,000,000" in said
        weekday = "월화수목금토일"[on.weekday()]
        assert "2031년 12월 31일(수)" in said and f"{on.year}년 {on.month}월 {on.day}일({weekday})" in said
        assert (an_hour_ago + timedelta(hours=9)).strftime("%Y-%m-%d %H:%M KST") in said


def test_the_insurance_on_file_is_a_deadline_with_reminders_and_a_renewal_replaces_it(api, app, cast):
    """Decree 57: the cover is a condition of running the service. The policy's last day is
    a deadline of the exception: the filer and the secretariat are reminded 30 and 7 days
    ahead and told when it has passed; a renewed policy replaces it; a compensation plan
    (no policy, no day) starts none."""
    from sqlalchemy import select

    from sandbox.adapters.tables import Timer
    from tests.support.plans import INSURANCE

    def cover(cid):
        with app.extensions["sandbox"].uow() as uow:
            return list(uow.session.scalars(select(Timer).where(
                Timer.case_id == cid, Timer.kind.in_(("insurance_cover", "insurance_cover:reminder")))
                .order_by(Timer.id)))

    def told(who, kind):
        return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == kind]

    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        cid = case["id"]
        ok(api.action(cid, "file_insurance", APPLICANT, compensation_plan="자체 보상 기금"))
        assert cover(cid) == []  # no policy, no day
        ok(api.action(cid, "file_insurance", APPLICANT, **{**INSURANCE, "valid_until": "2026-06-30"}))
        ok(api.action(cid, "start", APPLICANT, started_on=frozen().date().isoformat()))
        [main, *reminders] = cover(cid)
        assert (main.kind, main.status) == ("insurance_cover", "pending")
        assert main.last_day.isoformat() == "2026-06-30"
        assert main.due_at.isoformat() == "2026-06-30T15:00:00+00:00"  # 00:00 KST the day after
        assert [(r.reminder_days, r.due_at.isoformat()) for r in reminders] == [
            (30, "2026-05-31T00:00:00+00:00"), (7, "2026-06-23T00:00:00+00:00")]  # 09:00 KST
        listed = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["deadlines"]
        assert {"kind": "insurance_cover", "status": "pending"}.items() <= next(
            d for d in listed if d["kind"] == "insurance_cover").items()

        frozen.move_to("2026-05-31 00:00:00+00:00")
        fire_timers(app)
        for who in (APPLICANT, SECRETARIAT):
            [reminder] = told(who, "reminder:insurance_cover")
            assert "2026-06-30" in reminder["body_en"] and "책임보험" in reminder["body_ko"]

        # A renewed policy replaces the deadline and its reminders.
        ok(api.action(cid, "file_insurance", APPLICANT, **{**INSURANCE, "valid_until": "2026-07-31"}))
        rows = cover(cid)
        assert [t.status for t in rows if t.id in {main.id, *(r.id for r in reminders)}] == [
            "cancelled", "fired", "cancelled"]
        [renewed] = [t for t in rows if t.parent_id is None and t.status == "pending"]
        assert renewed.last_day.isoformat() == "2026-07-31"

        frozen.move_to("2026-07-31 15:00:00+00:00")
        fire_timers(app)
        assert [t.status for t in cover(cid) if t.id == renewed.id] == ["fired"]
        assert told(APPLICANT, "deadline:insurance_cover") and told(SECRETARIAT, "deadline:insurance_cover")
        assert _exception(api, cid)["state"] == "active"  # told, not moved: the ministry decides
