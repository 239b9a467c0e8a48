"""A consultation as the API shows it, with its reply deadline and the 90-day cap."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ..adapters.tables import Consultation, Timer

__all__ = ["consultation_dict", "consultation_dicts"]


def consultation_dict(session: Session, c: Consultation) -> dict[str, Any]:
    return consultation_dicts(session, [c])[0]


def consultation_dicts(session: Session, consultations: list[Consultation]) -> list[dict[str, Any]]:
    """Each consultation with its deadlines, read in one query for the whole list."""
    timers: dict[int, dict[str, Timer]] = {c.id: {} for c in consultations}  # type: ignore[misc]
    if consultations:
        for t in session.scalars(
            select(Timer)
            .where(Timer.subject_type == "consultation",
                   col(Timer.subject_id).in_(list(timers)), col(Timer.parent_id).is_(None))
            .order_by(Timer.id)
        ):
            timers[t.subject_id][t.kind] = t  # the newest of a kind wins, as before
    return [_as_dict(c, timers[c.id]) for c in consultations]  # type: ignore[index]


def _as_dict(c: Consultation, timers: dict[str, Timer]) -> dict[str, Any]:
    due, cap = timers.get("reply_due"), timers.get("reply_cap")
    due_at = due.due_at if due else None
    if due_at and cap and cap.due_at < due_at:
        due_at = cap.due_at  # never past the cap (Act 49⑤)
    return {
        "id": c.id,
        "case_id": c.case_id,
        "agency": c.agency,
        "state": c.state,
        "version": c.version,
        "opened_at": c.opened_at.isoformat(),
        "due_at": due_at.isoformat() if due_at else None,
        "hard_due_at": cap.due_at.isoformat() if cap else None,
        "paused": bool(due and due.status == "paused"),
        "extended": c.extended,
        "extension_days": c.extension_days,
        "position": c.position,
        "comment": c.comment,
        "conditions": c.conditions,
        "requirements": c.requirements,
        "questions": c.questions,
        "answer": c.answer,
        "replied_at": c.replied_at.isoformat() if c.replied_at else None,
    }
