"""A thin JSON client over Flask's test client that signs requests as a given user."""

from __future__ import annotations

from typing import Any

from .people import People


class Response:
    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.status = raw.status_code
        self.json = raw.get_json(silent=True)
        self.content_type = raw.content_type

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.json!r}>"


class ApiClient:
    def __init__(self, client: Any, people: People) -> None:
        self.client = client
        self.people = people

    def _headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        return {"Authorization": f"Bearer {self.people.token(who)}"}

    def get(self, path: str, who: str | None = None, **kw: Any) -> Response:
        return Response(self.client.get(path, headers=self._headers(who), **kw))

    def post(self, path: str, body: Any = None, who: str | None = None, **kw: Any) -> Response:
        return Response(self.client.post(path, json=body, headers=self._headers(who), **kw))

    def patch(self, path: str, body: Any = None, who: str | None = None) -> Response:
        return Response(self.client.patch(path, json=body, headers=self._headers(who)))

    def action(self, case_id: int, action: str, who: str, **payload: Any) -> Response:
        return self.post(f"/api/v1/cases/{case_id}/actions/{action}", payload, who)
