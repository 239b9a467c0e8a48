"""A consultation as the API shows it, with its reply deadline and the 90-day cap."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ..adapters.tables import Consultation, Timer

__all__ = ["consultation_dict"]


def consultation_dict(session: Session, c: Consultation) -> dict[str, Any]:
    timers = {
        t.kind: t
        for t in session.scalars(
            select(Timer)
            .where(Timer.subject_type == "consultation", Timer.subject_id == c.id,
                   Timer.parent_id.is_(None))  # type: ignore[union-attr]
            .order_by(Timer.id)
        )
    }
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
