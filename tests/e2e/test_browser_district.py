"""A district taken from filing to designation through the web pages, in headless
Chromium, by five people signing in as each role: the local government files it (with a
validation error and its summary) and answers a supplement request, the secretariat
reviews, opens the resident opinion period and consultations, runs the meeting; a resident
comments; the police agency replies (after a refused incomplete reply); three committee
members vote; the public register shows the designated district.
"""

from __future__ import annotations

import pytest

from sandbox.services.timers import fire_due_timers
from tests.support.browser import Person, hold_meeting
from tests.support.live import live_app
from tests.support.people import People

pytestmark = pytest.mark.browser



@pytest.fixture
def live(sqlite_template, tmp_path):
    with live_app(sqlite_template, tmp_path) as app:
        people = People(app.extensions["sandbox"])
        for email, role, org, name in [
            ("sejong@test.go.kr", "local_government", "sejong", "세종 담당관"),
            ("sec@test.molit.go.kr", "secretariat", "MOLIT", "사무국 담당"),
            ("knpa@test.go.kr", "agency", "KNPA", "경찰청 담당"),
            *[(f"m{n}@test.molit.go.kr", "committee_member", "MOLIT", f"위원 {n}") for n in (1, 2, 3)],
        ]:
            people.user(email, role, org, name)
        yield app


def test_district_from_filing_to_designation(live, browser):
    base, rt, clock = live.config["LIVE_URL"], live.extensions["sandbox"], live.config["LIVE_CLOCK"]

    # 1. The local government files, stumbling once on a required field.
    lg = Person(browser, base, "sejong@test.go.kr")
    p = lg.page
    p.goto("/file")
    with p.expect_navigation():
        p.click("form[action$='/file/district_designation'] button")
    with p.expect_navigation():
        p.click("a[href$='/about']")
    p.fill("#f-name", "")
    lg.submit()
    summary = p.locator(".error-summary")
    assert summary.is_visible()
    link = summary.locator("a[href='#f-name']")
    assert link.count() == 1
    link.click()
    assert p.evaluate("document.activeElement.id") == "f-name"
    assert p.locator("#f-name[aria-invalid=true]").count() == 1
    p.fill("#f-name", "세종 브라우저 규제혁신지구")
    assert p.locator("#f-local-government").input_value() == "sejong"
    lg.submit()
    p.fill("#f-area-description", "세종시 6-3 생활권")
    p.fill("#f-area-km2", "넓음")  # not a number: refused, what was typed is kept
    lg.submit()
    assert p.locator(".error-summary a[href='#f-area-km2']").count() == 1
    assert p.locator("#f-area-description").input_value() == "세종시 6-3 생활권"
    p.fill("#f-area-km2", "3.1")
    lg.submit()
    p.fill("#f-plan-summary", "자율주행 셔틀 실증")
    lg.submit()
    with p.expect_navigation():
        p.click("a[href$='/check']")
    assert "세종 브라우저 규제혁신지구" in p.inner_text("main")
    lg.submit()
    reference = p.inner_text(".reference")
    assert reference.startswith("SB-")
    with p.expect_navigation():
        p.click("main a[href^='/cases/']")
    case_id = int(p.url.rstrip("/").rsplit("/", 1)[1])

    # 2. The secretariat asks for a supplement.
    sec = Person(browser, base, "sec@test.molit.go.kr")
    sec.page.goto("/dashboard")
    assert reference in sec.page.inner_text("main")
    sec.action(case_id, "request_supplement")
    sec.submit()  # empty: refused with a summary
    assert sec.page.locator(".error-summary a[href='#f-items']").count() == 1
    sec.page.fill("#f-items", "구역 경계 도면을 보완하세요.")
    sec.submit()
    assert sec.page.locator(".notice-success").count() == 1

    # 3. The local government sees the request, changes its answers and resubmits.
    p.goto(f"/cases/{case_id}")
    assert "구역 경계 도면을 보완하세요." in p.inner_text("main")
    with p.expect_navigation():
        p.click("a[href$='/edit']")
    p.fill("#f-area-description", "세종시 6-3 생활권 (경계 도면 첨부)")
    lg.submit()
    lg.action(case_id, "resubmit")
    assert p.locator(".notice-success").count() == 1

    # 4. The secretariat opens the resident opinion period (5 days).
    sec.action(case_id, "open_resident_opinion")
    sec.page.fill("#f-days", "5")
    sec.submit()

    # 5. A resident comments, without signing in.
    public = Person(browser, base)
    public.page.goto("/opinions")
    with public.page.expect_navigation():
        public.page.click(f"a[href='/opinions/{case_id}']")
    public.page.fill("#f-name", "홍길동")
    public.page.fill("#f-body", "셔틀 정류장을 학교 앞에 두어 주세요.")
    public.submit()
    assert public.page.locator(".notice-success").count() == 1

    # Time passes: the period ends.
    clock.advance(days=8)
    fire_due_timers(rt)

    # 6. The secretariat opens the police agency's consultation.
    sec.action(case_id, "open_consultation")
    sec.page.check("input[name=agencies][value=KNPA]")
    sec.submit()
    assert "홍길동" in sec.page.inner_text("main")  # the comment is on the file
    history = sec.page.inner_text("#history-title + .table-wrap")
    assert "홍길동 (주민)" in history and "resident:" not in history

    # 7. The agency replies; consent with conditions needs the conditions.
    agency = Person(browser, base, "knpa@test.go.kr")
    agency.page.goto("/agency/consultations")
    with agency.page.expect_navigation():
        agency.page.click("main table a")
    agency.page.check("input[name=position][value=consent_with_conditions]")
    agency.submit("form[action$='/reply']")
    assert agency.page.locator(".error-summary a[href='#f-conditions']").count() == 1
    agency.page.check("input[name=position][value=consent_with_conditions]")
    agency.page.fill("#f-conditions", "안전요원 동승")
    agency.submit("form[action$='/reply']")
    assert agency.page.locator(".notice-success").count() == 1

    # 8. The secretariat tables the case and runs a meeting; 9. three members vote for,
    # having read the agency's opinion.
    sec.action(case_id, "table")

    def sees_the_agency_opinion(member: Person) -> None:
        shown = member.page.inner_text("main")
        assert "안전요원 동승" in shown
        # The proposal as the committee resolves it: a district is designated, not "approved".
        assert "의결 안: 조건부 의결" in shown and "승인" not in shown

    meeting_url = hold_meeting(sec, browser, base, clock, title="제1차 위원회",
                               conditions="분기별 운행 실적 보고",
                               members=[f"m{n}@test.molit.go.kr" for n in (1, 2, 3)],
                               before_vote=sees_the_agency_opinion)
    sec.page.goto(meeting_url)
    sec.page.click("a[href$='/close']")  # closing asks first, showing what it would decide
    assert "가결" in sec.page.inner_text("main tbody")
    sec.submit("form[action$='/close']")
    assert sec.page.locator(".tag-green").count() >= 1

    # 10. The public register shows the designated district.
    public.page.goto("/register")
    row = public.page.locator("main tbody tr", has_text="세종 브라우저 규제혁신지구")
    assert row.count() == 1
    assert "분기별 운행 실적 보고" in row.inner_text()
    for person in (lg, sec, agency, public):
        person.close()
