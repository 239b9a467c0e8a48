"""Signing in through the pages with Flask's test client, CSRF token included."""

from __future__ import annotations

import re
from typing import Any

from .people import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: Any, path: str = "/login") -> str:
    match = TOKEN.search(client.get(path, follow_redirects=True).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


def post(client: Any, path: str, data: dict[str, Any], token_from: str | None = None) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def page_tour(api: Any, app: Any, frozen: Any) -> list[tuple[str | None, list[str]]]:
    """Cases in several states, and for the public (``None``) and each role the pages to
    walk from: the page checks and the form fuzz start from the same places."""
    from .cast import APPLICANT, KNPA, SECRETARIAT, SEJONG
    from .flows import district_in_consultation, district_in_resident_opinion, ok

    consulting = district_in_consultation(api, app, frozen, ["KNPA"])
    open_case = district_in_resident_opinion(api)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "제1차", "mode": "in_person", "starts_at": "2026-12-01T10:00:00+09:00",
        "ends_at": "2026-12-01T12:00:00+09:00"}, SECRETARIAT), 201)
    return [
        (None, ["/", "/login", "/register", "/opinions", f"/opinions/{open_case['id']}"]),
        (SEJONG, ["/dashboard", "/file", "/cases", f"/cases/{consulting['id']}"]),
        (SECRETARIAT, ["/dashboard", "/committee", "/committee/meetings/new",
                       f"/committee/meetings/{meeting['id']}", f"/cases/{consulting['id']}",
                       f"/cases/{open_case['id']}", f"/cases/{open_case['id']}/actions/open_consultation"]),
        (KNPA, ["/agency/consultations", "/notifications", "/calendar"]),
        (APPLICANT, ["/dashboard", "/file"]),
        ("member1@committee.go.kr", ["/committee", f"/committee/meetings/{meeting['id']}"]),
    ]
