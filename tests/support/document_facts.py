"""Typical facts for every kind of document, as the context builders freeze them (and as
``resolve_parties`` names the parties), so a test can render a document without walking
a case through its process. The title, law and template come from workflows/documents.yaml.

``SAMPLES`` holds one typical document of every kind, a few variants (the plan's
supplement request, a rapid confirmation's consultation request, a deemed rapid reply)
and two long ones that must run over several pages (an agenda of twelve items, a
supplement request of twenty-five).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.engine.documents import registry

from .flows import DISTRICT
from .pdf import seal_of
from .plans import PLAN

REF = "SB-2026-000042"
SEJONG = {"code": "sejong", "name_ko": "세종특별자치시", "name_en": "Sejong City"}
MOBILITY = {"code": "mobility", "name_ko": "(주)모빌리티", "name_en": "Mobility Co., Ltd."}
KNPA = {"code": "KNPA", "name_ko": "경찰청", "name_en": "Korean National Police Agency"}
CONDITIONS = ["운행 구간 내 안전요원 탑승", "분기별 안전 점검 결과 제출"]
TALLY = {"enrolled": 5, "recused": 1, "present": 4, "for": 3, "against": 1, "abstain": 0,
         "quorum_met": True, "passed": True}
MEETING = {"id": 7, "title": "제7차 국가스마트도시위원회", "mode": "in_person",
           "starts_at": "2026-10-15T00:30:00+00:00", "ends_at": "2026-10-15T03:30:00+00:00"}
# What a secretariat officer types into the supplement form: a numbered list.
ITEMS = ("1. 책임보험 가입 증명서(보험증권 사본)를 제출하여 주십시오.\n"
         "2. 안전요원 배치 계획에 운행 구간별 인원과 교대 시간을 적어 주십시오.\n"
         "3. 개인정보 영향평가 결과서를 첨부하여 주십시오.\n"
         "4. 사업 구역 도면(축척 1:5,000)을 보완하여 주십시오.")

DISTRICT_CASE: dict[str, Any] = {
    "reference": REF, "process": "district_designation",
    "process_title": {"ko": "스마트규제혁신지구 지정", "en": "Regulatory innovation district designation"},
    "state_label": {"ko": "접수·검토 중", "en": "Submitted"},
    "filed_at": "2026-09-10T00:30:00+00:00",
    "filer": {**SEJONG, "user_id": 2, "person": "세종 담당관"}, "local_government": SEJONG,
    "data": {**DISTRICT, "designation_end": "2030-12-31"}, "payload": {},
}
PLAN_CASE: dict[str, Any] = {
    **DISTRICT_CASE, "process": "project_approval",
    "process_title": {"ko": "사업계획 승인", "en": "Business plan approval"},
    "filer": {**MOBILITY, "user_id": 5, "person": "모빌리티 대표"}, "data": dict(PLAN),
    "operator": dict(PLAN["operator"]),
}
RAPID_CASE: dict[str, Any] = {
    **PLAN_CASE, "process": "rapid_confirmation",
    "process_title": {"ko": "규제 신속확인", "en": "Rapid regulatory confirmation"},
    "local_government": None,
    "data": {"name": "자율주행 배송로봇 보도 통행",
             "description": "보도 위를 시속 5km 이하로 주행하는 배송 로봇 서비스에"
                            " 허가가 필요한지 확인을 요청합니다."},
}
EXCEPTION: dict[str, Any] = {
    "kind": "demonstration", "approved_on": "2026-03-02", "starts_on": "2026-03-02",
    "ends_on": "2030-03-01", "last_day": "2030-03-01", "extended_until": None,
    "extension_months": None, "conditions": ["안전요원 상시 탑승", "분기별 운행 실적 보고"],
    "exceptions": PLAN["requested_exceptions"], "deadlines": {}, "last_resolution": {},
}
RESOLUTION = {"item_id": 3, "meeting_id": 7, "proposal": "approve_with_conditions",
              "conditions": CONDITIONS, "tally": TALLY, "decided_at": "2026-10-15T00:30:00+00:00"}
AGENDA_ITEM = {"id": 3, "case_id": 42, "reference": REF, "name": DISTRICT["name"],
               "process": "district_designation", "proposal": "approve_with_conditions",
               "conditions": CONDITIONS, "extension_months": None}


@dataclass(frozen=True)
class Sample:
    name: str
    context: dict[str, Any]
    one_page: bool = False  # a notice that, with typical facts, fits one A4 page

    @property
    def kind(self) -> str:
        return str(self.context["kind"])

    @property
    def seal(self) -> str:
        return seal_of(self.kind)


def document(kind: str, case: dict[str, Any], **facts: Any) -> dict[str, Any]:
    """The context of a ``kind`` document on ``case``, with its own ``facts``."""
    spec = registry()[kind]
    context = copy.deepcopy({"issued_at": "2026-10-15T00:30:00+00:00", **case, **facts})
    context.update(kind=kind, title=dict(spec.title), template=spec.template, audience=None,
                   law=spec.law_for(f"{case['process']}:"))
    return context


def _exception(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(EXCEPTION), **changes}


SAMPLES: list[Sample] = [
    Sample("receipt", document("receipt", DISTRICT_CASE), one_page=True),
    Sample("supplement_request", document("supplement_request", DISTRICT_CASE, items=ITEMS,
                                          answer_by="2026-10-12"), one_page=True),
    Sample("supplement_request-plan", document("supplement_request", PLAN_CASE, items=ITEMS,
                                               answer_by="2026-10-12"), one_page=True),
    Sample("return_notice", document("return_notice", DISTRICT_CASE,
                                     payload={"reason": "지방자치단체 검토 의견서 누락"}), one_page=True),
    Sample("consultation_request", document("consultation_request", DISTRICT_CASE, agency=KNPA,
                                            reply_by="2026-11-16", reply_cap="2027-01-13"), one_page=True),
    Sample("consultation_request-rapid", document("consultation_request", RAPID_CASE, agency=KNPA,
                                                  reply_by="2026-10-12"), one_page=True),
    Sample("committee_agenda", document("committee_agenda", DISTRICT_CASE, meeting=MEETING,
                                        items=[AGENDA_ITEM], this_item=3, members=5), one_page=True),
    Sample("committee_resolution", document("committee_resolution", DISTRICT_CASE, meeting=MEETING,
                                            item=AGENDA_ITEM, outcome="passed", tally=TALLY,
                                            decided_at="2026-10-15T00:30:00+00:00")),
    Sample("designation_notice", document("designation_notice", DISTRICT_CASE, resolution=RESOLUTION,
                                          decided_on="2026-10-15")),
    Sample("approval_certificate", document("approval_certificate", PLAN_CASE, resolution=RESOLUTION,
                                            exception=_exception())),
    Sample("extension_certificate", document(
        "extension_certificate", PLAN_CASE, decided_on="2030-01-20",
        exception=_exception(extension_months=12, extended_until="2031-03-01",
                             last_resolution={"tally": TALLY}))),
    Sample("deemed_extension_certificate", document(
        "deemed_extension_certificate", PLAN_CASE, decided_on="2030-03-02", to_state="pending_law_amendment",
        exception=_exception(law_amendment={"ground": "스마트도시법 제51조제2항 단서"}))),
    Sample("correction_order", document(
        "correction_order", PLAN_CASE,
        exception=_exception(
            correction={"measures": "안전요원 2인 증원", "months": 2, "ordered_on": "2026-05-04"},
            deadlines={"correction_deadline": {"last_day": "2026-07-06"}}))),
    Sample("revocation_notice", document(
        "revocation_notice", PLAN_CASE,
        exception=_exception(
            revocation={"ground": "deviation", "local_opinion": "계획 이탈 확인, 취소에 동의",
                        "hearing": "사업자 소명 청취, 이탈 인정", "revoked_on": "2026-10-15"},
            last_resolution={"tally": TALLY}))),
    Sample("expiry_notice", document(
        "expiry_notice", PLAN_CASE,
        exception=_exception(deadlines={"results_report_due": {"last_day": "2030-03-31"}}))),
    Sample("rapid_reply", document("rapid_reply", RAPID_CASE, agency=KNPA, position="permit_required",
                                   requirements="보행자 통행이 많은 구간에서는 보행 보조 인력을 배치할 것",
                                   comment="도로교통법 시행규칙 개정 전까지 적용", deemed=False,
                                   requested_at="2026-09-10T01:00:00+00:00", answered_on="2026-10-05"),
           one_page=True),
    Sample("rapid_reply-deemed", document("rapid_reply", RAPID_CASE, agency=KNPA,
                                          position="no_permit_required", deemed=True,
                                          requested_at="2026-09-10T01:00:00+00:00",
                                          answered_on="2026-10-13"), one_page=True),
    # Long ones: they run over pages, and their last page still holds some of the body.
    Sample("committee_agenda-long", document(
        "committee_agenda", DISTRICT_CASE, meeting=MEETING, this_item=3, members=5,
        items=[{**AGENDA_ITEM, "id": i, "reference": f"SB-2026-{i:06d}",
                "name": f"안건 {i} 자율주행 셔틀 실증 사업계획"} for i in range(1, 13)])),
    Sample("approval_certificate-long", document(
        "approval_certificate", PLAN_CASE, resolution=RESOLUTION,
        exception=_exception(
            exceptions=[{"law": "여객자동차 운수사업법", "article": f"제{i}조",
                         "reason": "자율주행 셔틀의 유상 운송을 위한 면허 기준의 특례"}
                        for i in range(4, 16)],
            conditions=[f"조건 {i}: 운행 구간과 시간대별 안전 관리 계획을 분기마다 보고할 것"
                        for i in range(1, 13)]))),
    Sample("supplement_request-long", document(
        "supplement_request", PLAN_CASE, answer_by="2026-10-12",
        items="\n".join(f"{i}. 보완이 필요한 서류와 그 사유를 구체적으로 적은 요청 사항입니다."
                        for i in range(1, 26)))),
]
