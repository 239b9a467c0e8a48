"""Fixtures of the PostgreSQL move tests (lone units of work, kept cases): a second
connection to look from, and the people who fire the moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine

from sandbox.engine import audit
from sandbox.engine.actors import Actor
from tests.support.people import People

__all__ = ["actors", "other", "note_on"]


@pytest.fixture
def other(postgres_only_url: str) -> Iterator[Any]:
    """A second connection, outside the app's pool: it sees only what is committed."""
    engine = create_engine("postgresql+psycopg://" + postgres_only_url.split("://", 1)[1])
    yield engine
    engine.dispose()


@pytest.fixture
def actors(pg_app: Any) -> dict[str, Actor]:
    """The people these tests need, as the engine sees them (on the PostgreSQL app)."""
    people = People(pg_app.extensions["sandbox"])

    def actor(email: str, role: str, org: str) -> Actor:
        return Actor(people.user(email, role, org, email.split("@")[0]), role, org, email)

    return {"filer": actor("lg@sejong.go.kr", "local_government", "sejong"),
            "secretariat": actor("sec@molit.go.kr", "secretariat", "MOLIT"),
            "stranger": actor("lg@busan.go.kr", "local_government", "busan")}


def note_on(rt: Any, case_id: int, actor: Actor) -> None:
    """Someone's note on a submitted case, committed on its own: the case's audit chain moves,
    its state and version do not."""
    with rt.uow() as side:
        audit.append_event(side.session, case_id=case_id, at=rt.clock.now(), actor=actor,
                           action="note", tag="case:note", subject="case",
                           from_state="submitted", to_state="submitted", payload={"text": "검토 중"})
        side.commit()
