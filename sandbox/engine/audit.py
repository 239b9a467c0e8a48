"""Append-only, hash-chained audit trail, one chain per case (ARCHITECTURE rule 8).

Each event stores the digest of its payload and the hash of the case's previous event; the
case row holds the chain's head, updated under the row lock, so concurrent appends on one
case are serialised and ``audit verify`` can name the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from ..adapters.tables import AuditEvent, Case
from .actors import Actor

__all__ = [
    "append_event", "canonical", "digest", "event_hash", "new_event", "insert_event",
    "keep_head", "verify_case", "ChainHead", "NewEvent", "GENESIS",
]

GENESIS = "0" * 64

# Built once, on the tables (plain Core: no ORM bulk-persistence path, cache key memoised).
_CASE = Case.__table__  # type: ignore[attr-defined]
_LOCK_HEAD = (
    select(_CASE.c.audit_seq, _CASE.c.audit_head)
    .where(_CASE.c.id == bindparam("case_id"))
    .with_for_update()
)
_SET_HEAD = (
    update(_CASE)
    .where(_CASE.c.id == bindparam("case_id"))
    .values(audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"))
)
# The same, only if the head is still the one this transaction read with the case.
_SET_HEAD_IF = _SET_HEAD.where(_CASE.c.audit_seq == bindparam("old_seq"))
_INSERT_EVENT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


def event_hash(fields: dict[str, Any]) -> str:
    return digest({k: fields[k] for k in sorted(_HASHED)})


_HASHED = (
    "case_id", "seq", "at", "actor_user_id", "actor_label", "action", "tag", "subject",
    "from_state", "to_state", "payload_digest", "prev_hash",
)


def _at(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class NewEvent:
    """An event ready to insert: its hashed fields, the instant, the payload and the hash."""

    fields: dict[str, Any]
    at: datetime
    payload: dict[str, Any]
    hash: str

    @property
    def seq(self) -> int:
        return int(self.fields["seq"])


def new_event(
    head: ChainHead,
    *,
    case_id: int,
    at: datetime,
    actor: Actor,
    action: str,
    tag: str,
    subject: str,
    from_state: str | None,
    to_state: str | None,
    payload: dict[str, Any],
) -> NewEvent:
    """The event that follows ``head``; nothing is written."""
    fields = {
        "case_id": case_id,
        "seq": head.seq + 1,
        "at": _at(at),
        "actor_user_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "tag": tag,
        "subject": subject,
        "from_state": from_state,
        "to_state": to_state,
        "payload_digest": digest(payload),
        "prev_hash": head.hash or GENESIS,
    }
    return NewEvent(fields, at, payload, event_hash(fields))


def insert_event(session: Session, event: NewEvent) -> None:
    """Insert the event row; the caller has already moved the case's head to it."""
    session.execute(
        _INSERT_EVENT, {**event.fields, "at": event.at, "payload": event.payload, "hash": event.hash}
    )


def append_event(
    session: Session,
    *,
    case_id: int,
    at: datetime,
    actor: Actor,
    action: str,
    tag: str,
    subject: str,
    from_state: str | None,
    to_state: str | None,
    payload: dict[str, Any],
    head: ChainHead | None = None,
    case: Case | None = None,
) -> str:
    """Append one event and move the case's chain head to it.

    ``head`` is given when the caller already holds the case row lock. Given the loaded
    ``case`` instead, its head is tried first with a conditional UPDATE (which takes the
    row lock); only if another transaction moved the chain meanwhile is the row locked and
    read again. Either way appends to one case are serialised by its row lock.
    """
    kwargs = {
        "case_id": case_id, "at": at, "actor": actor, "action": action, "tag": tag,
        "subject": subject, "from_state": from_state, "to_state": to_state, "payload": payload,
    }
    event = None
    if head is None and case is not None:
        guess = ChainHead(case.audit_seq, case.audit_head or GENESIS)
        event = new_event(guess, **kwargs)  # type: ignore[arg-type]
        moved = session.execute(_SET_HEAD_IF, {
            "case_id": case_id, "old_seq": guess.seq, "new_seq": event.seq,
            "new_head": event.hash,
        }).rowcount  # type: ignore[attr-defined]
        if moved != 1:
            event = None
    if event is None:
        if head is None:
            row = session.execute(_LOCK_HEAD, {"case_id": case_id}).one()
            head = ChainHead(row.audit_seq, row.audit_head or GENESIS)
        event = new_event(head, **kwargs)  # type: ignore[arg-type]
        session.execute(
            _SET_HEAD, {"case_id": case_id, "new_seq": event.seq, "new_head": event.hash}
        )
    insert_event(session, event)
    if case is not None:
        keep_head(case, event)
    return event.hash


def keep_head(case: Case, event: NewEvent) -> None:
    """Keep the loaded case in step with the head just written, without marking it dirty."""
    set_committed_value(case, "audit_seq", event.seq)
    set_committed_value(case, "audit_head", event.hash)


def verify_case(events: list[AuditEvent]) -> AuditEvent | None:
    """The first event whose link or content does not match, or None if the chain holds."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        fields = {k: getattr(event, k) for k in _HASHED}
        fields["at"] = _at(event.at)
        if (
            event.seq != expected_seq
            or event.prev_hash != prev
            or event.payload_digest != digest(event.payload)
            or event.hash != event_hash(fields)
        ):
            return event
        prev = event.hash
    return None
