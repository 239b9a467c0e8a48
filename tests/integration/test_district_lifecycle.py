"""The whole district designation process through the HTTP API, as its users live it.

Filing by Sejong, a supplement round, resident opinion with a public comment, two agency
consultations (one consents with conditions, one stays silent and goes overdue), then the
committee: a written deliberation without quorum, an in-person tie, and an in-person
meeting with a recusal that passes. Time moves only through freezegun.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from freezegun import freeze_time

from tests.support.cast import APPLICANT, BUSAN, KNPA, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import DISTRICT, fire_timers, ok


def _meeting(api, mode, title, start):
    start = start.replace(tzinfo=UTC)  # freezegun's clock is naive UTC
    body = {"title": title, "mode": mode, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=7)).isoformat()}
    return ok(api.post("/api/v1/meetings", body, SECRETARIAT), 201)


def _item(api, meeting_id, case_id, **extra):
    body = {"case_id": case_id, "proposal": "approve_with_conditions",
            "conditions": ["운행 구간 내 안전요원 탑승", "분기별 안전 점검 결과 제출"], **extra}
    return ok(api.post(f"/api/v1/meetings/{meeting_id}/items", body, SECRETARIAT), 201)


def _notified(api, who, kind):
    return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == kind]


def test_district_from_filing_to_designation(api, app, cast):
    members = cast.members
    with freeze_time("2026-03-02 00:30:00+00:00") as frozen:  # Mon 09:30 KST
        # Filing: invalid input gets per-field messages and saves nothing.
        bad = api.post("/api/v1/cases", {"process": "district_designation",
                                         "data": {**DISTRICT, "area_km2": -1, "name": ""}}, SEJONG)
        assert bad.status == 422 and bad.content_type == "application/problem+json"
        assert {"data.area_km2", "data.name"} <= set(bad.json["errors"])
        assert ok(api.get("/api/v1/cases", SEJONG))["total"] == 0

        case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                           SEJONG), 201)
        cid = case["id"]
        assert case["state"] == "draft" and case["rule_set"] == "2020"

        # Access: another local government and an applicant see nothing; the filer may not
        # fire a secretariat action (403).
        assert api.get(f"/api/v1/cases/{cid}", BUSAN).status == 404
        assert api.get(f"/api/v1/cases/{cid}", APPLICANT).status == 404
        assert api.action(cid, "submit", BUSAN).status == 404
        ok(api.action(cid, "submit", SEJONG))
        assert api.action(cid, "return", SEJONG, reason="x").status == 403
        assert api.action(cid, "submit", SEJONG).status == 409

        # Supplement round: the filer edits while asked, then resubmits.
        case = ok(api.action(cid, "request_supplement", SECRETARIAT, items="구역 도면을 첨부하세요"))
        assert case["state"] == "supplement_requested"
        assert [d["kind"] for d in case["deadlines"]] == ["supplement_deadline"]
        stale = api.patch(f"/api/v1/cases/{cid}", {"version": case["version"] - 1,
                                                   "data": {"area_km2": 3.1}}, SEJONG)
        assert stale.status == 409
        case = ok(api.patch(f"/api/v1/cases/{cid}", {"version": case["version"],
                                                     "data": {"area_km2": 3.1}}, SEJONG))
        assert case["data"]["area_km2"] == 3.1
        frozen.tick(timedelta(days=3))
        case = ok(api.action(cid, "resubmit", SEJONG))
        assert case["deadlines"][0]["status"] == "cancelled"

        # Resident opinion: anyone may comment while the notice period runs.
        ok(api.action(cid, "open_resident_opinion", SECRETARIAT))
        comment = api.post(f"/api/v1/cases/{cid}/comments",
                           {"name": "주민 김씨", "body": "보행로 안전 대책을 요청합니다."})
        assert comment.status == 201
        assert api.action(cid, "open_consultation", SECRETARIAT, agencies=["KNPA"]).status == 409
        frozen.tick(timedelta(days=35))  # 30 days, rolled past a weekend
        fire_timers(app)
        assert api.post(f"/api/v1/cases/{cid}/comments",
                        {"name": "늦은 주민", "body": "의견"}).status == 409

        # Consultation: KNPA consents with conditions, PIPC stays silent.
        case = ok(api.action(cid, "open_consultation", SECRETARIAT, agencies=["KNPA", "PIPC"]))
        by_agency = {c["agency"]: c for c in case["consultations"]}
        assert set(by_agency) == {"KNPA", "PIPC"}
        assert api.get(f"/api/v1/consultations/{by_agency['PIPC']['id']}", KNPA).status == 404
        ok(api.post(f"/api/v1/consultations/{by_agency['KNPA']['id']}/reply",
                    {"position": "consent_with_conditions", "conditions": "야간 운행 제한"}, KNPA))
        assert api.action(cid, "table", SECRETARIAT).status == 409
        frozen.tick(timedelta(days=35))  # past the 30 days, rolled over a weekend
        fire_timers(app)
        pipc = ok(api.get(f"/api/v1/consultations/{by_agency['PIPC']['id']}", SECRETARIAT))
        assert pipc["state"] == "overdue" and pipc["position"] is None
        assert _notified(api, PIPC, "consultation:mark_overdue")
        assert _notified(api, SECRETARIAT, "consultation:mark_overdue")
        case = ok(api.action(cid, "table", SECRETARIAT))
        assert case["state"] == "committee"
        states = {c["agency"]: c["state"] for c in case["consultations"]}
        assert states == {"KNPA": "answered", "PIPC": "closed"}

        # Committee 1: a written deliberation where only 2 of 5 vote: no quorum.
        now = frozen()
        meeting = _meeting(api, "written", "제1차 서면심의", now)
        item = _item(api, meeting["id"], cid)
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
        for member in members[:2]:
            ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, member))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", {}, SECRETARIAT))
        item = ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))
        assert item["outcome"] == "no_quorum"
        assert item["tally"]["quorum_met"] is False and item["tally"]["present"] == 2
        assert ok(api.get(f"/api/v1/cases/{cid}", SECRETARIAT))["state"] == "committee"

        # Committee 2: in person, four present, two for and two against: a tie fails.
        frozen.tick(timedelta(days=7))
        meeting = _meeting(api, "in_person", "제2차 회의", frozen())
        item = _item(api, meeting["id"], cid)
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/attendance",
                    {"present": cast.member_ids()[:4]}, SECRETARIAT))
        for member, choice in zip(members[:4], ["for", "for", "against", "against"], strict=True):
            ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": choice}, member))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", {}, SECRETARIAT))
        item = ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))
        assert item["outcome"] == "not_passed"
        assert item["tally"] == {"enrolled": 5, "recused": 0, "present": 4, "for": 2,
                                 "against": 2, "abstain": 0, "quorum_met": True, "passed": False}

        # Committee 3: one member recuses; three of four vote for (one changes its vote).
        frozen.tick(timedelta(days=7))
        meeting = _meeting(api, "in_person", "제3차 회의", frozen())
        item = _item(api, meeting["id"], cid)
        ok(api.post(f"/api/v1/items/{item['id']}/recusal", {"reason": "사업자와 이해관계"}, members[4]))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/attendance",
                    {"present": cast.member_ids()[:4]}, SECRETARIAT))
        assert api.post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, members[4]).status == 409
        for member, choice in zip(members[:4], ["for", "for", "against", "abstain"], strict=True):
            ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": choice}, member))
        ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, members[3]))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", {}, SECRETARIAT))
        item = ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))
        assert item["outcome"] == "passed"
        assert item["tally"] == {"enrolled": 4, "recused": 1, "present": 4, "for": 3,
                                 "against": 1, "abstain": 0, "quorum_met": True, "passed": True}

        case = ok(api.get(f"/api/v1/cases/{cid}", SEJONG))
        assert case["state"] == "designated"
        assert case["decision"]["resolution"]["conditions"] == item["conditions"]
        (designated,) = _notified(api, SEJONG, "case:approve_with_conditions")
        # The conditions the committee attached are told with the designation.
        assert "- 조건: 운행 구간 내 안전요원 탑승, 분기별 안전 점검 결과 제출" in designated["body_ko"]
        assert "- Conditions: 운행 구간 내 안전요원 탑승" in designated["body_en"]
        assert "item_id" not in designated["body_en"] and "tally" not in designated["body_en"]

        register = ok(api.get("/api/v1/register"))
        entry = next(e for e in register if e["reference"] == case["reference"])
        assert entry["status"] == "designated" and entry["conditions"] == item["conditions"]
        csv_text = api.client.get("/register.csv").get_data(as_text=True)
        assert case["reference"] in csv_text

        history = [e["action"] for e in ok(api.get(f"/api/v1/cases/{cid}/history", SEJONG))]
        for action in ("file", "submit", "request_supplement", "edit", "resubmit",
                       "open_resident_opinion", "comment", "open_consultation", "reply",
                       "mark_overdue", "close", "table", "approve_with_conditions"):
            assert action in history, action
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output

        # Lifting ends the designation; the register keeps it with its status.
        ok(api.action(cid, "lift", SECRETARIAT, reason="사업 종료"))
        entry = next(e for e in ok(api.get("/api/v1/register")) if e["id"] == cid)
        assert entry["status"] == "lifted"


def test_direct_designation_skips_the_application(api, cast):
    with freeze_time("2026-05-04 01:00:00+00:00"):
        case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                           SECRETARIAT), 201)
        assert case["actions"] == ["withdraw", "open_resident_opinion"]
        assert api.action(case["id"], "submit", SECRETARIAT).status == 409
        case = ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT, days=20))
        assert case["state"] == "resident_opinion"
        assert ok(api.get(f"/api/v1/cases/{case['id']}", SEJONG))["state"] == "resident_opinion"
