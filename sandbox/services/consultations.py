"""Use cases on agency consultations (협의, Act 49④⑤): read, reply, supplement, extend.

Each action is one unit of work: find the consultation through the caller's visibility
filter (404 when it is not theirs), fire the transition through the one door (403 role,
409 state or guard, 422 payload) and commit. The door, the definition
(``workflows/consultation.yaml``) and its effects do the rest: pausing the reply clock
while the applicant supplements, moving deadlines on an extension, notifying.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import col

from ..adapters.tables import Consultation, Timer
from ..domain.errors import Invalid
from ..engine import door
from ..engine.actors import Actor
from .cases import check_list_filters
from .consultation_views import consultation_dict, consultation_dicts
from .runtime import Runtime
from .visibility import consultation_filter, visible_consultation

__all__ = [
    "list_consultations",
    "get_consultation",
    "reply",
    "request_supplement",
    "answer_supplement",
    "extend",
]


# The processes a consultation row runs (Consultation.process): plan and district
# consultations, and rapid confirmation's (Act 49-2).
CONSULTATION_PROCESSES = ("consultation", "rapid_consultation")


def list_consultations(
    rt: Runtime, actor: Actor, state: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[dict[str, Any]], int]:
    """The caller's consultations (an agency: its own; the secretariat: all; a filer: those
    on its cases), one page at a time, with the total: those still running first, soonest
    deadline first (an overdue one, which may still be answered, at the top), then the
    settled ones, newest first, so years of answered requests never push today's work
    off the first page."""
    settled = sorted(set().union(*(rt.engine.registry.get(p).final for p in CONSULTATION_PROCESSES)))
    is_settled = col(Consultation.state).in_(settled)
    # The effective deadline: the earlier of the reply deadline and the 90-day cap. Read
    # only for the running ones (a CASE evaluates it only there), not for every row.
    due = (
        select(func.min(Timer.due_at))
        .where(
            col(Timer.subject_type) == "consultation",
            col(Timer.subject_id) == col(Consultation.id),
            col(Timer.parent_id).is_(None),
        )
        .correlate(Consultation)
        .scalar_subquery()
    )
    check_list_filters(rt, None, state, CONSULTATION_PROCESSES)
    with rt.uow() as uow:
        s = uow.session
        query = select(Consultation).where(consultation_filter(actor))
        if state:
            query = query.where(col(Consultation.state) == state)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        running_first = case((is_settled, 2), (due.is_(None), 1), else_=0)
        soonest = case((is_settled, None), else_=due)
        newest_settled = case((is_settled, -col(Consultation.id)), else_=col(Consultation.id))
        rows = s.scalars(
            query.order_by(running_first, soonest, newest_settled)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        return consultation_dicts(s, list(rows)), total


def get_consultation(rt: Runtime, actor: Actor, consultation_id: int) -> dict[str, Any]:
    with rt.uow() as uow:
        consultation = visible_consultation(uow.session, actor, consultation_id)
        return consultation_dict(uow.session, consultation)


def reply(rt: Runtime, actor: Actor, consultation_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """The agency's written opinion; the position rules live in the ``record_reply`` effect."""
    return _fire(rt, actor, consultation_id, "reply", payload)


def request_supplement(
    rt: Runtime, actor: Actor, consultation_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """The agency asks the filer for material; its reply clock stops (Act 49⑤)."""
    return _fire(rt, actor, consultation_id, "request_supplement", payload)


def answer_supplement(
    rt: Runtime, actor: Actor, consultation_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """The filer answers; the reply clock resumes, moved by the days spent supplementing."""
    return _fire(rt, actor, consultation_id, "answer_supplement", payload)


def extend(rt: Runtime, actor: Actor, consultation_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """The agency's one extension of its reply period (the rule set's limit, 30 days)."""
    return _fire(rt, actor, consultation_id, "extend", payload)


def _fire(
    rt: Runtime, actor: Actor, consultation_id: int, action: str, payload: dict[str, Any]
) -> dict[str, Any]:
    payload = dict(payload)
    version = payload.pop("version", None)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise Invalid.field("version", "정수여야 합니다. / must be an integer")
    with rt.uow() as uow:
        consultation = visible_consultation(uow.session, actor, consultation_id)
        door.fire(uow.session, rt.engine, rt.clock.now(), actor, consultation, action, payload,
                  expected_version=version)
        uow.commit()
    # Read back in a fresh unit of work: the door writes with bulk UPDATEs.
    return get_consultation(rt, actor, consultation_id)
