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

from sqlalchemy import insert, select, update
from sqlmodel import Session

from ..adapters.tables import AuditEvent, Case
from .actors import Actor

__all__ = ["append_event", "canonical", "digest", "event_hash", "verify_case", "ChainHead"]

GENESIS = "0" * 64


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
) -> str:
    """Append one event; ``head`` is given when the caller already holds the case row lock."""
    if head is None:
        row = session.execute(
            select(Case.audit_seq, Case.audit_head).where(Case.id == case_id).with_for_update()
        ).one()
        head = ChainHead(row.audit_seq, row.audit_head or GENESIS)
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
    new_hash = event_hash(fields)
    session.execute(
        update(Case).where(Case.id == case_id).values(audit_seq=head.seq + 1, audit_head=new_hash)
    )
    session.execute(
        insert(AuditEvent).values(**{**fields, "at": at, "payload": payload, "hash": new_hash})
    )
    return new_hash


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
