"""The case as the API shows it: data, the caller's actions, deadlines, consultations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..adapters.tables import Case, Consultation, Timer
from ..engine.actors import Actor
from ..engine.door import available_actions
from .consultation_views import consultation_dicts
from .exceptions import exception_dict, exception_of
from .runtime import Runtime
from .visibility import consultation_filter, visible_case

__all__ = ["describe_case", "case_summary"]


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "process": case.process,
        "rule_set": case.rule_set,
        "state": case.state,
        "version": case.version,
        "title": case.data.get("name") or case.data.get("title"),
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def describe_case(rt: Runtime, actor: Actor, case_id: int) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        case = visible_case(s, actor, case_id)
        # The case's own deadlines and those of its special exception (not consultations').
        deadlines = s.scalars(
            select(Timer)
            .where(Timer.case_id == case.id, Timer.subject_type.in_(("case", "exception")),  # type: ignore[attr-defined]
                   Timer.parent_id.is_(None))  # type: ignore[union-attr]
            .order_by(Timer.id)
        ).all()
        exception = exception_of(s, case.id)  # type: ignore[arg-type]
        actions = available_actions(s, rt.engine, now, actor, case, case)
        if exception is not None:
            actions += available_actions(s, rt.engine, now, actor, exception, case)
        consultations = s.scalars(
            select(Consultation)
            .where(Consultation.case_id == case.id, consultation_filter(actor))
            .order_by(Consultation.id)
        ).all()
        return {
            **case_summary(case),
            "data": case.data,
            "local_government": case.local_government,
            "filer_org": case.filer_org,
            "decision": case.decision or {},
            "flags": case.flags or {},
            "actions": actions,
            "deadlines": [
                {"kind": t.kind, "due_at": t.due_at.isoformat(),
                 "last_day": t.last_day.isoformat() if t.last_day else None, "status": t.status}
                for t in deadlines
            ],
            "consultations": consultation_dicts(s, list(consultations)),
            "exception": exception_dict(exception),
        }
