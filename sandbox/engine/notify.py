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

from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ..adapters.tables import Consultation, Notification, User

__all__ = [
    "Message", "recipients", "send", "send_to", "who", "insert_select", "recipient_params",
    "message_params", "stash", "OUTBOX_KEY",
]

_USER = User.__table__  # type: ignore[attr-defined]
_NOTE = Notification.__table__  # type: ignore[attr-defined]
_COLUMNS = ("key", "user_id", "case_id", "kind", "subject_ko", "subject_en", "body_ko",
            "body_en", "created_at")
KEY_MAX = 200  # notification.key
SUBJECT_MAX = 300  # notification.subject_ko / subject_en

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


def who(relations: Iterable[str], case: Any, subject: Any) -> tuple[str, ...]:
    """The relations as the query shapes they need, for this case and subject."""
    shapes = []
    for relation in relations:
        if relation == "local_government":
            if case.local_government:
                shapes.append(relation)
        elif relation == "agency":
            one = subject is not None and getattr(subject, "agency", None)
            shapes.append("agency:subject" if one else "agency:case")
        elif relation in ("filer", "secretariat", "committee"):
            shapes.append(relation)
    return tuple(shapes)


def recipient_params(case: Any, subject: Any, filer_roles: tuple[str, ...]) -> dict[str, Any]:
    return {"w_filer_org": case.filer_org, "w_filer_roles": list(filer_roles),
            "w_lg": case.local_government, "w_agency": getattr(subject, "agency", None),
            "w_case": case.id}


def _condition(shapes: tuple[str, ...], dialect: str = "") -> Any:
    """Active users standing in any of the relations; parameters as ``recipient_params`` names them.

    On PostgreSQL the filer's roles are one array parameter: an expanding IN is re-rendered
    on every execution, which a statement compiled once (adapters.direct) cannot be.
    """
    u, b = _USER.c, bindparam
    conds = []
    for shape in shapes:
        if shape == "filer":
            roles = (u.role == any_(b("w_filer_roles", type_=postgresql.ARRAY(String(40))))
                     if dialect == "postgresql" else u.role.in_(b("w_filer_roles", expanding=True)))
            conds.append(and_(u.org_code == b("w_filer_org"), roles))
        elif shape == "secretariat":
            conds.append(u.role == "secretariat")
        elif shape == "local_government":
            conds.append(and_(u.role == "local_government", u.org_code == b("w_lg")))
        elif shape == "committee":
            conds.append(u.role == "committee_member")
        elif shape == "agency:subject":
            conds.append(and_(u.role == "agency", u.org_code == b("w_agency")))
        elif shape == "agency:case":
            agencies = select(Consultation.__table__.c.agency).where(  # type: ignore[attr-defined]
                Consultation.__table__.c.case_id == b("w_case", type_=Integer))  # type: ignore[attr-defined]
            conds.append(and_(u.role == "agency", u.org_code.in_(agencies)))
    return and_(u.active.is_(True), or_(false(), *conds))


# Statements built once per query shape (and dialect), so each call only binds values.
_RECIPIENTS: dict[tuple[str, ...], Any] = {}
_SEND_TO: dict[tuple[str, tuple[str, ...], bool], Any] = {}


def recipients(
    session: Session,
    relations: Iterable[str],
    *,
    case: Any,
    subject: Any = None,
    filer_roles: tuple[str, ...] = (),
) -> set[int]:
    shapes = who(relations, case, subject)
    if not shapes:
        return set()
    stmt = _RECIPIENTS.get(shapes)
    if stmt is None:
        stmt = _RECIPIENTS[shapes] = select(_USER.c.id).where(_condition(shapes))
    return set(session.scalars(stmt, recipient_params(case, subject, filer_roles)))


def _on_conflict(stmt: Any) -> Any:
    if hasattr(stmt, "on_conflict_do_nothing"):
        return stmt.on_conflict_do_nothing(index_elements=["key"])
    return stmt  # pragma: no cover


def message_params(cause: str, case_id: int | None, message: Message,
                    now: datetime) -> dict[str, Any]:
    return {"n_prefix": f"{cause}:u", "n_case": case_id, "n_kind": message.kind,
            "n_subject_ko": message.subject_ko[:SUBJECT_MAX],
            "n_subject_en": message.subject_en[:SUBJECT_MAX], "n_body_ko": message.body_ko,
            "n_body_en": message.body_en, "n_now": now}


def insert_select(
    dialect: str, shapes: tuple[str, ...], exclude: bool, gate: Any = None,
    case_id: Any = None, now: Any = None,
) -> Any:
    """INSERT ... SELECT of one notification per recipient (keys unique, retries harmless).

    Parameters as ``recipient_params`` and ``message_params`` name them, plus ``w_exclude``
    when ``exclude``. ``gate`` (a select) makes the rows depend on it returning a row;
    ``case_id`` and ``now`` replace the parameters of those names with other expressions.
    """
    u, b = _USER.c, bindparam
    where = _condition(shapes, dialect)
    if exclude:
        where = and_(where, u.id != b("w_exclude", type_=Integer))
    if gate is not None:
        where = and_(where, gate.exists())
    rows = select(
        func.substr(b("n_prefix", type_=String) + cast(u.id, String), literal_column("1"),
                    literal_column(str(KEY_MAX))),
        u.id, b("n_case", type_=Integer) if case_id is None else case_id,
        b("n_kind", type_=String), b("n_subject_ko", type_=String),
        b("n_subject_en", type_=String), b("n_body_ko", type_=String),
        b("n_body_en", type_=String),
        b("n_now", type_=_NOTE.c.created_at.type) if now is None else now,
        literal_column("'pending'", String), literal_column("0", Integer),
    ).where(where).order_by(u.id)
    base = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect, insert)(_NOTE)
    # The new rows' ids come back, to be published after commit (a retried cause adds none).
    return _on_conflict(base.from_select([*_COLUMNS, "mail_status", "mail_attempts"], rows)).returning(
        _NOTE.c.id)


def send_to(
    session: Session,
    relations: Iterable[str],
    *,
    case: Any,
    subject: Any = None,
    filer_roles: tuple[str, ...] = (),
    exclude: int | None = None,
    cause: str,
    case_id: int | None,
    message: Message,
    now: datetime,
) -> None:
    """``send`` to the ``recipients`` of the relations but ``exclude``: one INSERT ... SELECT."""
    shapes = who(relations, case, subject)
    if not shapes:
        return
    dialect = session.get_bind().dialect.name
    key = (dialect, shapes, exclude is not None)
    stmt = _SEND_TO.get(key)
    if stmt is None:
        stmt = _SEND_TO[key] = insert_select(dialect, shapes, exclude is not None)
    params = {**recipient_params(case, subject, filer_roles),
              **message_params(cause, case_id, message, now)}
    if exclude is not None:
        params["w_exclude"] = exclude
    stash(session, "notification", session.scalars(stmt, params).all())


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
            "key": f"{cause}:u{user_id}"[:KEY_MAX],
            "user_id": user_id,
            "case_id": case_id,
            "kind": message.kind,
            "subject_ko": message.subject_ko[:SUBJECT_MAX],
            "subject_en": message.subject_en[:SUBJECT_MAX],
            "body_ko": message.body_ko,
            "body_en": message.body_en,
            "created_at": now,
        }
        for user_id in sorted(set(users))
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    base = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect, insert)(_NOTE)
    # A row already there (a retried cause) returns no id and is not published again.
    ids = session.scalars(_on_conflict(base).returning(_NOTE.c.id), rows).all()
    stash(session, "notification", ids)
