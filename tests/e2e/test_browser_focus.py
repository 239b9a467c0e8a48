"""Keyboard focus, in headless Chromium: tabbing through a page reaches every link, button
and field, and each one, while focused, shows its text at a readable contrast (WCAG 2.1
1.4.3: 4.5:1). The masthead's white links once kept their white on the yellow focus
background."""

from __future__ import annotations

import pytest

from tests.support.browser import Person
from tests.support.live import live_app
from tests.support.people import People

pytestmark = pytest.mark.browser

# The focused element's text colour against the first opaque background behind it.
CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  };
  const el = document.activeElement;
  let node = el, back = null;
  while (node && node.nodeType === 1) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || c[3] > 0.5) { back = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  back = back || [255, 255, 255];
  const [a, b] = [lum(rgb(getComputedStyle(el).color).slice(0, 3)), lum(back)];
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim();
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return {what: el.tagName + ' ' + text.slice(0, 40), ratio};
}"""


@pytest.fixture
def live(sqlite_template, tmp_path):
    with live_app(sqlite_template, tmp_path) as app:
        People(app.extensions["sandbox"]).user("sec@test.molit.go.kr", "secretariat", "MOLIT", "사무국 담당")
        yield app


def focused_contrasts(person: Person, path: str, most: int = 60) -> list[dict]:
    page = person.page
    page.goto(path)
    seen, found = set(), []
    for _ in range(most):
        page.keyboard.press("Tab")
        handle = page.evaluate("() => { const e = document.activeElement; return e === document.body ? null :"
                               " e.outerHTML.slice(0, 200); }")
        if handle is None or handle in seen:  # back at the start: every stop visited
            break
        seen.add(handle)
        found.append(page.evaluate(CONTRAST))
    return found


@pytest.mark.parametrize("path, signed_in", [
    ("/login", False), ("/register", False), ("/dashboard", True), ("/committee/meetings/new", True),
])
def test_every_focused_control_reads_at_4_5_to_1(live, browser, path, signed_in):
    person = Person(browser, live.config["LIVE_URL"], "sec@test.molit.go.kr" if signed_in else None)
    try:
        stops = focused_contrasts(person, path)
        assert len(stops) >= 3, stops  # the skip link, the masthead, the page's own controls
        unreadable = [s for s in stops if s["ratio"] < 4.5]
        assert not unreadable, unreadable
    finally:
        person.close()


def test_the_error_summarys_links_read_when_focused(live, browser):
    person = Person(browser, live.config["LIVE_URL"], "sec@test.molit.go.kr")
    try:
        page = person.page
        page.goto("/committee/meetings/new")
        person.submit()  # nothing filled in: the summary lists the fields
        link = page.locator(".error-summary a").first
        link.focus()
        assert page.evaluate(CONTRAST)["ratio"] >= 4.5
    finally:
        person.close()
