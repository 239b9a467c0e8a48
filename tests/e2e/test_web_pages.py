"""The pages through Flask's test client: deny by default, CSRF, headers, throttling,
forms that keep what was typed, and a walk over every page checking ``lang``, a title
and a label for every input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.support.cast import KNPA, OTHER_APPLICANT, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import DISTRICT, ok
from tests.support.web import csrf_token, page_tour, post, sign_in


@pytest.fixture
def client(app):
    return app.test_client()


def test_a_form_without_csrf_token_is_refused(client, cast):
    response = client.post("/login", data={"email": SEJONG, "password": "x"})
    assert response.status_code == 400
    assert 'lang="ko"' in response.get_data(as_text=True)
    assert sign_in(client, SEJONG).status_code == 302
    refused = client.post("/file/district_designation", data={})
    assert refused.status_code == 400
    assert client.get("/drafts/1").status_code == 404  # nothing was created


def test_the_api_keeps_bearer_tokens_and_needs_no_csrf(api, cast):
    body = {"process": "district_designation", "data": DISTRICT}
    case = ok(api.post("/api/v1/cases", body, SEJONG), 201)
    assert case["state"] == "draft"
    missing = api.get("/api/v1/nothing-here")
    assert missing.status == 404 and missing.content_type == "application/problem+json"


def test_another_filers_case_page_is_404(api, client, cast):
    body = {"process": "district_designation", "data": DISTRICT}
    project_like = ok(api.post("/api/v1/cases", body, SEJONG), 201)
    sign_in(client, "official@busan.go.kr")
    assert client.get(f"/cases/{project_like['id']}").status_code == 404
    assert client.get(f"/cases/{project_like['id']}/actions/submit").status_code == 404
    sign_in(client, OTHER_APPLICANT)
    assert client.get(f"/cases/{project_like['id']}").status_code == 404
    sign_in(client, SEJONG)
    assert client.get(f"/cases/{project_like['id']}").status_code == 200


def test_someone_elses_draft_is_404(client, app, cast):
    sign_in(client, SEJONG)
    started = post(client, "/file/district_designation", {}, token_from="/file")
    draft_path = started.headers["Location"]
    other = app.test_client()
    sign_in(other, "official@busan.go.kr")
    assert other.get(draft_path).status_code == 404
    assert other.get(f"{draft_path}/delete").status_code == 404


def test_deleting_a_draft_asks_first_and_only_the_confirmation_deletes(client, cast):
    sign_in(client, SEJONG)
    draft_path = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    tasks = client.get(draft_path).get_data(as_text=True)
    assert f'href="{draft_path}/delete"' in tasks  # a link to the question, not a form that deletes
    asked = client.get(f"{draft_path}/delete")
    assert asked.status_code == 200
    shown = asked.get_data(as_text=True)
    assert "이 신청을 삭제할까요?" in shown and f'href="{draft_path}"' in shown
    assert client.get(draft_path).status_code == 200  # asking deleted nothing
    assert client.post(f"{draft_path}/delete", data={}).status_code == 400  # CSRF
    done = post(client, f"{draft_path}/delete", {})
    assert done.status_code == 302
    assert "작성 중이던 신청을 삭제했습니다." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert client.get(draft_path).status_code == 404


def test_security_headers_and_cookies(client, cast):
    page = client.get("/login")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    response = sign_in(client, SEJONG)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_unless_served_over_plain_http(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, SANDBOX_PUBLIC_URL="https://sandbox.example.kr")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["sandbox.db"].dispose()


def test_sign_in_rotates_the_session(client, cast):
    before = csrf_token(client)
    sign_in(client, SEJONG)
    assert csrf_token(client, "/file") != before


def test_sign_in_is_throttled_after_repeated_failures(client, cast):
    for _ in range(5):
        assert sign_in(client, SEJONG, "wrong-password").status_code == 401
    refused = sign_in(client, SEJONG)  # even the right password, for a while
    assert refused.status_code == 429
    assert "error-summary" in refused.get_data(as_text=True)


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_the_throttle_counts_the_client_behind_the_proxy_not_the_proxy(database_url, proxies):
    """Behind a proxy every request comes from the proxy's address: the failures are counted
    for the address it appends to X-Forwarded-For. Without a proxy configured, that header
    is the client's own word and is not believed."""
    from sqlalchemy import select

    from sandbox.adapters.tables import LoginFailure
    from tests.conftest import make_app

    app = make_app(database_url, SANDBOX_PROXIES=proxies)
    try:
        client = app.test_client()
        headers = {"X-Forwarded-For": "198.51.100.23, 203.0.113.7"}
        token = csrf_token(client)
        answer = client.post("/login", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"},
                             data={"email": "nobody@x.example", "password": "wrong", "csrf_token": token})
        assert answer.status_code == 401
        with app.extensions["sandbox"].uow() as uow:
            counted = [f.address for f in uow.session.scalars(select(LoginFailure))]
        assert counted == (["203.0.113.7"] if proxies == "1" else ["127.0.0.1"])
    finally:
        app.extensions["sandbox.db"].dispose()


def test_a_wrong_password_shows_the_error_summary(client, cast):
    page = sign_in(client, SEJONG, "wrong").get_data(as_text=True)
    assert 'href="#f-email"' in page and "error-summary" in page
    assert "<title>" in page


def test_bad_input_is_shown_back_and_nothing_is_lost(client, cast):
    sign_in(client, SEJONG)
    draft = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    page = post(client, f"{draft}/area", {"area_description": "구역 설명", "area_km2": "many"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'href="#f-area-km2"' in text and "구역 설명" in text and "many" in text
    assert "면적 (km²)은 숫자여야 합니다" in text  # the particle 면적 takes, not 은(는)
    assert "구역 설명" in client.get(f"{draft}/area").get_data(as_text=True)  # saved anyway


def test_a_name_too_long_is_told_so_not_to_enter_one(client, cast):
    sign_in(client, SEJONG)
    draft = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    page = post(client, f"{draft}/about", {"name": "가" * 201, "local_government": "sejong"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "지구 명칭은 200자 이하로 입력하세요" in text and "하나 이상" not in text
    client.get("/language/en?next=/")
    page = post(client, f"{draft}/about", {"name": "가" * 201, "local_government": "sejong"})
    assert "can be at most 200 characters" in page.get_data(as_text=True)


def test_a_number_out_of_range_is_told_its_bounds(client, cast):
    """Too large is not "must be more than zero": the page says both bounds."""
    sign_in(client, SEJONG)
    draft = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    for area in ("30000", "-2"):
        page = post(client, f"{draft}/area", {"area_description": "구역 설명", "area_km2": area})
        assert page.status_code == 422
        assert "면적 (km²)은 0 초과 10000 이하여야 합니다" in page.get_data(as_text=True)
    client.get("/language/en?next=/")
    page = post(client, f"{draft}/area", {"area_description": "구역 설명", "area_km2": "30000"})
    assert "must be greater than 0 and less than or equal to 10000" in page.get_data(as_text=True)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.title = ""
        self._in_title = False
        self.inputs: list[dict[str, Any]] = []
        self.labels: set[str] = set()
        self.wrapped = 0
        self.raw: list[str] = []  # Python values printed as they are ("[]", "None")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title":
            self._in_title = True
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.inputs.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if data.strip() in ("[]", "{}", "None"):
            self.raw.append(data.strip())


def _check_page(path: str, response: Any) -> None:
    assert response.status_code in (200, 422), (path, response.status_code)
    parsed = _Page()
    parsed.feed(response.get_data(as_text=True))
    assert parsed.lang in ("ko", "en"), path
    assert parsed.title.strip(), path
    for attrs in parsed.inputs:
        assert attrs.get("id") in parsed.labels or attrs.get("aria-label"), (path, attrs)
    assert not parsed.raw, (path, parsed.raw)


def _links(html: str) -> set[str]:
    return {h for h in re.findall(r'href="(/[^"#]*)"', html)
            if not h.startswith(("/static", "/language", "/register/export"))}


def _walk(client: Any, start: list[str]) -> set[str]:
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 80:
        path = queue.pop(0)
        key = re.sub(r"\d+", "N", path.split("?")[0])
        if key in {re.sub(r"\d+", "N", s.split("?")[0]) for s in seen}:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302):
            continue
        _check_page(path, response)
        queue.extend(_links(response.get_data(as_text=True)) - seen)
    return seen


def test_every_page_has_lang_title_and_labels(app, api, client, cast, frozen):
    seen: set[str] = set()
    for who, start in page_tour(api, app, frozen):
        c = app.test_client()
        if who:
            sign_in(c, who)
        seen |= _walk(c, start)
    sign_in(client, SEJONG)
    draft = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    seen |= _walk(client, [draft, f"{draft}/about", f"{draft}/area", f"{draft}/plan"])
    assert len(seen) >= 18, sorted(seen)


def test_issued_documents_are_listed_on_the_case_page_and_download(app, api, cast):
    """The receipt the filing mail points to is on the case page, for the case's readers."""
    import hashlib

    from tests.support.cast import BUSAN
    from tests.support.flows import filed_district

    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    client = app.test_client()
    sign_in(client, SEJONG)
    pending = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "발급 문서" in pending and "작성 중" in pending  # written with the filing, not yet rendered
    app.extensions["sandbox.publisher"].drain()
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    link = re.search(r'href="(/documents/\d+)">접수증<', page)
    assert link, "the receipt is listed with a link"
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Content-SHA256"] == hashlib.sha256(pdf.data).hexdigest()
    assert pdf.headers["Content-Disposition"].startswith("inline")
    other = app.test_client()
    sign_in(other, BUSAN)
    assert other.get(link.group(1)).status_code == 404


def test_the_latest_step_of_a_decided_case_does_not_show_the_resolution_raw(app, api, cast):
    from freezegun import freeze_time

    from tests.support.plans import designated_district

    with freeze_time("2026-01-05 01:00:00+00:00") as frozen:
        case = designated_district(api, app, cast, frozen)
    client = app.test_client()
    sign_in(client, SEJONG)
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert case["state"] == "designated" and "위원회 의결" in page
    assert "item_id" not in page and "meeting_id" not in page


def test_the_filers_worklist_asks_only_for_what_someone_waits_for(api, client, cast):
    case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                       SEJONG), 201)
    ok(api.action(case["id"], "submit", SEJONG))
    sign_in(client, SEJONG)
    page = client.get("/dashboard").get_data(as_text=True)
    # Submitted, the filer may still withdraw; nobody waits for that.
    assert 'id="asked-title"' not in page
    assert "withdraw" in ok(api.get(f"/api/v1/cases/{case['id']}", SEJONG))["actions"]
    ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="도면"))
    page = client.get("/dashboard").get_data(as_text=True)
    asked = page.split('id="asked-title"', 1)[1].split("</section>", 1)[0]
    assert case["reference"] in asked and "재제출" in asked  # resubmit
    assert "취하" not in asked  # not withdraw


def test_a_file_attached_after_a_supplement_request_leaves_the_request_on_top(api, client, cast):
    import io

    from tests.support.files import PDF

    case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                       SEJONG), 201)
    ok(api.action(case["id"], "submit", SEJONG))
    ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="구역 경계 도면"))
    form = {"kind": "plan", "file": (io.BytesIO(PDF), "도면.pdf", "application/pdf")}
    assert api.client.post(f"/api/v1/cases/{case['id']}/attachments", data=form,
                           content_type="multipart/form-data",
                           headers=api._headers(SEJONG)).status_code == 201
    sign_in(client, SEJONG)
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    latest = page.split('id="latest-title"', 1)[1].split("</section>", 1)[0]
    assert "보완 요청" in latest and "구역 경계 도면" in latest
    assert "Sha256" not in page and "파일 첨부" in page  # in the history, by its name


def test_the_case_page_lists_the_deadlines_the_lists_count(api, app, client, cast, frozen):
    """The reply deadlines of a district's consultations, by agency; and when the state's
    own deadline has passed and nothing else runs, that one, as the lists show it."""
    from tests.support.flows import district_in_consultation, district_in_resident_opinion, fire_timers

    consulting = district_in_consultation(api, app, frozen, ["KNPA"])
    sign_in(client, SECRETARIAT)
    table = client.get(f"/cases/{consulting['id']}").get_data(as_text=True).split(
        'id="deadlines-title"', 1)[1].split("</section>", 1)[0]
    assert "기관 회신 기한 — 경찰청" in table and "진행 중" in table
    noticed = district_in_resident_opinion(api)
    frozen.tick(timedelta(days=45))
    fire_timers(app)  # the notice period is over; the secretariat has not moved on yet
    sign_in(client, SECRETARIAT)  # 45 days on, the session has ended
    table = client.get(f"/cases/{noticed['id']}").get_data(as_text=True).split(
        'id="deadlines-title"', 1)[1].split("</section>", 1)[0]
    assert "주민 의견" in table and "일 경과" in table and "지남" in table, table


def test_an_upload_error_is_summarised_at_the_top_of_the_case_page(api, client, cast):
    case = ok(api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT},
                       SEJONG), 201)
    sign_in(client, SEJONG)
    token = csrf_token(client, f"/cases/{case['id']}")
    empty = client.post(f"/cases/{case['id']}/attachments", data={"csrf_token": token})
    shown = empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'href="#f-file"' in shown and 'href="#f-kind"' in shown
    assert shown.index("error-summary") < shown.index('class="status-line"')  # seen at once


def test_page_numbers_and_ids_no_column_can_hold_are_not_a_500(client, cast):
    """A ?page= or an id of 10^20 once reached the database driver and failed there."""
    huge = 10**20
    sign_in(client, SECRETARIAT)
    for path in (f"/?page={huge}", f"/cases?page={huge}", "/cases?page=-3"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
    for path in (f"/cases/{huge}", f"/cases/{huge}/actions/submit"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(("lang", "timer", "committee", "resident"), [
    ("ko", "기한 도래 (자동 처리)", "국가스마트도시위원회", "홍길동 (주민)"),
    ("en", "Deadline timer", "National Smart City Committee", "홍길동 (resident)")])
def test_the_history_names_the_engines_own_actors_in_the_readers_language(
    app, lang, timer, committee, resident
):
    from flask_babel import force_locale

    from sandbox.engine.actors import COMMITTEE, RESIDENT, SYSTEM
    from sandbox.web.cases import actor_name

    with app.test_request_context(), force_locale(lang):
        assert actor_name(SYSTEM.label) == timer
        assert actor_name(COMMITTEE.label) == committee
        assert actor_name(f"{RESIDENT}홍길동") == resident
        assert actor_name("세종 담당관 <official@sejong.go.kr>") == "세종 담당관"


def test_agency_lists_name_the_agency_not_its_code(app, api, client, cast, frozen):
    from datetime import timedelta

    from tests.support.flows import district_in_consultation, fire_timers

    district_in_consultation(api, app, frozen, ["KNPA"])
    frozen.tick(timedelta(days=40))
    fire_timers(app)  # the consultation is overdue: it is on the secretariat's home page too
    sign_in(client, KNPA)
    inbox = client.get("/agency/consultations").get_data(as_text=True)
    assert '<td data-label="기관">경찰청</td>' in inbox
    # Overdue, it may still be answered (until tabling): the page says by how much.
    assert re.search(r'<strong class="tag tag-red">\d+일 경과</strong>', inbox), inbox
    secretariat = app.test_client()
    sign_in(secretariat, SECRETARIAT)
    home = secretariat.get("/dashboard").get_data(as_text=True)
    assert "경찰청 — " in home and "KNPA — " not in home


def test_a_filer_can_attach_files_before_submitting(app, api, client, cast):
    """Files belong to a case: 'save as a draft and attach files first' files the case
    without submitting it, the case page takes the files, and the filer submits there."""
    import io

    from tests.support.files import PDF

    sign_in(client, SEJONG)
    draft = post(client, "/file/district_designation", {}, token_from="/file").headers["Location"]
    post(client, f"{draft}/about", {"name": "세종 첨부 시험 지구", "local_government": "sejong"})
    post(client, f"{draft}/area", {"area_description": "세종 6-4 생활권", "area_km2": "1.5"})
    post(client, f"{draft}/plan", {"plan_summary": "자율주행 셔틀 실증"})
    check = client.get(f"{draft}/check").get_data(as_text=True)
    assert 'name="then" value="attach"' in check and 'aria-describedby="attach-first-hint"' in check

    saved = post(client, f"{draft}/check", {"then": "attach"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#attachments-title")
    path = saved.headers["Location"].split("#")[0]
    case_id = int(path.rsplit("/", 1)[1])
    assert ok(api.get(f"/api/v1/cases/{case_id}", SEJONG))["state"] == "draft"
    page = client.get(path).get_data(as_text=True)
    assert "초안 사건으로 저장했습니다" in page  # what to do next, in Korean
    assert 'for="f-file"' in page and f"/cases/{case_id}/actions/submit" in page
    assert client.get(draft).status_code == 404  # the draft became the case

    sent = client.post(f"{path}/attachments", content_type="multipart/form-data", data={
        "kind": "plan", "csrf_token": csrf_token(client, path),
        "file": (io.BytesIO(PDF), "구역도.pdf")})
    assert sent.status_code == 302
    submitted = post(client, f"{path}/actions/submit", {"version": "1"})
    assert submitted.status_code == 302
    case = ok(api.get(f"/api/v1/cases/{case_id}", SEJONG))
    assert case["state"] == "submitted"
    attached = ok(api.get(f"/api/v1/cases/{case_id}/attachments", SEJONG))
    assert [a["filename"] for a in attached] == ["구역도.pdf"]


def test_notifications_are_listed_for_their_reader_and_marked_read(app, api, client, cast):
    from tests.support.cast import BUSAN
    from tests.support.flows import filed_district

    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))  # the filing receipt
    ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="구역 도면"))
    mine = ok(api.get("/api/v1/notifications", SEJONG))
    assert len(mine) >= 2, mine
    newest, oldest = mine[0], mine[-1]

    sign_in(client, SEJONG)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/notifications"' in dashboard
    # The menu counts what is unread, in words for screen readers too.
    assert (f'<span class="count">{len(mine)}<span class="visually-hidden"> 건 읽지 않음</span>'
            in dashboard)
    listed = client.get("/notifications").get_data(as_text=True)
    for n in mine:
        assert n["subject_ko"] in listed and f"/notifications/{n['id']}/read" in listed
    assert f'href="/cases/{case["id"]}"' in listed and "읽지 않음" in listed
    _check_page("notifications", client.get("/notifications"))

    assert client.post(f"/notifications/{newest['id']}/read", data={}).status_code == 400  # no CSRF
    read = post(client, f"/notifications/{newest['id']}/read", {}, token_from="/notifications")
    assert read.status_code == 302
    assert ok(api.get("/api/v1/notifications", SEJONG))[0]["read_at"] is not None
    unread = client.get("/notifications?unread=1").get_data(as_text=True)
    assert f'<span class="count">{len(mine) - 1}<span' in unread
    assert f"/notifications/{newest['id']}/read" not in unread
    assert f"/notifications/{oldest['id']}/read" in unread

    other = app.test_client()
    sign_in(other, BUSAN)
    theirs = other.get("/notifications").get_data(as_text=True)
    assert 'class="count"' not in theirs.split("</nav>")[0]  # Busan has nothing unread
    assert all(f"/notifications/{n['id']}/read" not in theirs for n in mine)
    # Someone else's id changes nothing and says nothing.
    assert post(other, f"/notifications/{oldest['id']}/read", {},
                token_from="/notifications").status_code == 302
    still = {n["id"]: n for n in ok(api.get("/api/v1/notifications", SEJONG))}
    assert still[oldest["id"]]["read_at"] is None
    assert post(other, "/notifications/read-all", {"up_to": str(oldest["id"])},
                token_from="/notifications").status_code == 302
    assert {n["id"]: n for n in ok(api.get("/api/v1/notifications", SEJONG))}[oldest["id"]]["read_at"] is None

    # "Mark all as read" marks what the page showed; what arrived after it was drawn stays unread.
    page = client.get("/notifications").get_data(as_text=True)
    up_to = re.search(r'name="up_to" value="(\d+)"', page).group(1)
    assert up_to == str(newest["id"])
    ok(api.action(case["id"], "resubmit", SEJONG))
    ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="면적 산출 근거"))
    assert client.post("/notifications/read-all", data={"up_to": up_to}).status_code == 400  # no CSRF
    marked = post(client, "/notifications/read-all", {"up_to": up_to}, token_from="/notifications")
    assert marked.status_code == 302
    after = ok(api.get("/api/v1/notifications", SEJONG))
    assert [n["read_at"] is None for n in after] == [int(n["id"]) > int(up_to) for n in after]
    assert any(n["read_at"] is None for n in after)
    shown = client.get("/notifications").get_data(as_text=True)
    assert f"알림 {len(mine) - 1}건을 읽음으로 표시했습니다." in shown, shown
    for junk in ("", "x", "-1", "99999999999999999999"):  # nothing marked, no error
        assert post(client, "/notifications/read-all", {"up_to": junk},
                    token_from="/notifications").status_code == 302



def test_the_menus_unread_count_never_fails_a_page(client, cast, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from sandbox.services import notifications

    sign_in(client, SEJONG)

    def down(*args):
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(notifications, "unread_count", down)
    missing = client.get("/cases/999999")
    assert missing.status_code == 404 and 'href="/notifications"' in missing.get_data(as_text=True)

def test_an_agencys_questions_are_asked_of_the_filer_on_its_dashboard(app, api, client, cast, frozen):
    """A consultation waiting for the filer's answer (Act 49⑤) is work asked of the filer."""
    from tests.support.flows import district_in_consultation

    case = district_in_consultation(api, app, frozen, ["KNPA"])
    consultation = case["consultations"][0]
    sign_in(client, SEJONG)
    before = client.get("/dashboard").get_data(as_text=True)
    assert 'id="asked-title"' not in before
    ok(api.post(f"/api/v1/consultations/{consultation['id']}/request-supplement",
                {"questions": "야간 운행 계획을 제출하세요."}, KNPA))
    after = client.get("/dashboard").get_data(as_text=True)
    asked = after.split('id="asked-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{case["id"]}"' in asked and "보완 요청에 답변" in asked
    # The agency's reply clock stands still meanwhile: no days are counted down (Act 49⑤).
    agency = app.test_client()
    sign_in(agency, KNPA)
    for path in ("/agency/consultations", f"/consultations/{consultation['id']}"):
        shown = agency.get(path).get_data(as_text=True)
        assert "근무일" not in shown and "정지" in shown, path
    ok(api.post(f"/api/v1/consultations/{consultation['id']}/answer-supplement",
                {"answer": "안전요원 2명 배치"}, SEJONG))
    assert 'id="asked-title"' not in client.get("/dashboard").get_data(as_text=True)


def test_closing_a_meeting_shows_what_it_would_decide_before_it_decides(api, app, client, cast, frozen):
    from tests.support.flows import tabled_district

    case = tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA})
    now = frozen.time_to_freeze.replace(tzinfo=UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "제3차", "mode": "written", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat()}, SECRETARIAT), 201)
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/items",
                {"case_id": case["id"], "proposal": "approve"}, SECRETARIAT), 201)
    sign_in(client, SECRETARIAT)
    close_path = f"/committee/meetings/{meeting['id']}/close"
    not_yet = client.get(close_path)  # scheduled: nothing to close yet
    assert not_yet.status_code == 302
    told = client.get(not_yet.headers["Location"]).get_data(as_text=True)
    assert "표결 중인 회의만 종료할 수 있습니다." in told

    ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
    item_id = ok(api.get(f"/api/v1/meetings/{meeting['id']}", SECRETARIAT))["items"][0]["id"]
    for member in cast.members[:3]:  # 3 of 5 voted, all for: closing now would pass
        ok(api.post(f"/api/v1/items/{item_id}/vote", {"choice": "for"}, member))
    meeting_page = client.get(f"/committee/meetings/{meeting['id']}").get_data(as_text=True)
    assert f'href="{close_path}"' in meeting_page  # a link to the question, not a form that closes
    asked = client.get(close_path).get_data(as_text=True)
    assert "회의를 종료하고 의결할까요?" in asked and "가결" in asked
    assert f'{case["reference"]} {case["data"]["name"]}' in asked
    assert ok(api.get(f"/api/v1/meetings/{meeting['id']}", SECRETARIAT))["status"] == "open"

    member = app.test_client()
    sign_in(member, cast.members[0])
    assert member.get(close_path).status_code == 404  # pages of another role are not there
    assert client.post(close_path, data={}).status_code == 400  # CSRF
    done = post(client, close_path, {})
    assert done.status_code == 302
    assert ok(api.get(f"/api/v1/meetings/{meeting['id']}", SECRETARIAT))["status"] == "closed"
    assert ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"] == "designated"

    # The item's agenda and resolution are on the meeting page, where members read and vote.
    before = member.get(f"/committee/meetings/{meeting['id']}").get_data(as_text=True)
    assert "국가스마트도시위원회 부의안건" in before and "의결서" in before and "작성 중" in before
    app.extensions["sandbox.publisher"].drain()  # the outbox renders them
    shown = member.get(f"/committee/meetings/{meeting['id']}").get_data(as_text=True)
    links = re.findall(r'href="(/documents/\d+)">([^<]+) \(PDF\)</a>', shown)
    assert [title for _link, title in links] == ["국가스마트도시위원회 부의안건", "의결서"], shown
    assert all(member.get(link).content_type == "application/pdf" for link, _title in links)


def test_an_extra_member_is_named_finds_the_item_and_votes_on_the_web(api, app, client, cast, frozen):
    """Act 23③: the secretariat names the agency's official as a member of the item on the
    meeting page; the official finds the open meeting from the consultations page and votes."""
    from tests.support.flows import tabled_district

    case = tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA})
    now = frozen.time_to_freeze.replace(tzinfo=UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "제4차", "mode": "written", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat()}, SECRETARIAT), 201)
    meeting_path = f"/committee/meetings/{meeting['id']}"
    officer = cast.people.id(KNPA)
    sign_in(client, SECRETARIAT)
    form = client.get(meeting_path).get_data(as_text=True)
    assert f'name="extra_members" value="{officer}"' in form and 'id="f-extra-members"' in form
    stranger_id = cast.people.id(PIPC)  # PIPC was not consulted on this case
    refused = post(client, f"{meeting_path}/items",
                   {"case_id": case["id"], "proposal": "approve", "extra_members": [str(stranger_id)]},
                   token_from=meeting_path)
    assert refused.status_code == 422
    assert "법 제23조제3항" in refused.get_data(as_text=True) and 'href="#f-extra-members"' in (
        refused.get_data(as_text=True))

    added = post(client, f"{meeting_path}/items",
                 {"case_id": case["id"], "proposal": "approve", "extra_members": [str(officer)]},
                 token_from=meeting_path)
    assert added.status_code == 302
    item = ok(api.get(meeting_path.replace("/committee", "/api/v1"), SECRETARIAT))["items"][0]
    assert item["extra_members"] == [officer] and item["tally"]["enrolled"] == len(cast.members) + 1

    official = app.test_client()
    sign_in(official, KNPA)
    assert "표결할 위원회 안건" not in official.get("/agency/consultations").get_data(as_text=True)
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", {}, SECRETARIAT))
    inbox = official.get("/agency/consultations").get_data(as_text=True)
    assert "표결할 위원회 안건" in inbox and f'href="{meeting_path}"' in inbox
    assert f'href="{meeting_path}"' in official.get("/committee").get_data(as_text=True)
    told = official.get("/notifications").get_data(as_text=True)  # "voting has begun", with the way there
    assert "회의 보기" in told and 'href="/committee"' in told
    shown = official.get(meeting_path).get_data(as_text=True)
    assert 'name="choice"' in shown
    voted = post(official, f"/committee/items/{item['id']}/vote",
                 {"choice": "for", "meeting_id": str(meeting["id"])}, token_from=meeting_path)
    assert voted.status_code == 302
    assert ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))["tally"]["for"] == 1
    assert "표결할 위원회 안건" not in official.get("/agency/consultations").get_data(as_text=True)  # voted

    # Another agency's official sits on nothing: no meeting for it, and no vote.
    stranger = app.test_client()
    sign_in(stranger, PIPC)
    assert stranger.get(meeting_path).status_code == 404
    listed = stranger.get("/committee").get_data(as_text=True)
    assert "위원으로 참여하는 안건이 있는 회의가 없습니다." in listed


def test_an_in_person_roll_names_the_items_extra_members_too(api, app, client, cast, frozen):
    """Art. 23③ members sit in the room for their item: attendance may name them, and then
    they count toward its quorum (Decree 26②) though they have not voted yet."""
    from tests.support.flows import tabled_district

    case = tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA})
    now = frozen.time_to_freeze.replace(tzinfo=UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "제5차", "mode": "in_person", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=3)).isoformat()}, SECRETARIAT), 201)
    officer = cast.people.id(KNPA)
    item = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items",
                       {"case_id": case["id"], "proposal": "approve", "extra_members": [officer]},
                       SECRETARIAT), 201)
    meeting_path = f"/committee/meetings/{meeting['id']}"
    sign_in(client, SECRETARIAT)
    roll = client.get(meeting_path).get_data(as_text=True)
    assert f'id="f-present-{officer}"' in roll and "이 회의 안건 위원" in roll
    done = post(client, f"{meeting_path}/attendance", {"present": [str(officer)]})
    assert done.status_code == 302
    assert ok(api.get(f"/api/v1/items/{item['id']}", SECRETARIAT))["tally"]["present"] == 1


def test_the_secretariats_queue_finds_what_waits_behind_cases_that_do_not(app, api, client, cast):
    """Older cases whose secretariat action is not open yet (their consultations still run:
    the guard says no) do not hide a newer filing that waits for review, however many there
    are; the queue's count says when it shows only the oldest."""
    from sandbox.services import worklists
    from tests.support.flows import filed_district
    from tests.support.rows import add_cases

    long_ago = datetime.now(UTC) - timedelta(days=60)
    add_cases(app, cast.people.id(SEJONG), [
        {"reference": f"SB-2026-8{n:05d}", "state": "agency_consultation", "data": dict(DISTRICT),
         "created_at": long_ago, "updated_at": long_ago}
        for n in range(worklists.AWAITING_CHUNK + 50)])
    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    sign_in(client, SECRETARIAT)
    home = client.get("/dashboard").get_data(as_text=True)
    waiting = home.split('id="new-title"', 1)[1].split("</section>", 1)[0]
    assert case["reference"] in waiting and "SB-2026-8" not in waiting
    assert '<span class="count">1</span>' in waiting and "더 있습니다" not in waiting


def test_the_districts_open_for_comment_come_a_page_at_a_time_soonest_closing_first(
        app, api, client, cast, monkeypatch):
    from sandbox.web import public as public_pages

    _open_for_comment(api, "오래 여는 지구", 30)
    _open_for_comment(api, "곧 닫는 지구", 14)
    monkeypatch.setattr(public_pages, "OPINIONS_PER_PAGE", 1)
    first = client.get("/opinions").get_data(as_text=True)
    second = client.get("/opinions?page=2").get_data(as_text=True)
    assert "곧 닫는 지구" in first and "오래 여는 지구" not in first
    assert "오래 여는 지구" in second and "2쪽 중 2쪽" in second and 'rel="prev"' in second


def _open_for_comment(api, name, days):
    from tests.support.flows import filed_district

    case = filed_district(api, name=name)
    ok(api.action(case["id"], "submit", SEJONG))
    return ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT, days=days))


def test_two_officials_on_one_case_the_second_is_told_who_moved_it_meanwhile(app, api, cast):
    """Two secretariat officials open the same submitted filing: one asks for a supplement,
    the other, a moment later, sends the return form they filled in on the older page. The
    second is not told only 'not possible now' but who moved the case, and to what."""
    from tests.support.flows import filed_district

    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    path = f"/cases/{case['id']}"
    first, second = app.test_client(), app.test_client()
    sign_in(first, SECRETARIAT)
    sign_in(second, SECRETARIAT)
    form = second.get(f"{path}/actions/return").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    asked = post(first, f"{path}/actions/request_supplement",
                 {"items": "구역 도면", "version": version})
    assert asked.status_code == 302
    refused = post(second, f"{path}/actions/return", {"reason": "서류 미비", "version": version},
                   token_from=path)
    assert refused.status_code == 302 and refused.location.endswith(path)
    shown = second.get(path).get_data(as_text=True)
    assert "화면을 연 뒤에 이 건이 바뀌었습니다: " in shown and "‘보완 요청’을 처리했습니다" in shown, shown
    assert "반려는 이제 할 수 없으니" in shown, shown  # the particle fits the word
    assert ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"] == "supplement_requested"
    # Opened on the current version, an action that is not offered keeps the short answer.
    again = post(second, f"{path}/actions/return", {"reason": "서류 미비",
                                                    "version": str(int(version) + 1)}, token_from=path)
    assert again.status_code == 302
    assert "지금은 그 처리를 할 수 없습니다." in second.get(path).get_data(as_text=True)
