"""Every form the pages show, sent back with bad values: never a 5xx.

Each role walks its pages from its start pages (as ``test_web_pages`` does), collects every
POST form it is shown with its fields, and sends each one back several times, with the form's
own CSRF token and, in every field at once, one kind of bad value: nothing, a very long text,
numbers beyond any column, impossible dates, control characters, a choice that is not offered.
The answer must be a page (a 2xx, a redirect or a 4xx with the error shown), never a server
error: bad input gets a clear error and loses nothing (the developers' guide).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from tests.support.cast import APPLICANT, SEJONG
from tests.support.web import page_tour, post, sign_in

BAD_VALUES = {
    "empty": "",
    "long": "가" * 20_000,
    "huge number": "9" * 40,
    "negative": "-1",
    "not a number": "NaN",
    "impossible date": "2026-02-30",
    "control characters": "\x00\x1b[31m\u202e",
    "markup": "<script>alert(1)</script>",
}
NOT_OFFERED = "not-one-of-the-choices"


class _Forms(HTMLParser):
    """POST forms: action, the csrf token and the names of their fields (with the choices
    a select or radio group offers)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.add(a["href"].split("#")[0])
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "token": None,
                          "multipart": "multipart" in a.get("enctype", "")}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name, kind = a["name"], a.get("type", "text")
        if name == "csrf_token":
            self._form["token"] = a.get("value")
        elif tag in ("input", "textarea", "select") and kind not in ("submit", "hidden", "file"):
            self._form["fields"].setdefault(name, kind if tag == "input" else tag)
        elif kind == "hidden":
            self._form["fields"].setdefault(name, "hidden")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _skip(path: str) -> bool:
    return path.startswith(("/static", "/language", "/register/export", "/documents/",
                            "/attachments/", "/calendar/", "/logout"))


def _forms_seen(client: Any, start: list[str], limit: int = 60) -> dict[str, dict[str, Any]]:
    """Walk from ``start``; one form per (action with ids masked), as first seen."""
    forms: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        key = re.sub(r"\d+", "N", path.split("?")[0])
        if key in seen or _skip(path):
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200:
            continue
        parsed = _Forms()
        parsed.feed(response.get_data(as_text=True))
        for form in parsed.forms:
            action = form["action"] or path
            if not _skip(action) and form["token"]:
                forms.setdefault(re.sub(r"\d+", "N", action), {**form, "action": action})
        queue.extend(sorted(parsed.links))
    return forms


def _send_bad(client: Any, form: dict[str, Any]) -> list[str]:
    problems = []
    for label, value in [*BAD_VALUES.items(), ("not offered", NOT_OFFERED)]:
        data = {name: value for name in form["fields"]}
        response = client.post(form["action"], data={**data, "csrf_token": form["token"]},
                               content_type="multipart/form-data" if form["multipart"] else None)
        if response.status_code >= 500:
            problems.append(f"{form['action']} with {label}: {response.status_code}")
        elif response.status_code not in (301, 302, 303):
            body = response.get_data(as_text=True)
            if response.mimetype == "text/html" and "Traceback" in body:
                problems.append(f"{form['action']} with {label}: a traceback shown")
    return problems


def test_no_form_answers_bad_values_with_a_server_error(app, api, cast, frozen):
    problems: list[str] = []
    tried: set[str] = set()
    for who, start in page_tour(api, app, frozen):
        client = app.test_client()
        if who:
            sign_in(client, who)
        if who in (SEJONG, APPLICANT):  # a draft of one's own, with its steps' forms
            process = "district_designation" if who == SEJONG else "project_approval"
            draft = post(client, f"/file/{process}", {}, token_from="/file").headers["Location"]
            start = [draft, *start]
        for form in _forms_seen(client, start).values():
            if form["action"] == "/login":  # failed sign-ins throttle the address
                continue
            problems += _send_bad(client, form)
            tried.add(re.sub(r"\d+", "N", form["action"]))
    assert not problems, problems
    assert len(tried) >= 15, sorted(tried)
