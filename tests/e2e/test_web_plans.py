"""Business plans through the pages (Flask's test client, 2020 rule set): the filing with
its district and repeating exceptions, the local government's inbox and pre-review form,
attachments on the case page, and the exception's panel and forms, which must post the
exception's version, not the case's."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from freezegun import freeze_time

from sandbox.domain.calendar import KST
from tests.support.cast import APPLICANT, BUSAN, KNPA, OTHER_APPLICANT, SECRETARIAT, SEJONG
from tests.support.files import EXE, PDF
from tests.support.flows import fire_timers, ok
from tests.support.plans import (
    INSURANCE,
    PLAN,
    approved_plan,
    designated_district,
    filed_plan,
    tabled_plan,
)
from tests.support.web import csrf_token, post, sign_in


@pytest.fixture
def frozen():
    with freeze_time("2025-10-01 00:30:00+00:00", tick=True) as frozen_time:
        yield frozen_time


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_plan_is_filed_with_its_district_and_exceptions(app, api, cast, frozen):
    district = designated_district(api, app, cast, frozen)
    client = app.test_client()
    sign_in(client, APPLICANT)
    draft = post(client, "/file/project_approval", {}, token_from="/file").headers["Location"]
    tasks = _text(client.get(draft))
    assert f"{draft}/district" in tasks and f"{draft}/operator" in tasks

    # A missing title: 422, the summary links to the field, what was typed is kept.
    bad = post(client, f"{draft}/about", {"kind": "demonstration", "local_government": "sejong"})
    assert bad.status_code == 422
    assert 'href="#f-title"' in _text(bad) and "error-summary" in _text(bad)
    done = post(client, f"{draft}/about", {"title": PLAN["title"], "kind": "demonstration",
                                          "local_government": "sejong"})
    assert done.headers["Location"].endswith("/district")

    # The district: only the chosen local government's districts are offered, and one is needed.
    page = _text(client.get(f"{draft}/district"))
    assert f'value="{district["id"]}"' in page
    assert post(client, f"{draft}/district", {}).status_code == 422
    post(client, f"{draft}/district", {"district_id": str(district["id"])})

    post(client, f"{draft}/summary", {"summary": PLAN["summary"]})
    # The repeating group: an incomplete row is named field by field; "add another" keeps it.
    row = {"requested_exceptions.0.law": "여객자동차 운수사업법", "requested_exceptions.0.article": "제4조"}
    missing = post(client, f"{draft}/exceptions", row)
    assert missing.status_code == 422 and 'href="#f-requested-exceptions-0-reason"' in _text(missing)
    grown = post(client, f"{draft}/exceptions", {**row, "add": "requested_exceptions"})
    assert 'id="f-requested-exceptions-1-law"' in _text(grown) and "제4조" in _text(grown)
    post(client, f"{draft}/exceptions", {
        **row, "requested_exceptions.0.reason": "면허 없는 유상 운송",
        "requested_exceptions.1.law": "개인정보 보호법", "requested_exceptions.1.article": "제15조",
        "requested_exceptions.1.reason": "영상정보 수집"})
    post(client, f"{draft}/safety", {"safety_measures": PLAN["safety_measures"],
                                     "compensation_plan": PLAN["compensation_plan"]})
    client.post(f"{draft}/agencies", data={"regulating_agencies": ["KNPA", "PIPC"],
                                           "csrf_token": csrf_token(client, f"{draft}/agencies")})
    no_address = post(client, f"{draft}/operator", {"operator.name": "(주)모빌리티"})
    assert 'href="#f-operator-address"' in _text(no_address)
    post(client, f"{draft}/operator", {"operator.name": "(주)모빌리티",
                                       "operator.address": "세종특별자치시 한누리대로 2130"})

    response = client.get(f"{draft}/check")
    assert response.status_code == 200, response.headers.get("Location")
    check = _text(response)
    assert "개인정보 보호법" in check and district["reference"] in check
    assert "해당 지방자치단체가 사업계획을 검토" in check  # a plan's next step is the local review
    filed = post(client, f"{draft}/check", {})
    assert "/filed" in filed.headers["Location"]
    confirmation = _text(client.get(filed.headers["Location"]))
    reference = re.search(r"SB-\d{4}-\d{6}", confirmation)
    assert reference and "법 제49조제2항" in confirmation
    case_id = int(filed.headers["Location"].split("/")[2])
    case = ok(api.get(f"/api/v1/cases/{case_id}", APPLICANT))
    assert case["state"] == "local_government_review"
    assert case["data"]["district_id"] == district["id"]
    assert len(case["data"]["requested_exceptions"]) == 2

    # Sejong's inbox lists it with the pre-review form; Busan's does not.
    lg = app.test_client()
    sign_in(lg, BUSAN)
    assert reference.group(0) not in _text(lg.get("/dashboard"))
    sign_in(lg, SEJONG)
    inbox = _text(lg.get("/dashboard"))
    assert reference.group(0) in inbox and f"/cases/{case_id}/actions/record_local_review" in inbox
    form = _text(lg.get(f"/cases/{case_id}/actions/record_local_review"))
    assert 'for="f-opinion"' in form and 'for="f-applicant-action-plan"' in form
    # The local government attaches its review while it reviews.
    sent = lg.post(f"/cases/{case_id}/attachments", data={
        "kind": "local_review", "file": (io.BytesIO(PDF), "검토의견.pdf"),
        "csrf_token": csrf_token(lg, f"/cases/{case_id}")}, content_type="multipart/form-data")
    assert sent.status_code == 302
    reviewed = post(lg, f"/cases/{case_id}/actions/record_local_review", {
        "opinion": "적정", "required_measures": "보행자 안전 확보", "applicant_action_plan": "안전요원 배치",
        "version": str(case["version"])}, token_from=f"/cases/{case_id}/actions/record_local_review")
    assert reviewed.status_code == 302
    assert ok(api.get(f"/api/v1/cases/{case_id}", APPLICANT))["state"] == "submitted"


def test_another_local_government_forgets_the_district_chosen(app, api, cast, frozen):
    """A plan's district is one of its local government's: changing the local government
    after choosing a district asks for the district again, not only at the check page."""
    district = designated_district(api, app, cast, frozen)
    client = app.test_client()
    sign_in(client, APPLICANT)
    draft = post(client, "/file/project_approval", {}, token_from="/file").headers["Location"]
    about = {"title": PLAN["title"], "kind": "demonstration", "local_government": "sejong"}
    post(client, f"{draft}/about", about)
    post(client, f"{draft}/district", {"district_id": str(district["id"])})
    # The same local government again: the district stands.
    assert not post(client, f"{draft}/about", about).headers["Location"].endswith("/district")
    assert f'<option value="{district["id"]}" selected' in _text(client.get(f"{draft}/district"))
    # Busan: Sejong's district is forgotten and its step comes next.
    moved = post(client, f"{draft}/about", {**about, "local_government": "busan"})
    assert moved.headers["Location"].endswith("/district")
    assert f'<option value="{district["id"]}"' not in _text(client.get(f"{draft}/district"))


def test_an_agency_reads_the_plan_as_the_case_page_shows_it(app, api, cast, frozen):
    """The consultation page shows the plan's answers as the case page does: the district
    by name, not its number, and no field only the combined filing fills in."""
    district = designated_district(api, app, cast, frozen)
    case = tabled_plan(api, app, frozen, district_id=district["id"])
    knpa = next(c for c in case["consultations"] if c["agency"] == "KNPA")
    client = app.test_client()
    sign_in(client, KNPA)
    page = _text(client.get(f"/consultations/{knpa['id']}"))
    assert district["data"]["name"] in page and district["reference"] in page
    assert "함께 신청한" not in page


def test_a_district_page_lists_the_plans_filed_for_it_that_the_reader_may_see(app, api, cast, frozen):
    district = designated_district(api, app, cast, frozen)
    tabled = tabled_plan(api, app, frozen, district_id=district["id"])
    draft = filed_plan(api, OTHER_APPLICANT, title="경쟁사 배송 로봇", district_id=district["id"])
    elsewhere = filed_plan(api, title="지구 없는 계획")
    client = app.test_client()
    sign_in(client, SECRETARIAT)
    page = _text(client.get(f"/cases/{district['id']}"))
    section = page.split('id="plans-title"', 1)[1].split("</section>", 1)[0]
    assert tabled["reference"] in section and elsewhere["reference"] not in section
    assert draft["reference"] not in section  # a draft is its filer's own until submitted
    ok(api.action(draft["id"], "submit", OTHER_APPLICANT))
    section = _text(client.get(f"/cases/{district['id']}")).split('id="plans-title"', 1)[1]
    assert draft["reference"] in section
    # An agency consulted on the district and on one plan sees that plan only.
    knpa = app.test_client()
    sign_in(knpa, KNPA)
    section = _text(knpa.get(f"/cases/{district['id']}")).split('id="plans-title"', 1)[1]
    assert tabled["reference"] in section and draft["reference"] not in section
    # A plan's own page has no such list.
    assert 'id="plans-title"' not in _text(client.get(f"/cases/{tabled['id']}"))


def test_a_missed_pre_review_deadline_stays_in_sight(app, api, cast, frozen):
    """Act 49② sets no period for the pre-review: when the engine's deadline fires the plan
    is only flagged and stays in the inbox, so its day must still show, marked passed,
    where before the column read "—" beside "overdue"."""
    district = designated_district(api, app, cast, frozen)
    plan = filed_plan(api, district_id=district["id"])
    case = ok(api.action(plan["id"], "submit", APPLICANT))
    last_day = date.fromisoformat(case["deadlines"][0]["last_day"])
    due = f"{last_day.year}년 {last_day.month}월 {last_day.day}일"
    frozen.tick(timedelta(days=35))
    assert fire_timers(app) >= 1
    lg = app.test_client()
    sign_in(lg, SEJONG)
    inbox = _text(lg.get("/dashboard"))
    row = inbox[inbox.index(plan["reference"]):]
    row = row[:row.index("</tr>")]
    assert due in row and "—" not in row.split("</td>")[1]
    assert "기한 지남" in row or "경과" in row
    listed = _text(lg.get("/cases?process=project_approval"))
    row = listed[listed.index(plan["reference"]):]
    row = row[:row.index("</tr>")]
    assert due in row and "tag-red" in row


def test_a_district_is_not_offered_under_2021_rules(database_url):
    from tests.conftest import make_app
    from tests.support.cast import make_cast
    from tests.support.people import People

    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    try:
        make_cast(People(app.extensions["sandbox"]))
        client = app.test_client()
        sign_in(client, APPLICANT)
        draft = post(client, "/file/project_approval", {}, token_from="/file").headers["Location"]
        assert f"{draft}/district" not in _text(client.get(draft))
        assert client.get(f"{draft}/district").status_code == 404
        assert "district_id" not in _text(client.get(f"{draft}/about"))
    finally:
        app.extensions["sandbox.db"].dispose()


def test_attachments_on_the_case_page(app, api, cast):
    case = filed_plan(api)  # a draft: its filer may attach files
    client = app.test_client()
    sign_in(client, APPLICANT)
    path = f"/cases/{case['id']}"
    page = _text(client.get(path))
    assert 'enctype="multipart/form-data"' in page and 'for="f-file"' in page and 'for="f-kind"' in page

    def upload(data: bytes | None, kind: str = "plan", name: str = "계획서.pdf"):
        body = {"kind": kind, "csrf_token": csrf_token(client, path)}
        if data is not None:
            body["file"] = (io.BytesIO(data), name)
        return client.post(f"{path}/attachments", data=body, content_type="multipart/form-data")

    assert upload(PDF).status_code == 302
    refused = upload(EXE, name="plan.pdf")
    assert refused.status_code == 415 and 'href="#f-file"' in _text(refused)
    assert "허용되지 않는 파일 형식" in _text(refused)
    assert upload(None).status_code == 422
    no_kind = upload(PDF, kind="")
    assert no_kind.status_code == 422 and 'href="#f-kind"' in _text(no_kind)
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    just_over = upload(PDF + b"\0" * 200)
    assert just_over.status_code == 413 and 'href="#f-file"' in _text(just_over)
    assert "파일은 100 B(100바이트) 이하여야 합니다." in _text(just_over)
    # Far over, Flask refuses the body before the view reads it: the same case page and words.
    app.config["MAX_CONTENT_LENGTH"] = 4096
    far_over = upload(PDF + b"\0" * 200_000)
    assert far_over.status_code == 413 and 'href="#f-file"' in _text(far_over)
    assert "파일은 100 B(100바이트) 이하여야 합니다." in _text(far_over)
    assert "<h1>파일이 너무 큽니다</h1>" not in _text(far_over)
    outsider = app.test_client()
    sign_in(outsider, OTHER_APPLICANT)
    theirs = outsider.post(f"{path}/attachments", content_type="multipart/form-data",
                           data={"kind": "plan", "file": (io.BytesIO(PDF * 2000), "a.pdf")})
    assert theirs.status_code == 413 and case["reference"] not in _text(theirs)  # not theirs: the plain page
    app.config["MAX_CONTENT_LENGTH"] = 20 * 2**20
    without_token = client.post(f"{path}/attachments", content_type="multipart/form-data",
                                data={"kind": "plan", "file": (io.BytesIO(PDF), "a.pdf")})
    assert without_token.status_code == 400

    listed = _text(client.get(path))
    link = re.search(r'href="(/attachments/\d+)"[^>]*>계획서.pdf<', listed)
    assert link, "the file is listed with a download link"
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    other = app.test_client()
    sign_in(other, "ceo@rival.example")
    assert other.get(link.group(1)).status_code == 404


def test_the_exception_panel_and_its_forms_fire_on_the_exception(app, api, cast, frozen):
    district = designated_district(api, app, cast, frozen)
    case = approved_plan(api, app, cast, frozen, district_id=district["id"])
    client = app.test_client()
    sign_in(client, APPLICANT)
    path = f"/cases/{case['id']}"
    page = _text(client.get(path))
    assert 'id="exception-title"' in page and "일 남음" in page
    assert f"{path}/actions/file_insurance" in page
    form = _text(client.get(f"{path}/actions/file_insurance"))
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert int(version) == case["exception"]["version"]
    # Decree 57's either-or is said as such: an empty form names both ways out, and the
    # insurer and the policy number are one-line boxes.
    for one_line in ("f-insurer", "f-policy-number"):
        assert re.search(rf'<input[^>]+id="{one_line}"', form), one_line
    empty = _text(post(client, f"{path}/actions/file_insurance", {"version": version}))
    assert 'href="#f-insurer"' in empty and 'href="#f-compensation-plan"' in empty
    assert "보상 계획을 적어 주세요" in empty
    low = post(client, f"{path}/actions/file_insurance", {**INSURANCE, "death_per_person_krw": "1000",
                                                          "version": version})
    assert low.status_code == 422 and 'href="#f-death-per-person-krw"' in _text(low)
    insured = post(client, f"{path}/actions/file_insurance",
                   {**{k: str(v) for k, v in INSURANCE.items()}, "version": version})
    assert insured.status_code == 302, re.findall(r"field-error.*", _text(insured))
    start_form = _text(client.get(f"{path}/actions/start"))
    version = re.search(r'name="version" value="(\d+)"', start_form).group(1)
    started = post(client, f"{path}/actions/start",
                   {"started_on": case["exception"]["starts_on"], "version": version})
    assert started.status_code == 302, re.findall(r"field-error.*", _text(started))
    after = ok(api.get(f"/api/v1/cases/{case['id']}", APPLICANT))
    assert after["exception"]["state"] == "active"
    shown = _text(client.get(path))
    assert "한국손해보험" in shown and "시행 중" in shown
    # The history names the exception's own move, as it does the case's.
    assert re.search(r'data-label="상태">\s*규제 특례: 개시 전 → 시행 중</td>', shown), shown
    incident = _text(client.get(f"{path}/actions/report_incident"))
    assert 'type="datetime-local"' in incident
    just_now = (datetime.now(KST) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")  # the form's KST
    reported = post(client, f"{path}/actions/report_incident", {
        "description": "경미한 접촉", "occurred_at": just_now,
        "version": re.search(r'name="version" value="(\d+)"', incident).group(1)})
    assert reported.status_code == 302
    # A stale version is refused with the reason in Korean.
    stale = post(client, f"{path}/actions/report_incident", {
        "description": "또", "occurred_at": just_now, "version": version})
    assert stale.status_code == 302
    assert "다시" in _text(client.get(path))

    # The ministry proposes a revocation by picking one of the Act's four grounds in words
    # (Act 52⑤), not by typing its code.
    secretariat = app.test_client()
    sign_in(secretariat, SECRETARIAT)
    revoke = _text(secretariat.get(f"{path}/actions/propose_revocation"))
    assert len(re.findall(r'type="radio" id="f-ground[^"]*" name="ground"', revoke)) == 4
    assert "<textarea" not in revoke
    assert "승인받은 사업계획과 다르게 사업을 시행한 경우" in revoke and 'value="deviation"' in revoke
    version = re.search(r'name="version" value="(\d+)"', revoke).group(1)
    nothing = post(secretariat, f"{path}/actions/propose_revocation", {"version": version})
    assert nothing.status_code == 422 and 'href="#f-ground' in _text(nothing)
    assert "사유를 선택하세요" in _text(nothing)  # picked, not typed: chosen, not entered
    proposed = post(secretariat, f"{path}/actions/propose_revocation",
                    {"ground": "deviation", "version": version})
    assert proposed.status_code == 302, re.findall(r"field-error.*", _text(proposed))
    after = ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))
    assert after["exception"]["state"] == "revocation_proposed"


def test_plan_pages_have_lang_title_and_labels(app, api, cast, frozen):
    """The route walk over the plan's pages: filing sections, the local government's inbox
    and pre-review form, the case page with its exception, attachments and every form."""
    from tests.e2e.test_web_pages import _check_page, _walk
    from tests.support.cast import SECRETARIAT

    district = designated_district(api, app, cast, frozen)
    approved = approved_plan(api, app, cast, frozen, district_id=district["id"])
    reviewing = filed_plan(api, district_id=district["id"])
    ok(api.action(reviewing["id"], "submit", APPLICANT))
    seen: set[str] = set()
    applicant = app.test_client()
    sign_in(applicant, APPLICANT)
    draft = post(applicant, "/file/project_approval", {}, token_from="/file").headers["Location"]
    seen |= _walk(applicant, [draft, *(f"{draft}/{k}" for k in (
        "about", "district", "summary", "exceptions", "safety", "agencies", "operator"))])
    case_path = f"/cases/{approved['id']}"
    seen |= _walk(applicant, [case_path, *(f"{case_path}/actions/{a}" for a in (
        "file_insurance", "start", "request_extension", "report_incident"))])
    _check_page("attachment error", applicant.post(
        f"/cases/{filed_plan(api)['id']}/attachments", content_type="multipart/form-data",
        data={"kind": "", "csrf_token": csrf_token(applicant, case_path)}))
    lg = app.test_client()
    sign_in(lg, SEJONG)
    seen |= _walk(lg, ["/dashboard", f"/cases/{reviewing['id']}/actions/record_local_review"])
    sec = app.test_client()
    sign_in(sec, SECRETARIAT)
    seen |= _walk(sec, [case_path, f"{case_path}/actions/order_correction",
                        f"{case_path}/actions/suspend"])
    assert any("/actions/file_insurance" in s for s in seen)
    assert any("/actions/record_local_review" in s for s in seen)
    assert len(seen) >= 12, sorted(seen)


def test_an_agency_answers_a_rapid_confirmation_on_its_page(database_url):
    """2021: the reply offers the two permit answers; a permit needs its requirements."""
    from tests.conftest import make_app
    from tests.support.api import ApiClient
    from tests.support.cast import KNPA
    from tests.support.people import People

    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    try:
        people = People(app.extensions["sandbox"])
        from tests.support.cast import make_cast

        make_cast(people)
        api = ApiClient(app.test_client(), people)
        case = ok(api.post("/api/v1/cases", {"process": "rapid_confirmation", "data": {
            "title": "배송 로봇 보도 통행", "description": "허가가 필요한지 확인을 요청합니다.",
            "agencies": ["KNPA"]}}, APPLICANT), 201)
        case = ok(api.action(case["id"], "submit", APPLICANT))
        consultation = case["consultations"][0]["id"]
        client = app.test_client()
        sign_in(client, KNPA)
        page = _text(client.get(f"/consultations/{consultation}"))
        assert 'value="permit_required"' in page and 'value="consent"' not in page
        assert 'for="f-requirements"' in page
        path = f"/consultations/{consultation}/reply"
        refused = post(client, path, {"position": "permit_required"},
                       token_from=f"/consultations/{consultation}")
        assert refused.status_code == 422 and 'href="#f-requirements"' in _text(refused)
        # The form came back at its POST-only address: the language switch goes back to the
        # page the form was on, not to a 405.
        again = client.post(path, data={"position": "permit_required", "csrf_token": csrf_token(
            client, f"/consultations/{consultation}")},
            headers={"Referer": f"http://localhost/consultations/{consultation}"})
        switch = re.search(r'href="(/language/en\?next=[^"]+)"', _text(again)).group(1)
        landed = client.get(switch.replace("&amp;", "&"))
        assert landed.status_code == 302 and landed.headers["Location"] == f"/consultations/{consultation}"
        sent = post(client, path, {"position": "permit_required", "requirements": "도로점용 허가"},
                    token_from=f"/consultations/{consultation}")
        assert sent.status_code == 302
        answered = ok(api.get(f"/api/v1/cases/{case['id']}", APPLICANT))
        assert answered["state"] == "answered"
    finally:
        app.extensions["sandbox.db"].dispose()


def test_the_exception_panel_warns_while_the_insurance_does_not_cover_the_term(app, api, cast, frozen):
    """Decree 57: the cover is a condition of running the service. A policy ending before
    the exception does is pointed out; one that has ended is marked expired; a renewed one
    that lasts the term clears both."""
    from tests.support.plans import INSURANCE

    district = designated_district(api, app, cast, frozen)
    case = approved_plan(api, app, cast, frozen, district_id=district["id"])
    today = datetime.now(KST).date()
    short = (today + timedelta(days=60)).isoformat()
    ok(api.action(case["id"], "file_insurance", APPLICANT, **{**INSURANCE, "valid_until": short}))
    ok(api.action(case["id"], "start", APPLICANT, started_on=today.isoformat()))
    client = app.test_client()
    sign_in(client, APPLICANT)
    path = f"/cases/{case['id']}"
    page = _text(client.get(path))
    assert "보험이 특례보다 먼저 끝납니다" in page and 'class="warn"' in page, page
    # The deadlines table, soonest first: the policy's last day before the term's end.
    table = page.split('id="deadlines-title"', 1)[1].split("</section>", 1)[0]
    assert table.index("책임보험 만료") < table.index("특례 기간 만료"), table

    frozen.tick(timedelta(days=61))
    sign_in(client, APPLICANT)  # the session of two months ago has ended
    page = _text(client.get(path))
    assert "보험이 만료되었습니다" in page and "특례보다 먼저 끝납니다" not in page

    ok(api.action(case["id"], "file_insurance", APPLICANT, **{**INSURANCE, "valid_until": "2036-12-31"}))
    page = _text(client.get(path))
    assert "보험이 만료되었습니다" not in page and "특례보다 먼저 끝납니다" not in page
