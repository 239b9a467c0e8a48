"""People in headless Chromium, and the committee meeting both browser tests hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from .people import PASSWORD


class Person:
    """One browser context per person: their own cookies, their own session."""

    def __init__(self, browser: Any, base: str, email: str | None = None) -> None:
        self.context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        if email:
            self.page.goto("/login")
            self.page.fill("#f-email", email)
            self.page.fill("#f-password", PASSWORD)
            with self.page.expect_navigation():
                self.page.click("main button[type=submit]")
            assert "/login" not in self.page.url

    def submit(self, form: str = "main form") -> None:
        # Every form posts and the answer is a new page: wait for it before looking.
        with self.page.expect_navigation():
            # The visible button, as a person clicks it (macros.default_submit is for Enter).
            self.page.locator(f"{form} button[type=submit]:not([name=later]):not([name=add])"
                              ":not([aria-hidden=true])").first.click()

    def action(self, case_id: int, name: str) -> None:
        self.page.goto(f"/cases/{case_id}")
        link = self.page.locator(f"main a[href$='/actions/{name}']")
        with self.page.expect_navigation():
            if link.count():
                link.click()
            else:
                self.page.locator(f"main form[action$='/actions/{name}'] button").click()

    def close(self) -> None:
        self.context.close()


def hold_meeting(
    sec: Person, browser: Any, base: str, clock: Any, *, title: str, conditions: str,
    members: Iterable[str], case_id: int | None = None,
    before_vote: Callable[[Person], None] | None = None,
) -> str:
    """The secretariat schedules an in-person meeting, puts the tabled case on it with
    conditions, records everyone present and opens it; each member votes for. Returns the
    meeting's address (the meeting is left open)."""
    sec.page.goto("/committee/meetings/new")
    sec.page.fill("#f-title", title)
    sec.page.check("#f-mode")
    sec.page.fill("#f-starts-at", (clock.now() + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    sec.page.fill("#f-ends-at", (clock.now() + timedelta(hours=13)).strftime("%Y-%m-%dT%H:%M"))
    sec.submit()
    meeting_url = sec.page.url
    if case_id is not None:
        sec.page.select_option("#f-case-id", str(case_id))
    sec.page.check("input[name=proposal][value=approve_with_conditions]")
    sec.page.fill("#f-conditions", conditions)
    sec.submit("form[action$='/items']")
    for box in sec.page.locator("input[name=present]").all():
        box.check()
    sec.submit("form[action$='/attendance']")
    sec.submit("form[action$='/open']")
    for email in members:
        member = Person(browser, base, email)
        member.page.goto(meeting_url)
        if before_vote:
            before_vote(member)
        member.page.check("input[name=choice][value=for]")
        member.submit("form[action$='/vote']")
        assert member.page.locator(".notice-success").count() == 1
        member.close()
    return meeting_url
