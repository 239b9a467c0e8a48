"""Notifications into the outbox, in the transaction that caused them (ARCHITECTURE rule 4).

Recipients are named by relation (``filer``, ``secretariat``, ``agency``…) in the
definitions; this module turns a relation into users. Each row has a unique key built from
the cause and the recipient, so a retried cause never notifies twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ..adapters.tables import Consultation, Notification, User

__all__ = ["Message", "recipients", "send", "stash", "OUTBOX_KEY"]

# New outbox rows of a session, published to the delivery side once it commits
# (adapters/publisher.py listens for the commit).
OUTBOX_KEY = "sandbox.outbox"


def stash(session: Session, kind: str, ids: Iterable[int]) -> None:
    """Remember outbox rows written in this transaction, to be published after commit."""
    session.info.setdefault(OUTBOX_KEY, []).extend((kind, i) for i in ids)


@dataclass(frozen=True)
class Message:
    kind: str
    subject_ko: str
    subject_en: str
    body_ko: str
    body_en: str


def recipients(
    session: Session,
    relations: Iterable[str],
    *,
    case: Any,
    subject: Any = None,
    filer_roles: tuple[str, ...] = (),
) -> set[int]:
    users: set[int] = set()
    active = User.active == True  # noqa: E712
    for relation in relations:
        query = None
        if relation == "filer":
            query = select(User.id).where(
                User.org_code == case.filer_org, User.role.in_(filer_roles), active  # type: ignore[attr-defined]
            )
        elif relation == "secretariat":
            query = select(User.id).where(User.role == "secretariat", active)
        elif relation == "local_government" and case.local_government:
            query = select(User.id).where(
                User.role == "local_government", User.org_code == case.local_government, active
            )
        elif relation == "committee":
            query = select(User.id).where(User.role == "committee_member", active)
        elif relation == "agency":
            if subject is not None and getattr(subject, "agency", None):
                agencies = [subject.agency]
            else:
                agencies = list(
                    session.scalars(
                        select(Consultation.agency).where(Consultation.case_id == case.id)
                    )
                )
            query = select(User.id).where(
                User.role == "agency", User.org_code.in_(agencies), active  # type: ignore[attr-defined]
            )
        if query is not None:
            users.update(session.scalars(query))
    return users


def send(
    session: Session,
    *,
    users: Iterable[int],
    cause: str,
    case_id: int | None,
    message: Message,
    now: datetime,
) -> None:
    rows: list[dict[str, Any]] = [
        {
            "key": f"{cause}:u{user_id}"[:200],
            "user_id": user_id,
            "case_id": case_id,
            "kind": message.kind,
            "subject_ko": message.subject_ko[:300],
            "subject_en": message.subject_en[:300],
            "body_ko": message.body_ko,
            "body_en": message.body_en,
            "created_at": now,
        }
        for user_id in sorted(set(users))
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(Notification).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite_insert(Notification).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(Notification)
    # A row already there (a retried cause) returns no id and is not published again.
    ids = session.scalars(stmt.returning(Notification.id), rows).all()
    stash(session, "notification", ids)
