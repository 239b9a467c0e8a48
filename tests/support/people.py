"""Users of every role, made quickly (one argon2 hash for the whole session)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sandbox.adapters.tables import Organisation, User
from sandbox.services import people as people_service

PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    return people_service.hash_password(PASSWORD)


class People:
    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self._tokens: dict[str, str] = {}
        self._ids: dict[str, int] = {}

    def user(self, email: str, role: str, org: str, name: str | None = None) -> int:
        """Create (once) and return the user's id."""
        if email in self._ids:
            return self._ids[email]
        with self.rt.uow() as uow:
            if uow.session.get(Organisation, org) is None:
                uow.session.add(Organisation(code=org, kind="company", name_ko=org, name_en=org))
            user = User(email=email, name=name or email.split("@")[0], role=role, org_code=org,
                        password_hash=_password_hash(), created_at=self.rt.clock.now())
            uow.session.add(user)
            uow.commit()
            self._ids[email] = user.id  # type: ignore[assignment]
        return self._ids[email]

    def token(self, email: str) -> str:
        if email not in self._tokens:
            self._tokens[email] = people_service.issue_token(self.rt, self._ids[email])
        return self._tokens[email]

    def id(self, email: str) -> int:
        return self._ids[email]
