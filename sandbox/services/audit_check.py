"""``audit verify``: walk every case's hash chain and name the first broken event."""

from __future__ import annotations

from sqlalchemy import select

from ..adapters.tables import AuditEvent, Case
from ..engine.audit import verify_case
from .runtime import Runtime

__all__ = ["verify_all"]


def verify_all(rt: Runtime) -> tuple[int, AuditEvent | None]:
    """(cases checked, the first broken event or None)."""
    checked = 0
    with rt.uow() as uow:
        case_ids = list(uow.session.scalars(select(Case.id).order_by(Case.id)))
        for case_id in case_ids:
            events = list(
                uow.session.scalars(
                    select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
                )
            )
            case = uow.session.get(Case, case_id)
            broken = verify_case(events)
            if broken is None and events and case is not None and case.audit_head != events[-1].hash:
                broken = events[-1]  # the chain was cut short after its last event
            checked += 1
            if broken is not None:
                return checked, broken
    return checked, None
