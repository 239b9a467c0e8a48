"""Rapid regulatory confirmation (규제 신속확인, Act 49-2) through the HTTP API, 2021 rules.

An applicant asks KNPA and PIPC whether its service needs a permit. KNPA answers that one is
needed, with the requirements; PIPC stays silent, and after 30 days (Civil-Act counting,
rolled past a weekend: not a minute early) the sweep records PIPC's deemed answer "no
permit required" citing Act 49-2④, and the case is answered. The ministry then closes it,
or is flagged late after its own 30 days (Act 49-2⑥). Time moves only through freezegun.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.conftest import make_app
from tests.support.cast import APPLICANT, KNPA, OTHER_APPLICANT, PIPC, SECRETARIAT
from tests.support.flows import fire_timers, ok

REQUEST = {
    "title": "자율주행 배송로봇 보도 통행",
    "description": "보도 위를 시속 5km 이하로 주행하는 배송 로봇 서비스에 허가가 필요한지 확인을 요청합니다.",
    "agencies": ["KNPA", "PIPC"],
}
# Thu 2026-09-10 10:00 KST. Day 1 is 09-11, day 30 is Sat 10-10; the weekend rolls the
# answer period to the end of Mon 10-12 (KST): the deemed answer comes at 10-13 00:00 KST.
FILED_AT = "2026-09-10 01:00:00+00:00"
DEEMED_AT = "2026-10-12T15:00:00+00:00"


@pytest.fixture
def app(database_url):
    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    yield app
    app.extensions["sandbox.db"].dispose()


def _file_and_submit(api):
    case = ok(api.post("/api/v1/cases", {"process": "rapid_confirmation", "data": REQUEST},
                       APPLICANT), 201)
    assert case["state"] == "draft" and case["rule_set"] == "2021"
    case = ok(api.action(case["id"], "submit", APPLICANT))
    assert case["state"] == "forwarded"
    return case, {c["agency"]: c for c in case["consultations"]}


def _notified(api, who, kind):
    return [n for n in ok(api.get("/api/v1/notifications", who)) if n["kind"] == kind]


def _events(api, cid, action):
    return [e for e in ok(api.get(f"/api/v1/cases/{cid}/history", SECRETARIAT))
            if e["action"] == action]


def test_one_agency_answers_one_is_deemed(api, app, cast):
    with freeze_time(FILED_AT) as frozen:
        case, by_agency = _file_and_submit(api)
        cid = case["id"]
        knpa, pipc = by_agency["KNPA"], by_agency["PIPC"]
        assert knpa["state"] == pipc["state"] == "open"
        assert knpa["due_at"] == pipc["due_at"] == DEEMED_AT
        [filing] = _events(api, cid, "submit")
        assert filing["payload"]["event"] == "filed" and filing["to_state"] == "forwarded"
        assert _notified(api, KNPA, "consultation:opened")
        assert _notified(api, PIPC, "consultation:opened")

        # Each sees only its own: another applicant nothing, an agency only its consultation.
        assert api.get(f"/api/v1/cases/{cid}", OTHER_APPLICANT).status == 404
        assert api.action(cid, "withdraw", OTHER_APPLICANT, reason="x").status == 404
        assert api.get(f"/api/v1/consultations/{pipc['id']}", KNPA).status == 404
        assert api.post(f"/api/v1/consultations/{pipc['id']}/reply",
                        {"position": "no_permit_required"}, KNPA).status == 404
        assert [c["agency"] for c in ok(api.get("/api/v1/consultations", KNPA))] == ["KNPA"]
        seen_by_knpa = ok(api.get(f"/api/v1/cases/{cid}", KNPA))
        assert [c["agency"] for c in seen_by_knpa["consultations"]] == ["KNPA"]
        assert api.get(f"/api/v1/consultations/{knpa['id']}", OTHER_APPLICANT).status == 404

        # KNPA: a permit is needed; without requirements that is refused (422).
        frozen.tick(timedelta(days=10))
        bad = api.post(f"/api/v1/consultations/{knpa['id']}/reply",
                       {"position": "permit_required"}, KNPA)
        assert bad.status == 422 and "requirements" in bad.json["errors"]
        bad = api.post(f"/api/v1/consultations/{knpa['id']}/reply", {"position": "consent"}, KNPA)
        assert bad.status == 422 and "position" in bad.json["errors"]
        requirements = "도로교통법상 보행보조용 의자차 기준 충족 및 관할 경찰서장 허가"
        answer = ok(api.post(f"/api/v1/consultations/{knpa['id']}/reply",
                             {"position": "permit_required", "requirements": requirements}, KNPA))
        assert answer["state"] == "answered" and answer["requirements"].startswith("도로교통법")
        assert _notified(api, APPLICANT, "consultation:reply")
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["state"] == "forwarded"
        assert api.post(f"/api/v1/consultations/{knpa['id']}/reply",
                        {"position": "no_permit_required"}, KNPA).status == 409

        # PIPC is silent. One minute before the end of the rolled 30th day: still open.
        frozen.move_to("2026-10-12 14:59:00+00:00")
        fire_timers(app)
        assert ok(api.get(f"/api/v1/consultations/{pipc['id']}", PIPC))["state"] == "open"
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["state"] == "forwarded"

        frozen.move_to(DEEMED_AT)
        assert fire_timers(app) >= 1
        pipc = ok(api.get(f"/api/v1/consultations/{pipc['id']}", PIPC))
        assert pipc["state"] == "deemed" and pipc["position"] == "no_permit_required"
        [deemed] = _events(api, cid, "deem")
        assert deemed["tag"] == "case:consultation:deem"
        assert deemed["actor"].startswith("system")
        assert "제49조의2제4항" in deemed["payload"]["legal_ground"]["ko"]
        assert "49-2(4)" in deemed["payload"]["legal_ground"]["en"]
        assert _notified(api, PIPC, "consultation:deem")
        assert _notified(api, APPLICANT, "consultation:deem")

        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["state"] == "answered"
        answers = {a["agency"]: a for a in case["decision"]["rapid"]["answers"]}
        assert answers["KNPA"]["position"] == "permit_required" and not answers["KNPA"]["deemed"]
        assert answers["PIPC"] == {"agency": "PIPC", "position": "no_permit_required",
                                   "deemed": True, "requirements": None, "comment": None}
        assert _notified(api, APPLICANT, "case:complete")
        assert [d["kind"] for d in case["deadlines"]] == ["close_due"]
        assert case["actions"] == []  # closing is the secretariat's

        # The ministry closes it (a summary is required).
        frozen.tick(timedelta(days=5))
        assert api.action(cid, "close", APPLICANT, summary="x").status == 403
        assert api.action(cid, "close", SECRETARIAT).status == 422
        case = ok(api.action(cid, "close", SECRETARIAT,
                             summary="경찰청 허가 필요(요건 첨부), 개인정보위 허가 불요(간주)"))
        assert case["state"] == "closed"
        assert case["decision"]["rapid"]["close_late"] is False
        assert case["deadlines"][0]["status"] == "cancelled"
        assert _notified(api, APPLICANT, "case:close")

        history = [e["action"] for e in ok(api.get(f"/api/v1/cases/{cid}/history", APPLICANT))]
        assert history == ["file", "submit", "reply", "deem", "complete", "close"]
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output


def test_every_agency_silent_is_deemed_no_permit_and_a_late_close_is_flagged(api, app, cast):
    with freeze_time(FILED_AT) as frozen:
        case, by_agency = _file_and_submit(api)
        cid = case["id"]
        frozen.move_to(DEEMED_AT)
        result = app.test_cli_runner().invoke(args=["timers", "fire"])
        assert result.exit_code == 0, result.output
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["state"] == "deemed_no_permit"
        assert {c["state"] for c in case["consultations"]} == {"deemed"}
        assert len(_events(api, cid, "deem")) == 2
        assert _notified(api, APPLICANT, "case:deem_no_permit")

        # The ministry's 30 days run from 10-13 00:00 KST (counted, Civil Act 157) to the end
        # of Wed 11-11: the late flag comes at 11-12 00:00 KST, not before.
        [close_due] = case["deadlines"]
        assert close_due["due_at"] == "2026-11-11T15:00:00+00:00"
        frozen.move_to("2026-11-11 14:59:00+00:00")
        fire_timers(app)
        assert not _events(api, cid, "flag_late")
        frozen.move_to("2026-11-11 15:00:00+00:00")
        fire_timers(app)
        [flag] = _events(api, cid, "flag_late")
        assert flag["payload"]["close_late"] is True and flag["from_state"] == flag["to_state"]
        assert _notified(api, SECRETARIAT, "case:flag_late")
        case = ok(api.get(f"/api/v1/cases/{cid}", SECRETARIAT))
        assert case["state"] == "deemed_no_permit" and case["decision"]["rapid"]["close_late"]
        assert case["actions"] == ["close"]

        # Flagged once: the flag does not start a new 30 days.
        frozen.tick(timedelta(days=40))
        fire_timers(app)
        assert len(_events(api, cid, "flag_late")) == 1

        case = ok(api.action(cid, "close", SECRETARIAT, summary="전 기관 허가 불요 간주"))
        assert case["state"] == "closed" and case["decision"]["rapid"]["close_late"] is True


def test_withdrawing_a_forwarded_request_closes_the_open_answers(api, app, cast):
    with freeze_time(FILED_AT) as frozen:
        case, by_agency = _file_and_submit(api)
        cid = case["id"]
        ok(api.post(f"/api/v1/consultations/{by_agency['KNPA']['id']}/reply",
                    {"position": "no_permit_required", "comment": "소관 아님"}, KNPA))
        case = ok(api.action(cid, "withdraw", APPLICANT, reason="사업 계획 변경"))
        assert case["state"] == "withdrawn"
        assert {c["agency"]: c["state"] for c in case["consultations"]} == {
            "KNPA": "answered", "PIPC": "closed"}
        frozen.move_to(DEEMED_AT)
        fire_timers(app)
        assert not _events(api, cid, "deem")
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["state"] == "withdrawn"

