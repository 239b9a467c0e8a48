"""Ready-made paths through business plan approval and the committee, for plan tests.

Time moves only through freezegun's ``frozen``; every helper returns the case as the API
shows it.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from .cast import APPLICANT, KNPA, PIPC, SECRETARIAT, SEJONG
from .flows import fire_timers, ok, tabled_district

PLAN = {
    "title": "수요응답형 자율주행 셔틀 실증",
    "kind": "demonstration",
    "local_government": "sejong",
    "summary": "세종 5-1 생활권에서 수요응답형 자율주행 셔틀을 운행한다.",
    "requested_exceptions": [
        {"law": "여객자동차 운수사업법", "article": "제4조", "reason": "면허 없는 유상 운송"},
        {"law": "개인정보 보호법", "article": "제15조", "reason": "영상정보 수집"},
    ],
    "safety_measures": "안전요원 탑승, 시속 30km 제한",
    "compensation_plan": "책임보험 가입 및 피해 보상 기금",
    "regulating_agencies": ["KNPA", "PIPC"],
    "operator": {"name": "(주)모빌리티", "address": "세종특별자치시 한누리대로 2130"},
}
AGENCY_OFFICIALS = {"KNPA": KNPA, "PIPC": PIPC}
INSURANCE = {
    "insurer": "한국손해보험", "policy_number": "LIA-2026-0001", "valid_until": "2031-12-31",
    "death_per_person_krw": 150_000_000, "property_per_accident_krw": 1_000_000_000,
}


def decide(api: Any, cast: Any, frozen: Any, case_id: int, proposal: str = "approve",
           **item: Any) -> dict[str, Any]:
    """An in-person meeting where every member is present and votes for the item."""
    start = frozen().replace(tzinfo=UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "국가스마트도시위원회", "mode": "in_person", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat()}, SECRETARIAT), 201)
    body = {"case_id": case_id, "proposal": proposal, **item}
    made = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items", body, SECRETARIAT), 201)
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/attendance", {"present": cast.member_ids()},
                SECRETARIAT))
    for member in cast.members:
        ok(api.post(f"/api/v1/items/{made['id']}/vote", {"choice": "for"}, member))
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", {}, SECRETARIAT))
    return ok(api.get(f"/api/v1/items/{made['id']}", SECRETARIAT))


def designated_district(api: Any, app: Any, cast: Any, frozen: Any) -> dict[str, Any]:
    case = tabled_district(api, app, frozen, ["KNPA"], AGENCY_OFFICIALS)
    decide(api, cast, frozen, case["id"])
    return ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))


def filed_plan(api: Any, who: str = APPLICANT, **data: Any) -> dict[str, Any]:
    return ok(api.post("/api/v1/cases", {"process": "project_approval", "data": {**PLAN, **data}},
                       who), 201)


def tabled_plan(api: Any, app: Any, frozen: Any, **data: Any) -> dict[str, Any]:
    """Filed, reviewed by Sejong, consulted (both agencies consent), tabled."""
    case = filed_plan(api, **data)
    ok(api.action(case["id"], "submit", APPLICANT))
    ok(api.action(case["id"], "record_local_review", SEJONG, opinion="적정",
                  required_measures="보행자 안전 확보", applicant_action_plan="안전요원 배치"))
    case = ok(api.action(case["id"], "open_consultation", SECRETARIAT))
    for consultation in case["consultations"]:
        ok(api.post(f"/api/v1/consultations/{consultation['id']}/reply", {"position": "consent"},
                    AGENCY_OFFICIALS[consultation["agency"]]))
    frozen.tick(timedelta(days=1))
    fire_timers(app)
    return ok(api.action(case["id"], "table", SECRETARIAT))


def approved_plan(api: Any, app: Any, cast: Any, frozen: Any, **data: Any) -> dict[str, Any]:
    case = tabled_plan(api, app, frozen, **data)
    decide(api, cast, frozen, case["id"])
    return ok(api.get(f"/api/v1/cases/{case['id']}", APPLICANT))


def started(api: Any, case_id: int, on: str) -> dict[str, Any]:
    ok(api.action(case_id, "file_insurance", APPLICANT, **INSURANCE))
    return ok(api.action(case_id, "start", APPLICANT, started_on=on))
