"""Ready-made paths through the district process, for tests that start further along.

Every function takes the API client, the cast and freezegun's frozen clock (``frozen``),
and moves time only through ``frozen``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.services.timers import fire_due_timers

from .cast import SECRETARIAT, SEJONG

DISTRICT = {
    "name": "세종 스마트 규제혁신지구",
    "local_government": "sejong",
    "area_description": "세종특별자치시 5-1 생활권 일원",
    "area_km2": 2.7,
    "plan_summary": "자율주행 셔틀과 배송 로봇 실증을 위한 규제혁신지구",
}


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status == status, response
    return response.json  # type: ignore[no-any-return]


def fire_timers(app: Any) -> int:
    return fire_due_timers(app.extensions["sandbox"])


def filed_district(api: Any, **data: Any) -> dict[str, Any]:
    body = {"process": "district_designation", "data": {**DISTRICT, **data}}
    return ok(api.post("/api/v1/cases", body, SEJONG), 201)


def district_in_resident_opinion(api: Any, **data: Any) -> dict[str, Any]:
    case = filed_district(api, **data)
    ok(api.action(case["id"], "submit", SEJONG))
    return ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT))


def district_in_consultation(
    api: Any, app: Any, frozen: Any, agencies: list[str], **data: Any
) -> dict[str, Any]:
    """A district whose resident-opinion period is over and whose consultations are open."""
    case = district_in_resident_opinion(api, **data)
    frozen.tick(timedelta(days=45))
    fire_timers(app)
    return ok(api.action(case["id"], "open_consultation", SECRETARIAT, agencies=agencies))


def tabled_district(
    api: Any, app: Any, frozen: Any, agencies: list[str], who: dict[str, str], **data: Any
) -> dict[str, Any]:
    """A district in ``committee``: every agency in ``agencies`` consented (``who`` maps
    agency code to the e-mail of its official); ``data`` overrides the filing's."""
    case = district_in_consultation(api, app, frozen, agencies, **data)
    for consultation in case["consultations"]:
        reply = {"position": "consent", "comment": "이견 없음"}
        ok(api.post(f"/api/v1/consultations/{consultation['id']}/reply", reply,
                    who[consultation["agency"]]))
    return ok(api.action(case["id"], "table", SECRETARIAT))
