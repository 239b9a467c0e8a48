"""A business plan taken from filing to approval through the web pages, in headless
Chromium, by people signing in as each role (2020 rule set): the applicant files it in a
designated district (set up through the API first), stumbling on a required field and
following the error summary; Sejong pre-reviews it from its inbox; the secretariat asks for
a supplement and the applicant answers; the police agency consents; the committee approves;
the applicant sees the exception with its countdown, files insurance and starts; the public
register shows the project.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sandbox.domain.calendar import KST
from tests.support.api import ApiClient
from tests.support.browser import Person, hold_meeting
from tests.support.cast import APPLICANT, KNPA, SECRETARIAT, SEJONG, make_cast
from tests.support.live import live_app
from tests.support.people import People
from tests.support.plans import designated_district

pytestmark = pytest.mark.browser

TITLE = "브라우저 자율주행 순찰 로봇 실증"


class Ticking:
    """freezegun's ``frozen`` face over the live app's clock, for the set-up helpers."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock

    def __call__(self) -> Any:
        return self.clock.now().replace(tzinfo=None)

    def tick(self, delta: timedelta) -> None:
        self.clock.advance(seconds=delta.total_seconds())


@pytest.fixture
def live(sqlite_template, tmp_path):
    with live_app(sqlite_template, tmp_path) as app:
        people = People(app.extensions["sandbox"])
        cast = make_cast(people)
        api = ApiClient(app.test_client(), people)
        app.config["DISTRICT"] = designated_district(api, app, cast, Ticking(app.config["LIVE_CLOCK"]))
        yield app


def test_plan_from_filing_to_approval_and_start(live, browser):
    base, clock, district = live.config["LIVE_URL"], live.config["LIVE_CLOCK"], live.config["DISTRICT"]

    # 1. The applicant files, following the error summary to the field it missed.
    app_ = Person(browser, base, APPLICANT)
    p = app_.page
    p.goto("/file")
    with p.expect_navigation():
        p.click("form[action$='/file/project_approval'] button")
    with p.expect_navigation():
        p.click("a[href$='/about']")
    p.check("input[name=kind][value=demonstration]")
    p.select_option("#f-local-government", "sejong")
    app_.submit()
    link = p.locator(".error-summary a[href='#f-title']")
    assert link.count() == 1
    link.click()
    assert p.evaluate("document.activeElement.id") == "f-title"
    p.fill("#f-title", TITLE)
    app_.submit()
    assert "/district" in p.url
    p.select_option("#f-district-id", str(district["id"]))
    app_.submit()
    p.fill("#f-summary", "보도 위 순찰 로봇으로 야간 방범을 실증한다.")
    app_.submit()
    p.fill("#f-requested-exceptions-0-law", "도로교통법")
    p.fill("#f-requested-exceptions-0-article", "제8조")
    p.fill("#f-requested-exceptions-0-reason", "보도 위 로봇 통행")
    # Enter in a text box saves the step (macros.default_submit); it used to add a row.
    with p.expect_navigation():
        p.press("#f-requested-exceptions-0-article", "Enter")
    assert "/exceptions" not in p.url, p.url
    p.fill("#f-safety-measures", "시속 5km 제한, 원격 관제")
    p.fill("#f-compensation-plan", "책임보험 가입")
    app_.submit()
    p.check("input[name=regulating_agencies][value=KNPA]")
    app_.submit()
    p.fill("#f-operator-name", "(주)순찰로봇")
    p.fill("#f-operator-address", "세종특별자치시 도움6로 11")
    app_.submit()
    with p.expect_navigation():
        p.click("a[href$='/check']")
    assert district["reference"] in p.inner_text("main")
    app_.submit()
    reference = p.inner_text(".reference")
    assert reference.startswith("SB-")
    with p.expect_navigation():
        p.click("main a[href^='/cases/']")
    case_id = int(p.url.rstrip("/").rsplit("/", 1)[1])

    # 2. Sejong pre-reviews it from its inbox.
    lg = Person(browser, base, SEJONG)
    lg.page.goto("/dashboard")
    inbox = lg.page.locator("section[aria-labelledby=reviews-title]")
    assert reference in inbox.inner_text()
    with lg.page.expect_navigation():
        inbox.locator("a[href$='/actions/record_local_review']").click()
    lg.page.fill("#f-opinion", "적정")
    lg.page.fill("#f-required-measures", "야간 보행자 안전 확보")
    lg.page.fill("#f-applicant-action-plan", "관제 요원 상시 배치")
    lg.submit()
    assert lg.page.locator(".notice-success").count() == 1

    # 3. The secretariat asks for a supplement; the applicant answers.
    sec = Person(browser, base, SECRETARIAT)
    sec.action(case_id, "request_supplement")
    sec.page.fill("#f-items", "로봇 주행 경로 지도를 보완하세요.")
    sec.submit()
    p.goto(f"/cases/{case_id}")
    assert "로봇 주행 경로 지도를 보완하세요." in p.inner_text("main")
    with p.expect_navigation():
        p.click("a[href$='/edit']")
    p.fill("#f-summary", "보도 위 순찰 로봇으로 야간 방범을 실증한다. 주행 경로: 도움6로 일대.")
    app_.submit()
    app_.action(case_id, "resubmit")
    assert p.locator(".notice-success").count() == 1

    # 4. The secretariat opens the consultation; the police agency consents.
    sec.action(case_id, "open_consultation")
    box = sec.page.locator("input[name=agencies][value=KNPA]")
    if box.count():
        box.check()
    sec.submit()
    agency = Person(browser, base, KNPA)
    agency.page.goto("/agency/consultations")
    with agency.page.expect_navigation():
        agency.page.click(f"main a:has-text('{reference}')")
    agency.page.check("input[name=position][value=consent]")
    agency.submit("form[action$='/reply']")
    assert agency.page.locator(".notice-success").count() == 1

    # 5. Tabled, put on a meeting, voted on, closed.
    sec.action(case_id, "table")
    meeting_url = hold_meeting(sec, browser, base, clock, title="제2차 위원회",
                               conditions="월별 순찰 실적 보고", case_id=case_id,
                               members=[f"member{n}@committee.go.kr" for n in (1, 2, 3)])
    sec.page.goto(meeting_url)
    sec.page.click("a[href$='/close']")  # closing asks first, showing what it would decide
    sec.submit("form[action$='/close']")

    # 6. The applicant sees the exception with its countdown, insures and starts.
    p.goto(f"/cases/{case_id}")
    panel = p.locator("section[aria-labelledby=exception-title]")
    assert "일 남음" in panel.inner_text() and "월별 순찰 실적 보고" in panel.inner_text()
    app_.action(case_id, "file_insurance")
    p.fill("#f-insurer", "한국손해보험")
    p.fill("#f-policy-number", "LIA-2026-0042")
    p.fill("#f-valid-until", "2031-12-31")
    p.fill("#f-death-per-person-krw", "1000")  # below Decree 57's minimum: refused
    p.fill("#f-property-per-accident-krw", "1000000000")
    app_.submit()
    assert p.locator(".error-summary a[href='#f-death-per-person-krw']").count() == 1
    p.fill("#f-death-per-person-krw", "150000000")
    app_.submit()
    assert p.locator(".notice-success").count() == 1
    app_.action(case_id, "start")
    p.fill("#f-started-on", clock.now().astimezone(KST).date().isoformat())
    app_.submit()
    assert p.locator(".notice-success").count() == 1
    assert "한국손해보험" in p.locator("section[aria-labelledby=exception-title]").inner_text()

    # 7. The public register shows the project.
    public = Person(browser, base)
    public.page.goto("/register")
    assert TITLE in public.page.inner_text("main")
    for person in (app_, lg, sec, agency, public):
        person.close()
