"""The special exception of an approved plan: opened on approval, shown on its case.

The exception is a subject of its own (``workflows/special_exception.yaml``) hanging off
the plan's case, like a consultation: the case keeps ``approved`` while the exception lives
its life, and actions posted to the case go to whichever of the two knows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ..adapters.tables import Case, SpecialException, Timer
from ..domain.calendar import KST
from ..engine import timers
from ..engine.runtime import Engine

__all__ = ["open_exception", "exception_of", "exception_dict", "subject_for", "committee_subject"]


def open_exception(
    session: Session, engine: Engine, now: datetime, case: Case, resolution: dict[str, Any]
) -> SpecialException:
    """Create the exception in its initial state and start its clocks: the 4-year term from
    today, the effective day (Act 51②, 53-3①), and the one-year start deadline (Act 52⑤4)."""
    definition = engine.registry.get("special_exception")
    today = now.astimezone(KST).date()
    decided = resolution.get("decided_at")
    exception = SpecialException(
        case_id=case.id,  # type: ignore[arg-type]
        definition_version=definition.version,
        state=definition.initial,
        kind=case.data["kind"],
        approved_on=datetime.fromisoformat(decided).astimezone(KST).date() if decided else today,
        effective_on=today,
        conditions=list(resolution.get("conditions") or []),
        exceptions=list(case.data.get("requested_exceptions") or []),
        record={},
        flags={},
        created_at=now,
        updated_at=now,
    )
    session.add(exception)
    session.flush()
    timers.sync_timers(
        session, definition=definition, rules=engine.rules(case.rule_set), calendar=engine.calendar,
        now=now, case_id=case.id, subject_type="exception", subject_id=exception.id,  # type: ignore[arg-type]
        old_state=None, new_state=exception.state, payload={},
    )
    exception.ends_on = term_last_day(session, exception)
    session.add(exception)
    return exception


def term_last_day(session: Session, exception: SpecialException) -> Any:
    return session.scalars(
        select(Timer.last_day).where(
            Timer.subject_type == "exception", Timer.subject_id == exception.id,
            Timer.kind == "term_end", Timer.parent_id.is_(None),  # type: ignore[union-attr]
        ).order_by(Timer.id.desc())  # type: ignore[union-attr]
    ).first()


def exception_of(session: Session, case_id: int, *, lock: bool = False) -> SpecialException | None:
    query = select(SpecialException).where(SpecialException.case_id == case_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def subject_for(session: Session, engine: Engine, case: Case, action: str) -> Any:
    """The case, or its exception when the action is one of the exception's."""
    if case.process == "project_approval":
        exception = exception_of(session, case.id)  # type: ignore[arg-type]
        if exception is not None and action in engine.definition(exception).triggers:
            return exception
    return case


def committee_subject(session: Session, engine: Engine, case: Case, proposal: str) -> Any:
    """What an agenda item on this case decides: the case, or its exception (an extension
    or a revocation), whichever the committee may move with ``proposal`` now."""
    subjects: list[Any] = [case]
    exception = exception_of(session, case.id) if case.process == "project_approval" else None  # type: ignore[arg-type]
    if exception is not None:
        subjects.insert(0, exception)
    for subject in subjects:
        candidates = engine.definition(subject).candidates(proposal, subject.state)
        if any("committee" in t.roles for t in candidates):
            return subject
    return None


def exception_dict(exception: SpecialException | None) -> dict[str, Any] | None:
    if exception is None:
        return None

    def day(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": exception.id,
        "state": exception.state,
        "version": exception.version,
        "kind": exception.kind,
        "approved_on": day(exception.approved_on),
        "starts_on": day(exception.effective_on),
        "started_on": day(exception.started_on),
        "ends_on": day(exception.ends_on),
        "extended_until": day(exception.extended_until),
        "extension_used": exception.extension_used,
        "extension_months": exception.extension_months,
        "deemed_extension": exception.deemed_extension,
        "conditions": exception.conditions,
        "exceptions": exception.exceptions,
        "insurance": exception.record.get("insurance"),
        "correction": exception.record.get("correction"),
        "revocation": exception.record.get("revocation"),
        "incidents": exception.record.get("incidents", []),
        "results_report": exception.record.get("results_report"),
        "law_amendment": exception.record.get("law_amendment"),
        "flags": exception.flags,
    }
