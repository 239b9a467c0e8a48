"""The documents of business plans, special exceptions and rapid confirmation render in
Korean with their facts (DOMAIN.md "Documents the product issues"; issue 3).

Each document is written with the decision that issues it and rendered when the test
drains the outbox; its text is read back with pypdf and checked for the reference, the
parties (the operator's name and address), dates, conditions, exceptions with their law and
article, the period, the tally where a committee decided, and the article of law.
"""

from __future__ import annotations

import hashlib
from datetime import date

from freezegun import freeze_time

from tests.integration.test_documents import download, drain, has
from tests.support.cast import APPLICANT, BUSAN, KNPA, SECRETARIAT, SEJONG
from tests.support.flows import fire_timers, ok
from tests.support.pdf import lonely_closing, pdf_text, seal_of
from tests.support.plans import (
    AGENCY_OFFICIALS,
    PLAN,
    approved_plan,
    decide,
    designated_district,
    filed_plan,
    started,
)

OPERATOR = PLAN["operator"]
EXCEPTIONS = ["여객자동차 운수사업법", "제4조", "개인정보 보호법", "제15조"]


def texts_of(api, cid, who=SECRETARIAT):
    """Every issued document on the case, rendered, by kind (a list per kind); none of them
    leaves its signature block alone on a page."""
    texts: dict[str, list[str]] = {}
    for doc in ok(api.get(f"/api/v1/cases/{cid}/documents", who)):
        content = download(api, doc["id"], who)
        assert hashlib.sha256(content).hexdigest() == doc["sha256"]
        problem = lonely_closing(content, seal_of(doc["kind"]))
        assert problem is None, f"{doc['kind']}: {problem}"
        texts.setdefault(doc["kind"], []).append(pdf_text(content))
    return texts


def kinds_of(api, cid, who=SECRETARIAT):
    return [d["kind"] for d in ok(api.get(f"/api/v1/cases/{cid}/documents", who))]


def kday(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}년 {day.month}월 {day.day}일({'월화수목금토일'[day.weekday()]})"


def test_plan_approval_correction_extension_and_expiry_documents(api, app, cast):
    conditions = ["안전요원 상시 탑승", "분기별 운행 실적 보고"]
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = filed_plan(api, district_id=district["id"])
        cid, ref = case["id"], case["reference"]
        ok(api.action(cid, "submit", APPLICANT))
        ok(api.action(cid, "record_local_review", SEJONG, opinion="적정",
                      required_measures="보행자 안전 확보", applicant_action_plan="안전요원 배치"))
        ok(api.action(cid, "request_supplement", SECRETARIAT, items="보험 계획 보완"))
        ok(api.action(cid, "resubmit", APPLICANT))
        case = ok(api.action(cid, "open_consultation", SECRETARIAT))
        by_agency = {c["agency"]: c for c in case["consultations"]}
        for consultation in case["consultations"]:
            ok(api.post(f"/api/v1/consultations/{consultation['id']}/reply",
                        {"position": "consent"}, AGENCY_OFFICIALS[consultation["agency"]]))
        ok(api.action(cid, "table", SECRETARIAT))
        frozen.move_to("2026-03-02 01:00:00+00:00")
        decide(api, cast, frozen, cid, "approve_with_conditions", conditions=conditions)
        exception = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["exception"]
        assert exception["starts_on"] == "2026-03-02" and exception["ends_on"] == "2030-03-01"

        started(api, cid, "2026-03-02")
        frozen.move_to("2026-05-04 01:00:00+00:00")  # Mon
        case = ok(api.action(cid, "order_correction", SECRETARIAT, measures="안전요원 2인 증원", months=2))
        correction_due = next(d for d in case["deadlines"] if d["kind"] == "correction_deadline")
        ok(api.action(cid, "confirm_correction", SECRETARIAT))

        frozen.move_to("2030-01-01 01:00:00+00:00")
        ok(api.action(cid, "request_extension", APPLICANT, months=24, reasons="법령 정비 지연"))
        frozen.move_to("2030-01-20 01:00:00+00:00")
        decide(api, cast, frozen, cid, "approve", extension_months=12)
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["exception"]["extended_until"] == "2031-03-01"

        frozen.move_to("2031-03-01 15:00:00+00:00")
        fire_timers(app)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        assert case["exception"]["state"] == "expired"
        report_due = next(d for d in case["deadlines"] if d["kind"] == "results_report_due")
        drain(app)

    kinds = kinds_of(api, cid)
    assert kinds.count("receipt") == 2 and kinds.count("consultation_request") == 2
    assert kinds.count("approval_certificate") == 1 and kinds.count("extension_certificate") == 1
    texts = texts_of(api, cid)
    has(texts["receipt"][0], "접수증", ref, PLAN["title"], OPERATOR["name"], OPERATOR["address"],
        "제49조(혁신사업·실증사업 계획의 승인)")
    assert "제48조의2" not in texts["receipt"][0]
    has(texts["supplement_request"][0], "보완 요청서", "보험 계획 보완", ref, "「스마트도시법」 제49조")
    requests = "\n".join(texts["consultation_request"])
    has(requests, "관계기관 협의 요청서", "경찰청", "개인정보보호위원회", ref, "제49조제4항",
        PLAN["summary"], *EXCEPTIONS)

    certificate = texts["approval_certificate"][0]
    has(certificate, "규제특례 사업계획 승인서", ref, PLAN["title"], OPERATOR["name"],
        OPERATOR["address"], PLAN["summary"], *EXCEPTIONS, *conditions,
        "2026년 3월 2일(월)부터", "2030년 3월 1일(금)까지", "찬성", "제49조제7항", "시행령 제52조제6항")

    extension = texts["extension_certificate"][0]
    has(extension, "기간 연장 승인서", ref, OPERATOR["name"], "12개월", "2031년 3월 1일(토)까지",
        "2030년 3월 1일(금)까지", *EXCEPTIONS, *conditions, "시행령 제54조")

    correction = texts["correction_order"][0]
    has(correction, "시정명령서", ref, OPERATOR["name"], OPERATOR["address"], "안전요원 2인 증원",
        "2개월", "2026년 5월 4일(월)", f"{kday(correction_due['last_day'])}까지", "시행령 제55조제4항")

    expiry = texts["expiry_notice"][0]
    has(expiry, "기간 만료 통지서", ref, OPERATOR["name"], "2031년 3월 1일(토)", "30일 이내",
        "결과보고서", f"{kday(report_due['last_day'])}까지", "제53조제3항")

    # Deny by default: another local government sees nothing; the operator its own.
    assert api.get(f"/api/v1/cases/{cid}/documents", BUSAN).status == 404
    assert "approval_certificate" in kinds_of(api, cid, APPLICANT)
    knpa = kinds_of(api, cid, KNPA)
    assert knpa.count("consultation_request") == 1
    assert set(by_agency) == {"KNPA", "PIPC"}


def test_revocation_and_return_documents(api, app, cast):
    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        cid, ref = case["id"], case["reference"]
        started(api, cid, frozen().date().isoformat())
        ok(api.action(cid, "propose_revocation", SECRETARIAT, ground="deviation"))
        ok(api.action(cid, "record_local_opinion", SEJONG, opinion="계획 이탈 확인, 취소에 동의"))
        ok(api.action(cid, "table", SECRETARIAT))
        decide(api, cast, frozen, cid, "approve")
        ok(api.action(cid, "record_hearing", SECRETARIAT, summary="사업자 소명 청취, 이탈 인정"))

        other = filed_plan(api, district_id=district["id"])
        ok(api.action(other["id"], "submit", APPLICANT))
        ok(api.action(other["id"], "record_local_review", SEJONG, opinion="부적정",
                      required_measures="-", applicant_action_plan="-"))
        ok(api.action(other["id"], "return", SECRETARIAT, reason="첨부 서류 누락",
                      ground="missing_attachments"))
        drain(app)

    kinds = kinds_of(api, cid)
    # The committee's approve from revocation_committee is no extension.
    assert "extension_certificate" not in kinds and "approval_certificate" in kinds
    notice = texts_of(api, cid)["revocation_notice"][0]
    has(notice, "규제특례 승인 취소 통지서", ref, OPERATOR["name"], OPERATOR["address"],
        "승인받은 사업계획과 다르게", "사업자 소명 청취, 이탈 인정", "계획 이탈 확인", "즉시 중단",
        *EXCEPTIONS, "제52조제5항", "시행령 제59조", "찬성")
    returned = texts_of(api, other["id"], APPLICANT)["return_notice"][0]
    has(returned, "반려 통지서", other["reference"], "첨부 서류 누락", "제49조", "시행령 제52조제3항")
    assert api.get(f"/api/v1/cases/{cid}/documents", BUSAN).status == 404
