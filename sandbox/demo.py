"""Demonstration data: organisations, one user per role and cases at several stages.

The demo drives the public API with a test client, as a real client would, on a clock
that starts four months ago and moves forward, so every case carries a true history
(deadlines, reminders, audit chain) and ends where the list below says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from .adapters.tables import User
from .domain.clock import FixedClock
from .services import people
from .services.runtime import Runtime
from .services.timers import fire_due_timers

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load_demo"]

DEMO_PASSWORD = "sandbox-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = [
    ("secretariat@demo.molit.go.kr", "secretariat", "MOLIT", "김서연 (사무국)"),
    ("sejong@demo.go.kr", "local_government", "sejong", "이도윤 (세종시)"),
    ("busan@demo.go.kr", "local_government", "busan", "박지호 (부산시)"),
    ("incheon@demo.go.kr", "local_government", "incheon", "최하은 (인천시)"),
    ("knpa@demo.go.kr", "agency", "KNPA", "정민준 (경찰청)"),
    ("pipc@demo.go.kr", "agency", "PIPC", "강서준 (개인정보위)"),
    ("motie@demo.go.kr", "agency", "MOTIE", "윤지우 (산업부)"),
    ("ceo@demo-mobility.kr", "applicant", "demo-mobility", "한예준 (데모모빌리티)"),
    *[
        (f"member{n}@demo.molit.go.kr", "committee_member", "MOLIT", f"위원 {n}")
        for n in range(1, 6)
    ],
]


class _Driver:
    def __init__(self, rt: Runtime, tokens: dict[str, str]) -> None:
        self.rt = rt
        self.client = current_app.test_client()
        self.tokens = tokens

    def call(self, method: str, path: str, who: str | None, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        response = self.client.open(path, method=method, json=body, headers=headers)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    def act(self, case_id: int, action: str, who: str, **payload: Any) -> Any:
        return self.call("POST", f"/api/v1/cases/{case_id}/actions/{action}", who, payload)

    def file(self, who: str, **data: Any) -> int:
        body = {"process": "district_designation", "data": data}
        return int(self.call("POST", "/api/v1/cases", who, body)["id"])


@contextmanager
def _clock(rt: Runtime, clock: FixedClock) -> Iterator[None]:
    saved = rt.clock
    rt.clock = clock
    try:
        yield
    finally:
        rt.clock = saved


def _district(name: str, lg: str, area: str, km2: float, summary: str) -> dict[str, Any]:
    return {"name": name, "local_government": lg, "area_description": area, "area_km2": km2,
            "plan_summary": summary}


def load_demo(rt: Runtime) -> Iterator[str]:
    with rt.uow() as uow:
        if uow.session.scalars(select(User).where(User.email == DEMO_USERS[0][0])).first():
            yield "demo data already loaded"
            yield from _credentials()
            return
    people.seed_organisations(rt)
    for email, role, org, name in DEMO_USERS:
        people.create_user(rt, email=email, role=role, org=org, name=name, password=DEMO_PASSWORD)
    with rt.uow() as uow:
        users = list(uow.session.execute(select(User.email, User.id)))
    tokens = {email: people.issue_token(rt, user_id) for email, user_id in users}
    clock = FixedClock(rt.clock.now() - timedelta(days=120))
    try:
        with _clock(rt, clock):
            yield from _cases(rt, _Driver(rt, tokens), clock)
    finally:
        for token in tokens.values():  # the demo's own tokens are not left behind
            people.revoke_token(rt, token)
    fire_due_timers(rt)
    yield from _credentials()


def _cases(rt: Runtime, d: _Driver, clock: FixedClock) -> Iterator[str]:
    sec, sejong, busan, incheon = (DEMO_USERS[i][0] for i in range(4))
    knpa, pipc = DEMO_USERS[4][0], DEMO_USERS[5][0]
    members = [u[0] for u in DEMO_USERS if u[1] == "committee_member"]

    designated = d.file(sejong, **_district(
        "세종 5-1 생활권 스마트규제혁신지구", "sejong", "세종특별자치시 5-1 생활권 일원", 2.7,
        "수요응답형 자율주행 셔틀과 실외 배송 로봇을 위한 규제혁신지구"))
    tabled = d.file(busan, **_district(
        "부산 에코델타 스마트규제혁신지구", "busan", "부산광역시 강서구 에코델타시티", 11.8,
        "드론 배송과 스마트 주차 공유 서비스 실증"))
    for case_id, who in ((designated, sejong), (tabled, busan)):
        d.act(case_id, "submit", who)
        d.act(case_id, "open_resident_opinion", sec)
    clock.advance(days=35)
    fire_due_timers(rt)
    for case_id in (designated, tabled):
        case = d.act(case_id, "open_consultation", sec, agencies=["KNPA", "PIPC"])
        for c in case["consultations"]:
            who = knpa if c["agency"] == "KNPA" else pipc
            d.call("POST", f"/api/v1/consultations/{c['id']}/reply", who,
                   {"position": "consent_with_conditions", "conditions": "안전요원 동승"}
                   if c["agency"] == "KNPA" else {"position": "consent"})
        d.act(case_id, "table", sec)
    clock.advance(days=10)
    start = clock.now()
    meeting = d.call("POST", "/api/v1/meetings", sec, {
        "title": "제12차 국가스마트도시위원회", "mode": "in_person",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()})
    item = d.call("POST", f"/api/v1/meetings/{meeting['id']}/items", sec, {
        "case_id": designated, "proposal": "approve_with_conditions",
        "conditions": ["운행 구간 안전요원 배치", "분기별 운행 실적 보고"]})
    d.call("POST", f"/api/v1/meetings/{meeting['id']}/open", sec)
    d.call("POST", f"/api/v1/meetings/{meeting['id']}/attendance", sec,
           {"present": [_user_id(rt, m) for m in members]})
    for member in members:
        d.call("POST", f"/api/v1/items/{item['id']}/vote", member, {"choice": "for"})
    d.call("POST", f"/api/v1/meetings/{meeting['id']}/close", sec)
    yield f"designated district: case {designated} (Sejong)"
    yield f"district tabled for the committee: case {tabled} (Busan)"

    clock.advance(days=45)
    consulting = d.file(incheon, **_district(
        "인천 송도 스마트규제혁신지구", "incheon", "인천광역시 연수구 송도국제도시", 5.2,
        "자율주행 순찰 로봇과 개인형 이동장치 공유"))
    d.act(consulting, "submit", incheon)
    d.act(consulting, "open_resident_opinion", sec, days=14)
    clock.advance(days=16)
    fire_due_timers(rt)
    case = d.act(consulting, "open_consultation", sec, agencies=["KNPA", "PIPC", "MOTIE"])
    knpa_c = next(c for c in case["consultations"] if c["agency"] == "KNPA")
    d.call("POST", f"/api/v1/consultations/{knpa_c['id']}/reply", knpa,
           {"position": "object", "comment": "보도 주행 시 보행자 안전 기준이 부족함"})
    yield f"district in agency consultation: case {consulting} (Incheon)"

    clock.advance(days=10)
    opinion = d.file(sejong, **_district(
        "세종 국가시범도시 스마트규제혁신지구", "sejong", "세종 5-2 생활권", 1.9,
        "데이터 기반 공유 모빌리티 서비스"))
    d.act(opinion, "submit", sejong)
    d.act(opinion, "open_resident_opinion", sec)
    yield f"district open for resident opinion (comments welcome): case {opinion} (Sejong)"
    supplement = d.file(busan, **_district(
        "부산 북항 스마트규제혁신지구", "busan", "부산 북항 재개발 구역", 3.3, "스마트 항만 물류"))
    d.act(supplement, "submit", busan)
    d.act(supplement, "request_supplement", sec, items="구역 경계 도면과 주민 설명회 계획을 보완하세요.")
    yield f"district with a supplement request: case {supplement} (Busan)"
    submitted = d.file(incheon, **_district(
        "인천 영종 스마트규제혁신지구", "incheon", "인천 중구 영종도 일원", 4.4, "도심항공교통 실증"))
    d.act(submitted, "submit", incheon)
    yield f"district awaiting the completeness review: case {submitted} (Incheon)"


def _user_id(rt: Runtime, email: str) -> int:
    with rt.uow() as uow:
        return int(uow.session.scalars(select(User.id).where(User.email == email)).one())


def _credentials() -> Iterator[str]:
    url = current_app.config.get("SANDBOX_PUBLIC_URL", "http://127.0.0.1:5000")
    yield ""
    yield f"Open {url}/login and sign in as any of these demo users (web pages in Korean,"
    yield "English via the link at the top; the public register needs no sign-in)."
    yield f"Demo users (password for all: {DEMO_PASSWORD}):"
    for email, role, org, name in DEMO_USERS:
        yield f"  {role:<17} {org:<13} {email:<32} {name}"
