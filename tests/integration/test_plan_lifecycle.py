"""A business plan from draft to approval with conditions, and its special exception's life,
through the HTTP API under freezegun (2020 rule set, inside a designated district).

The dates are DOMAIN.md's worked example: effective on Mon 2026-03-02, the term runs to the
end of 2030-03-01; an extension may be requested up to and including 2030-01-01.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from sandbox.adapters.tables import Timer
from tests.support.cast import APPLICANT, BUSAN, KNPA, OTHER_APPLICANT, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import fire_timers, ok
from tests.support.plans import INSURANCE, PLAN, approved_plan, decide, designated_district, started


def _notified(api, who, kind):
    return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == kind]


def _reminder_days(rt, exception_id):
    with rt.uow() as uow:
        rows = uow.session.scalars(
            select(Timer).where(Timer.subject_type == "exception", Timer.subject_id == exception_id,
                                Timer.kind == "term_end:reminder", Timer.status == "pending")
            .order_by(Timer.due_at)
        ).all()
        return [(t.reminder_days, t.due_at.isoformat()) for t in rows]


def test_plan_from_draft_to_approval_and_the_exceptions_life(api, app, rt, cast):
    with freeze_time("2025-10-01 00:30:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        assert district["state"] == "designated"

        # Filing: what is wrong is named per field and nothing is saved.
        bad = api.post("/api/v1/cases", {"process": "project_approval", "data": {
            **PLAN, "requested_exceptions": [], "operator": {"name": "(주)모빌리티"},
            "district_id": district["id"]}}, APPLICANT)
        assert bad.status == 422
        assert {"data.requested_exceptions", "data.operator.address"} <= set(bad.json["errors"])
        bad = api.post("/api/v1/cases", {"process": "project_approval", "data": {
            **PLAN, "requested_exceptions": [{"law": "도로교통법"}], "district_id": district["id"]}},
            APPLICANT)
        assert {"data.requested_exceptions.0.article", "data.requested_exceptions.0.reason"} <= set(
            bad.json["errors"])
        assert ok(api.get("/api/v1/cases?process=project_approval", APPLICANT))["total"] == 0

        case = ok(api.post("/api/v1/cases", {"process": "project_approval", "data": {
            **PLAN, "district_id": district["id"]}}, APPLICANT), 201)
        cid = case["id"]
        assert case["state"] == "draft" and case["rule_set"] == "2020"
        assert api.get(f"/api/v1/cases/{cid}", OTHER_APPLICANT).status == 404
        assert api.action(cid, "submit", OTHER_APPLICANT).status == 404

        # Local-government pre-review (Act 49②): only the official of the plan's area.
        case = ok(api.action(cid, "submit", APPLICANT))
        assert case["state"] == "local_government_review"
        assert [d["kind"] for d in case["deadlines"]] == ["local_review_due"]
        assert api.action(cid, "record_local_review", BUSAN, opinion="x", required_measures="x",
                          applicant_action_plan="x").status == 404
        assert api.action(cid, "record_local_review", APPLICANT, opinion="x", required_measures="x",
                          applicant_action_plan="x").status == 403
        frozen.tick(timedelta(days=35))  # no statutory period: flagged overdue, not decided
        fire_timers(app)
        case = ok(api.get(f"/api/v1/cases/{cid}", SECRETARIAT))
        assert case["state"] == "local_government_review" and "local_review_overdue" in case["flags"]
        case = ok(api.action(cid, "record_local_review", SEJONG, opinion="적정",
                             required_measures="보행자 안전 확보", applicant_action_plan="안전요원 배치"))
        assert case["state"] == "submitted"
        assert case["decision"]["local_review"]["required_measures"] == "보행자 안전 확보"

        # Completeness review: a return needs a Decree 52③ ground; a supplement round.
        bad = api.action(cid, "return", SECRETARIAT, reason="서류 미비", ground="boring")
        assert bad.status == 422 and "ground" in bad.json["errors"]
        case = ok(api.action(cid, "request_supplement", SECRETARIAT, items="보험 계획 보완"))
        case = ok(api.patch(f"/api/v1/cases/{cid}", {"version": case["version"], "data": {
            "compensation_plan": "책임보험 및 자체 보상 기금 5억원"}}, APPLICANT))
        case = ok(api.action(cid, "resubmit", APPLICANT))
        assert case["state"] == "submitted"

        # Consultation with the regulating agencies named in the plan.
        case = ok(api.action(cid, "open_consultation", SECRETARIAT))
        by_agency = {c["agency"]: c for c in case["consultations"]}
        assert set(by_agency) == {"KNPA", "PIPC"}
        assert api.get(f"/api/v1/consultations/{by_agency['PIPC']['id']}", KNPA).status == 404
        ok(api.post(f"/api/v1/consultations/{by_agency['KNPA']['id']}/reply",
                    {"position": "consent_with_conditions", "conditions": "야간 운행 금지"}, KNPA))
        ok(api.post(f"/api/v1/consultations/{by_agency['PIPC']['id']}/reply",
                    {"position": "consent"}, PIPC))
        case = ok(api.action(cid, "table", SECRETARIAT))
        assert case["state"] == "committee"

        # A modification round (Act 49⑧): the applicant revises and the plan comes back.
        item = decide(api, cast, frozen, cid, "request_modification", conditions=["운행 구간 축소"])
        assert item["outcome"] == "passed"
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["state"] == "modification_requested"
        case = ok(api.patch(f"/api/v1/cases/{cid}", {"version": case["version"], "data": {
            "summary": "운행 구간을 5-1 생활권 내부 도로로 축소한다."}}, APPLICANT))
        case = ok(api.action(cid, "resubmit", APPLICANT))
        assert case["state"] == "committee"

        # Approval with conditions on Mon 2026-03-02: the exception starts its life.
        frozen.move_to("2026-03-02 01:00:00+00:00")
        conditions = ["안전요원 상시 탑승", "분기별 운행 실적 보고"]
        decide(api, cast, frozen, cid, "approve_with_conditions", conditions=conditions)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["state"] == "approved"
        exception = case["exception"]
        assert exception["state"] == "awaiting_start"
        assert exception["starts_on"] == "2026-03-02" and exception["ends_on"] == "2030-03-01"
        assert exception["conditions"] == conditions
        assert exception["extended_until"] is None and exception["extension_used"] is False
        assert "file_insurance" in case["actions"] and "start" not in case["actions"]
        assert _notified(api, APPLICANT, "case:approve_with_conditions")

        # Insurance before start (Decree 57), with the minimum cover checked.
        assert api.action(cid, "start", APPLICANT, started_on="2026-03-10").status == 409
        low = api.action(cid, "file_insurance", APPLICANT, **{**INSURANCE, "death_per_person_krw": 1})
        assert low.status == 422 and "death_per_person_krw" in low.json["errors"]
        frozen.move_to("2026-04-01 01:00:00+00:00")
        assert api.action(cid, "start", OTHER_APPLICANT, started_on="2026-04-01").status == 404
        case = started(api, cid, "2026-04-01")
        assert case["exception"]["state"] == "active"
        assert case["exception"]["started_on"] == "2026-04-01"

        # The reminder ladder: 180, 90, 60, 30, 7 days before the last day and on it, 09:00 KST.
        ladder = _reminder_days(rt, exception["id"])
        assert ladder == [
            (180, "2029-09-02T00:00:00+00:00"), (90, "2029-12-01T00:00:00+00:00"),
            (60, "2029-12-31T00:00:00+00:00"), (30, "2030-01-30T00:00:00+00:00"),
            (7, "2030-02-22T00:00:00+00:00"), (0, "2030-03-01T00:00:00+00:00"),
        ]
        frozen.move_to("2029-09-02 00:00:00+00:00")
        fire_timers(app)
        for who in (APPLICANT, SECRETARIAT):
            reminders = _notified(api, who, "reminder:term_end")
            assert len(reminders) == 1 and "2030년 3월 1일" in reminders[0]["body_ko"]
            assert "2030-03-01" in reminders[0]["body_en"]

        # The extension: requested on the last allowed day, 2030-01-01, for 24 months.
        frozen.move_to("2030-01-01 14:59:00+00:00")  # 23:59 KST
        bad = api.action(cid, "request_extension", APPLICANT, months=25, reasons="법령 정비 지연")
        assert bad.status == 422 and "months" in bad.json["errors"]
        case = ok(api.action(cid, "request_extension", APPLICANT, months=24, reasons="법령 정비 지연"))
        assert case["exception"]["state"] == "extension_requested"

        # The committee grants 12 months, less than asked; never more than asked.
        frozen.move_to("2030-01-20 01:00:00+00:00")
        meeting = ok(api.post("/api/v1/meetings", {
            "title": "연장 심의", "mode": "in_person", "starts_at": "2030-01-20T10:00:00+09:00",
            "ends_at": "2030-01-20T12:00:00+09:00"}, SECRETARIAT), 201)
        too_long = api.post(f"/api/v1/meetings/{meeting['id']}/items",
                            {"case_id": cid, "proposal": "approve", "extension_months": 30}, SECRETARIAT)
        assert too_long.status == 422
        decide(api, cast, frozen, cid, "approve", extension_months=12)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        exception = case["exception"]
        assert exception["state"] == "extended" and exception["extension_used"] is True
        assert exception["extension_months"] == 12 and exception["extended_until"] == "2031-03-01"
        assert exception["ends_on"] == "2030-03-01"
        assert [d for d, _ in _reminder_days(rt, exception["id"])] == [180, 90, 60, 30, 7, 0]
        assert _reminder_days(rt, exception["id"])[-1][1] == "2031-03-01T00:00:00+00:00"

        # A second extension is impossible.
        again = api.action(cid, "request_extension", APPLICANT, months=6, reasons="추가 연장")
        assert again.status == 409 and "only once" in again.json["detail"]

        # Expiry at 00:00 KST after the last day, not a minute early; then the results report.
        frozen.move_to("2031-03-01 14:59:00+00:00")
        fire_timers(app)
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["exception"]["state"] == "extended"
        assert len(_notified(api, APPLICANT, "reminder:term_end")) == 1 + 6
        frozen.move_to("2031-03-01 15:00:00+00:00")
        fire_timers(app)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["exception"]["state"] == "expired"
        assert _notified(api, SECRETARIAT, "exception:expire")
        report_due = next(d for d in case["deadlines"] if d["kind"] == "results_report_due")
        assert report_due["status"] == "pending"
        frozen.tick(timedelta(days=35))
        fire_timers(app)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["exception"]["state"] == "results_due"
        case = ok(api.action(cid, "file_results_report", APPLICANT, summary="4년간 12만 명 운송, 사고 0건"))
        assert case["exception"]["state"] == "closed"
        assert case["exception"]["results_report"]["summary"].startswith("4년간")

        entry = next(e for e in ok(api.get("/api/v1/register")) if e["id"] == cid)
        assert entry["kind"] == "project" and entry["operator"] == "(주)모빌리티"
        assert entry["end_date"] == "2031-03-01" and entry["conditions"] == conditions
        assert entry["exceptions"][0]["article"] == "제4조" and entry["status"] == "closed"
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output


def test_an_extension_requested_a_day_late_is_refused(api, app, cast):
    with freeze_time("2025-10-01 00:30:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        frozen.move_to("2026-03-02 01:00:00+00:00")
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        started(api, case["id"], frozen().date().isoformat())
        last_day = case["exception"]["ends_on"]
        year, month, day = (int(p) for p in last_day.split("-"))
        # Two months before the last day is the last allowed filing day; the next is refused.
        frozen.move_to(f"{year}-{month - 2:02d}-{day:02d} 15:00:00+00:00")  # 00:00 KST next day
        late = api.action(case["id"], "request_extension", APPLICANT, months=12, reasons="늦은 신청")
        assert late.status == 409
        assert "Decree 54" in late.json["detail"]
        assert ok(api.get(f"/api/v1/cases/{case['id']}", APPLICANT))["exception"]["state"] == "active"
