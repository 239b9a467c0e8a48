"""Demonstration data: organisations, one user per role and cases at several stages.

The demo drives the public API with a test client, as a real client would, on a clock
that starts four months ago and moves forward, so every case carries a true history
(deadlines, reminders, audit chain) and ends where the list below says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from .adapters.tables import User
from .domain.calendar import KST
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


DEMO_COMPANIES = {
    "demo-mobility": {"org_name": "(주)데모모빌리티", "org_name_en": "Demo Mobility Co., Ltd."},
}


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

    def file(self, who: str, process: str = "district_designation", **data: Any) -> int:
        body = {"process": process, "data": data}
        return int(self.call("POST", "/api/v1/cases", who, body)["id"])

    def wait_out(self, clock: FixedClock, case_id: int, kind: str) -> None:
        """Move the story's clock just past the case's latest ``kind`` deadline (unless it
        is past already) and fire what is due. How far that is depends on the calendar: a
        last day on a Sunday or a holiday rolls forward (Civil Act art. 161), so no fixed
        number of days is always enough."""
        case = self.call("GET", f"/api/v1/cases/{case_id}", DEMO_USERS[0][0])
        due = max(datetime.fromisoformat(d["due_at"]) for d in case["deadlines"] if d["kind"] == kind)
        clock.advance(seconds=max(0.0, (due - clock.now()).total_seconds()) + 60)
        self.office_hours(clock)
        fire_due_timers(self.rt)

    def office_hours(self, clock: FixedClock, hour: int = 10) -> None:
        """Move the story's clock on to ``hour`` o'clock KST of a working day, unless it is
        later than that on a working day already (before 17:00). Why: deadlines fire at
        00:00 KST, and a story whose filings and meetings all fall at midnight, or on a
        Saturday, does not read as a ministry's working day."""
        local = clock.now().astimezone(KST)
        day = local.date() + timedelta(days=1 if local.hour >= 17 else 0)
        day = self.rt.engine.calendar.next_working_day(day)
        target = datetime.combine(day, time(hour), tzinfo=KST)
        if target > clock.now():
            clock.advance(seconds=(target - clock.now()).total_seconds())

    def decide(self, rt: Runtime, start: Any, title: str, items: list[dict[str, Any]]) -> None:
        """An in-person meeting where every standing member attends and votes for."""
        sec = DEMO_USERS[0][0]
        members = [u[0] for u in DEMO_USERS if u[1] == "committee_member"]
        meeting = self.call("POST", "/api/v1/meetings", sec, {
            "title": title, "mode": "in_person",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()})
        made = [self.call("POST", f"/api/v1/meetings/{meeting['id']}/items", sec, item) for item in items]
        self.call("POST", f"/api/v1/meetings/{meeting['id']}/open", sec)
        self.call("POST", f"/api/v1/meetings/{meeting['id']}/attendance", sec,
                  {"present": [_user_id(rt, m) for m in members]})
        for item in made:
            for member in members:
                self.call("POST", f"/api/v1/items/{item['id']}/vote", member, {"choice": "for"})
        self.call("POST", f"/api/v1/meetings/{meeting['id']}/close", sec)


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
        people.create_user(rt, email=email, role=role, org=org, name=name, password=DEMO_PASSWORD,
                           **DEMO_COMPANIES.get(org, {}))
    with rt.uow() as uow:
        users = list(uow.session.execute(select(User.email, User.id)))
    tokens = {email: people.issue_token(rt, user_id) for email, user_id in users}
    # The story below spans about 120 days and must end in the past: nothing dated tomorrow.
    clock = FixedClock(rt.clock.now() - timedelta(days=130))
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

    d.office_hours(clock)
    designated = d.file(sejong, **_district(
        "세종 5-1 생활권 스마트규제혁신지구", "sejong", "세종특별자치시 5-1 생활권 일원", 2.7,
        "수요응답형 자율주행 셔틀과 실외 배송 로봇을 위한 규제혁신지구"))
    tabled = d.file(busan, **_district(
        "부산 에코델타 스마트규제혁신지구", "busan", "부산광역시 강서구 에코델타시티", 11.8,
        "드론 배송과 스마트 주차 공유 서비스 실증"))
    for case_id, who in ((designated, sejong), (tabled, busan)):
        d.act(case_id, "submit", who)
        d.act(case_id, "open_resident_opinion", sec)
    for case_id in (designated, tabled):
        d.wait_out(clock, case_id, "resident_opinion_end")
    for case_id in (designated, tabled):
        case = d.act(case_id, "open_consultation", sec, agencies=["KNPA", "PIPC"])
        for c in case["consultations"]:
            who = knpa if c["agency"] == "KNPA" else pipc
            d.call("POST", f"/api/v1/consultations/{c['id']}/reply", who,
                   {"position": "consent_with_conditions", "conditions": "안전요원 동승"}
                   if c["agency"] == "KNPA" else {"position": "consent"})
        d.act(case_id, "table", sec)
    clock.advance(days=10)
    d.office_hours(clock, hour=14)
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
    yield from _plans(rt, d, clock, designated)

    clock.advance(days=45)
    d.office_hours(clock)
    consulting = d.file(incheon, **_district(
        "인천 송도 스마트규제혁신지구", "incheon", "인천광역시 연수구 송도국제도시", 5.2,
        "자율주행 순찰 로봇과 개인형 이동장치 공유"))
    d.act(consulting, "submit", incheon)
    d.act(consulting, "open_resident_opinion", sec, days=14)
    d.wait_out(clock, consulting, "resident_opinion_end")
    case = d.act(consulting, "open_consultation", sec, agencies=["KNPA", "PIPC", "MOTIE"])
    knpa_c = next(c for c in case["consultations"] if c["agency"] == "KNPA")
    d.call("POST", f"/api/v1/consultations/{knpa_c['id']}/reply", knpa,
           {"position": "object", "comment": "보도 주행 시 보행자 안전 기준이 부족함"})
    yield f"district in agency consultation: case {consulting} (Incheon)"

    clock.advance(days=10)
    d.office_hours(clock)
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


def _plan(title: str, district_id: int, summary: str, exceptions: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "title": title, "kind": "demonstration", "local_government": "sejong",
        "district_id": district_id, "summary": summary, "requested_exceptions": exceptions,
        "safety_measures": "안전요원 동승, 최고 속도 제한, 원격 관제",
        "compensation_plan": "영업배상 책임보험 가입, 사고 시 72시간 내 보상 절차 개시",
        "regulating_agencies": ["KNPA", "PIPC"],
        "operator": {"name": "(주)데모모빌리티", "address": "세종특별자치시 한누리대로 2130"},
    }


def _plans(rt: Runtime, d: _Driver, clock: FixedClock, district: int) -> Iterator[str]:
    """Business plans in the designated Sejong district: one approved and running, one in
    agency consultation, one waiting for the local government's review."""
    ceo, sec, sejong = "ceo@demo-mobility.kr", DEMO_USERS[0][0], DEMO_USERS[1][0]
    officials = {"KNPA": DEMO_USERS[4][0], "PIPC": DEMO_USERS[5][0]}
    running = d.file(ceo, "project_approval", **_plan(
        "수요응답형 자율주행 셔틀 실증", district, "5-1 생활권 순환 노선에서 호출형 자율주행 셔틀 운행",
        [{"law": "여객자동차 운수사업법", "article": "제4조", "reason": "면허 없는 유상 여객 운송"}]))
    consulting = d.file(ceo, "project_approval", **_plan(
        "실외 자율주행 배송 로봇", district, "아파트 단지와 상가 사이 보도에서 배송 로봇 운행",
        [{"law": "도로교통법", "article": "제13조의2", "reason": "보도 통행"},
         {"law": "개인정보 보호법", "article": "제25조", "reason": "이동형 영상기기 촬영"}]))
    reviewing = d.file(ceo, "project_approval", **_plan(
        "스마트 주차 공유", district, "공영 주차장 빈 면을 실시간으로 공유",
        [{"law": "주차장법", "article": "제19조", "reason": "부설주차장 공유 제한"}]))
    for case_id in (running, consulting, reviewing):
        d.act(case_id, "submit", ceo)
    for case_id in (running, consulting):
        d.act(case_id, "record_local_review", sejong, opinion="지역 수요가 있어 추진 필요",
              required_measures="보행자 안전 대책 수립", applicant_action_plan="안전요원 배치와 속도 제한")
        d.act(case_id, "open_consultation", sec)
    case = d.call("GET", f"/api/v1/cases/{running}", sec)
    for c in case["consultations"]:
        d.call("POST", f"/api/v1/consultations/{c['id']}/reply", officials[c["agency"]],
               {"position": "consent"})
    d.act(running, "table", sec)
    clock.advance(days=7)
    d.office_hours(clock, hour=14)
    d.decide(rt, clock.now(), "제13차 국가스마트도시위원회", [{
        "case_id": running, "proposal": "approve_with_conditions",
        "conditions": ["안전요원 상시 탑승", "분기별 운행 실적 보고"]}])
    # Days as the law counts them, in Korea: from 15:00 UTC the UTC date is a day behind and
    # "today" would come before the approval took effect.
    today = clock.now().astimezone(KST).date()
    d.act(running, "file_insurance", ceo, insurer="한국손해보험", policy_number="LIA-DEMO-0001",
          valid_until=(today + timedelta(days=800)).isoformat(),
          death_per_person_krw=150_000_000, property_per_accident_krw=1_000_000_000)
    d.act(running, "start", ceo, started_on=today.isoformat())
    yield f"approved plan with a running special exception: case {running} (applicant)"
    yield f"plan in agency consultation: case {consulting} (KNPA, PIPC)"
    yield f"plan awaiting the local government's review: case {reviewing} (Sejong)"


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
