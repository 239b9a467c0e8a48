"""Every object query is filtered by the caller (ARCHITECTURE rule 7).

A case the caller may not see is reported exactly like an absent one (404).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from ..adapters.tables import AgendaItem, Case, Consultation
from ..domain.errors import NotFound
from ..engine.actors import Actor

__all__ = ["case_filter", "visible_case", "consultation_filter", "visible_consultation"]


def case_filter(actor: Actor) -> ColumnElement[bool]:
    role = actor.role
    if role == "secretariat":
        return true()
    if role == "applicant":
        return Case.filer_org == actor.org  # type: ignore[return-value]
    if role == "local_government":
        return (Case.local_government == actor.org) | (Case.filer_org == actor.org)  # type: ignore[return-value]
    if role == "agency":
        return exists().where(Consultation.case_id == Case.id, Consultation.agency == actor.org)
    if role == "committee_member":
        return exists().where(AgendaItem.case_id == Case.id)
    return Case.id.is_(None)  # type: ignore[union-attr]


def visible_case(session: Session, actor: Actor, case_id: int, *, lock: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id, case_filter(actor))
    case = session.scalars(query).first()
    if case is None:
        raise NotFound("no such case")
    return case


def consultation_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.role == "secretariat":
        return true()
    if actor.role == "agency":
        return Consultation.agency == actor.org  # type: ignore[return-value]
    # The filer sees the consultations on its own case (to answer supplement requests).
    return exists().where(Case.id == Consultation.case_id, case_filter(actor))


def visible_consultation(session: Session, actor: Actor, consultation_id: int) -> Any:
    consultation = session.scalars(
        select(Consultation).where(
            Consultation.id == consultation_id, consultation_filter(actor)
        )
    ).first()
    if consultation is None:
        raise NotFound("no such consultation")
    return consultation
