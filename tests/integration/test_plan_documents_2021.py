"""Documents of the 2021 rule set: the deemed-extension certificate (Act 51② proviso,
Decree 58-3⑨) and the rapid-confirmation documents (Act 49-2), given and deemed answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.conftest import make_app
from tests.integration.test_documents import drain, has
from tests.integration.test_plan_documents import EXCEPTIONS, OPERATOR, kday, kinds_of, texts_of
from tests.support.cast import APPLICANT, KNPA, OTHER_APPLICANT, PIPC
from tests.support.flows import fire_timers, ok
from tests.support.plans import approved_plan, started

REQUEST = {
    "title": "자율주행 배송로봇 보도 통행",
    "description": "보도 위를 시속 5km 이하로 주행하는 배송 로봇 서비스에 허가가 필요한지 확인을 요청합니다.",
    "agencies": ["KNPA", "PIPC"],
}
REQUIREMENTS = "도로교통법상 보행보조용 의자차 기준 충족 및 관할 경찰서장 허가"


@pytest.fixture
def app(database_url):
    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    yield app
    app.extensions["sandbox.db"].dispose()


def test_deemed_extension_on_expiry_and_on_a_law_amendment_request(api, app, cast):
    with freeze_time("2026-03-02 01:00:00+00:00") as frozen:
        innovation = approved_plan(api, app, cast, frozen, kind="innovation")
        demonstration = approved_plan(api, app, cast, frozen, kind="demonstration")
        for case in (innovation, demonstration):
            started(api, case["id"], frozen().date().isoformat())
        frozen.tick(timedelta(days=800))
        ok(api.action(demonstration["id"], "request_law_amendment", APPLICANT,
                      reasons="실증 결과 안전성 확인"))
        last_day = innovation["exception"]["ends_on"]
        frozen.move_to(f"{last_day} 15:00:00+00:00")
        fire_timers(app)
        assert ok(api.get(f"/api/v1/cases/{innovation['id']}", APPLICANT))["exception"]["state"] \
            == "pending_law_amendment"
        drain(app)

    kinds = kinds_of(api, innovation["id"])
    assert "deemed_extension_certificate" in kinds and "expiry_notice" not in kinds
    deemed = texts_of(api, innovation["id"], APPLICANT)["deemed_extension_certificate"][0]
    has(deemed, "연장 간주 확인서", innovation["reference"], OPERATOR["name"], OPERATOR["address"],
        "법령 정비 시까지", f"{kday(last_day)}까지", *EXCEPTIONS, "제51조제2항 단서",
        "시행령 제58조의3제9항")
    requested = texts_of(api, demonstration["id"])["deemed_extension_certificate"][0]
    has(requested, "연장 간주 확인서", demonstration["reference"], "법령 정비 시까지",
        "실증 결과 안전성 확인", "실증사업", "시행령 제58조의3제9항")


def test_rapid_confirmation_documents_given_and_deemed(api, app, cast):
    with freeze_time("2026-09-10 01:00:00+00:00") as frozen:  # Thu 10:00 KST
        case = ok(api.post("/api/v1/cases", {"process": "rapid_confirmation", "data": REQUEST},
                           APPLICANT), 201)
        cid, ref = case["id"], case["reference"]
        case = ok(api.action(cid, "submit", APPLICANT))
        by_agency = {c["agency"]: c for c in case["consultations"]}
        frozen.tick(timedelta(days=10))
        ok(api.post(f"/api/v1/consultations/{by_agency['KNPA']['id']}/reply",
                    {"position": "permit_required", "requirements": REQUIREMENTS}, KNPA))
        frozen.move_to("2026-10-12T15:00:00+00:00")
        assert fire_timers(app) >= 1
        drain(app)

    kinds = kinds_of(api, cid)
    assert kinds.count("receipt") == 1 and kinds.count("consultation_request") == 2
    assert kinds.count("rapid_reply") == 2
    texts = texts_of(api, cid, APPLICANT)
    has(texts["receipt"][0], "접수증", ref, REQUEST["title"], REQUEST["description"], "2026년 9월 10일",
        "제49조의2(규제 신속확인)")
    requests = "\n".join(texts["consultation_request"])
    has(requests, "관계기관 협의 요청서", "경찰청", "개인정보보호위원회", ref,
        "허가 등이 필요하지 아니한 것으로", "제49조의2제2항", "2026년 10월 12일(월)")
    given, deemed = sorted(texts["rapid_reply"], key=lambda t: "간주" in t)
    has(given, "규제 신속확인 회신서", ref, "경찰청", "허가 등 필요", REQUIREMENTS, "2026년 9월 20일(일)",
        "제49조의2제3항")
    has(deemed, "규제 신속확인 회신서", ref, "개인정보보호위원회가", "허가 등 불필요",
        "허가 등이 필요하지 아니한 것으로 봅니다", "제49조의2제4항에 따른 간주", "2026년 10월 13일(화)")

    # Each agency reads the case's receipt (it sees the case) but of the documents addressed
    # to one agency only its own request and answer; another applicant nothing.
    for agency, other in ((KNPA, PIPC), (PIPC, KNPA)):
        own = [d for d in ok(api.get(f"/api/v1/cases/{cid}/documents", agency))
               if d["kind"] != "receipt"]
        assert sorted(d["kind"] for d in own) == ["consultation_request", "rapid_reply"], own
        theirs = {d["id"] for d in ok(api.get(f"/api/v1/cases/{cid}/documents", other))}
        for doc in own:
            assert doc["id"] not in theirs
            assert api.get(f"/api/v1/documents/{doc['id']}", other).status == 404
    assert api.get(f"/api/v1/cases/{cid}/documents", OTHER_APPLICANT).status == 404
