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
