"""Every document the district process issues renders, in Korean, with its facts.

The documents are written with the decisions that issue them and rendered after commit
(here: when the test drains the outbox), by WeasyPrint with the Korean font the bootstrap
installs. Their text is read back with pypdf and checked for the facts DOMAIN.md asks for:
reference, parties, dates, conditions, tally and the article of law.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

from freezegun import freeze_time

from tests.support.cast import APPLICANT, BUSAN, KNPA, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import DISTRICT, fire_timers, ok
from tests.support.pdf import lonely_closing, pdf_fonts, pdf_pages, pdf_text, seal_of, squash

CONDITIONS = ["운행 구간 내 안전요원 탑승", "분기별 안전 점검 결과 제출"]


def drain(app):
    return app.extensions["sandbox.publisher"].drain()


def documents_of(api, cid, who=SECRETARIAT):
    return {d["kind"]: d for d in ok(api.get(f"/api/v1/cases/{cid}/documents", who))}


def download(api, doc_id, who=SECRETARIAT):
    raw = api.client.get(f"/api/v1/documents/{doc_id}",
                         headers={"Authorization": f"Bearer {api.people.token(who)}"})
    assert raw.status_code == 200, raw.get_data(as_text=True)
    assert raw.mimetype == "application/pdf"
    return raw.get_data()


def has(text, *needles):
    flat = squash(text)
    missing = [n for n in needles if squash(n) not in flat]
    assert not missing, f"missing {missing} in:\n{text}"


def test_district_documents_render_in_korean_with_their_facts(api, app, cast):
    members = cast.members
    with freeze_time("2026-09-10 00:30:00+00:00") as frozen:  # Thu 09:30 KST
        case = ok(api.post("/api/v1/cases", {"process": "district_designation",
                                             "data": {**DISTRICT, "designation_end": "2030-12-31"}},
                           SEJONG), 201)
        cid, ref = case["id"], case["reference"]
        ok(api.action(cid, "submit", SEJONG))
        ok(api.action(cid, "request_supplement", SECRETARIAT, items="구역 경계 도면을 첨부하세요"))
        ok(api.action(cid, "resubmit", SEJONG))
        ok(api.action(cid, "open_resident_opinion", SECRETARIAT))
        frozen.tick(timedelta(days=35))
        fire_timers(app)
        opened_at = frozen().replace(tzinfo=UTC)
        case = ok(api.action(cid, "open_consultation", SECRETARIAT, agencies=["KNPA", "PIPC"]))
        by_agency = {c["agency"]: c for c in case["consultations"]}
        ok(api.post(f"/api/v1/consultations/{by_agency['KNPA']['id']}/reply",
                    {"position": "consent_with_conditions", "conditions": "야간 운행 제한"}, KNPA))
        ok(api.post(f"/api/v1/consultations/{by_agency['PIPC']['id']}/reply",
                    {"position": "consent"}, PIPC))
        ok(api.action(cid, "table", SECRETARIAT))

        start = frozen().replace(tzinfo=UTC)
        meeting = ok(api.post("/api/v1/meetings", {
            "title": "제7차 국가스마트도시위원회", "mode": "in_person", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat()}, SECRETARIAT), 201)
        item = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items", {
            "case_id": cid, "proposal": "approve_with_conditions", "conditions": CONDITIONS},
            SECRETARIAT), 201)
        ok(api.post(f"/api/v1/items/{item['id']}/recusal", {"reason": "이해관계"}, members[4]))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/attendance",
                    {"present": cast.member_ids()[:4]}, SECRETARIAT))
        for member, choice in zip(members[:4], ["for", "for", "for", "against"], strict=True):
            ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": choice}, member))
        ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", {}, SECRETARIAT))
        assert ok(api.get(f"/api/v1/cases/{cid}", SEJONG))["state"] == "designated"

        # Before the outbox is drained the rows exist, unrendered.
        listed = ok(api.get(f"/api/v1/cases/{cid}/documents", SECRETARIAT))
        assert listed and all(d["sha256"] is None and d["status"] == "pending" for d in listed)
        assert api.get(f"/api/v1/documents/{listed[0]['id']}", SECRETARIAT).status == 409
        drain(app)

    docs = ok(api.get(f"/api/v1/cases/{cid}/documents", SECRETARIAT))
    kinds = [d["kind"] for d in docs]
    assert kinds.count("receipt") == 2  # filing and the answer to the supplement request
    assert kinds.count("consultation_request") == 2
    assert {"supplement_request", "committee_agenda", "committee_resolution",
            "designation_notice"} <= set(kinds)
    by_kind = documents_of(api, cid)
    texts = {}
    for doc in docs:
        content = download(api, doc["id"])
        assert hashlib.sha256(content).hexdigest() == doc["sha256"]
        # Hangul drawn with a CJK font (never the empty boxes of a font without it).
        assert any("CJK" in f for f in pdf_fonts(content)), pdf_fonts(content)
        # The signature block never stands alone on a page (tests/integration/test_document_layout).
        problem = lonely_closing(content, seal_of(doc["kind"]))
        assert problem is None, f"{doc['kind']}: {problem}"
        if doc["kind"] == "supplement_request":
            assert len(pdf_pages(content)) == 1
        texts.setdefault(doc["kind"], []).append(pdf_text(content))

    receipt = texts["receipt"][0]
    has(receipt, "접수증", "Receipt of filing", ref, "세종특별자치시", DISTRICT["name"],
        "세종 담당관", "2026년 9월 10일", "제48조의2")
    has(texts["supplement_request"][0], "보완 요청서", "구역 경계 도면을 첨부하세요", ref,
        "2026년 10월 12일(월)",  # 30 days from Thu 09-10 end on Sat 10-10, rolled to Mon 10-12
        "취하")
    requests = "\n".join(texts["consultation_request"])
    consulted_on = opened_at.date()
    has(requests, "관계기관 협의 요청서", "경찰청", "개인정보보호위원회", ref, "제49조제4항",
        DISTRICT["plan_summary"])
    assert consulted_on.isoformat() == "2026-10-15"
    has(requests, "2026년 11월 16일(월)")  # 30 days from Thu 10-15: Sat 11-14 → Mon 11-16
    has(texts["committee_agenda"][0], "부의안건", "제7차 국가스마트도시위원회", ref, *CONDITIONS,
        "조건부 의결", "approve with conditions")
    resolution = texts["committee_resolution"][0]
    has(resolution, "의결서", ref, "조건부 의결", "(approve with conditions)", "가결", *CONDITIONS,
        "시행령 제26조제2항", "Enrolled4명", "Recused1명", "Present4명", "찬성3·반대1·기권0")
    # The proposal in words, in both languages, never its code.
    assert "approve_with_conditions" not in resolution + texts["committee_agenda"][0]
    notice = texts["designation_notice"][0]
    # Numbered by its place among the case's documents, never by its kind's code.
    place = sorted(d["id"] for d in docs).index(by_kind["designation_notice"]["id"]) + 1
    has(notice, f"{ref}-{place:02d}")
    assert "designation_notice" not in notice
    has(notice, "스마트규제혁신지구 지정 고시", DISTRICT["name"], "세종특별자치시", ref,
        "2030년 12월 31일", *CONDITIONS, "찬성3·반대1·기권0", "2.7 km²")

    # Deny by default: another local government and an applicant see nothing; each agency
    # reads its own consultation request, not the other's.
    assert api.get(f"/api/v1/cases/{cid}/documents", BUSAN).status == 404
    assert api.get(f"/api/v1/documents/{by_kind['receipt']['id']}", APPLICANT).status == 404
    knpa = ok(api.get(f"/api/v1/cases/{cid}/documents", KNPA))
    assert [d["kind"] for d in knpa].count("consultation_request") == 1
    pipc_request = next(d for d in docs if d["kind"] == "consultation_request"
                        and d["id"] not in {k["id"] for k in knpa})
    assert api.get(f"/api/v1/documents/{pipc_request['id']}", KNPA).status == 404


def test_a_rendered_document_never_changes(api, app, cast):
    with freeze_time("2026-05-04 01:00:00+00:00"):
        case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                           SEJONG), 201)
        ok(api.action(case["id"], "submit", SEJONG))
        ok(api.action(case["id"], "return", SECRETARIAT, reason="지방자치단체 검토 의견서 누락"))
        results = drain(app)
        assert results.count("issued") == 2
    docs = documents_of(api, case["id"], SEJONG)
    text = pdf_text(download(api, docs["return_notice"]["id"], SEJONG))
    has(text, "반려 통지서", "지방자치단체 검토 의결서 누락".replace("의결서", "의견서"), case["reference"],
        "행정심판")
    delivery = app.extensions["sandbox.delivery"]
    # Rendering again (a task delivered twice) is a no-op: the stored PDF stands.
    assert delivery.handle("document", docs["return_notice"]["id"]) == "already"
    again = ok(api.get(f"/api/v1/cases/{case['id']}/documents", SEJONG))
    assert {d["sha256"] for d in again} == {d["sha256"] for d in docs.values()}
