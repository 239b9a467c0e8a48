"""Every object query is filtered by the caller (ARCHITECTURE rule 7).

A case the caller may not see is reported exactly like an absent one (404).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, and_, bindparam, exists, select, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from ..adapters.direct import DirectLoad
from ..adapters.snapshots import stamp_column
from ..adapters.tables import AgendaItem, Case, Consultation
from ..domain.errors import NotFound
from ..engine.actors import Actor
from ..engine.gates import Gate

__all__ = ["case_filter", "visible_case", "consultation_filter", "visible_consultation", "DRAFT",
           "unchanged_and_visible"]

# Where every case process starts (each definition's ``initial``; tests/unit/test_definitions).
DRAFT = "draft"


def case_filter(actor: Actor) -> ColumnElement[bool]:
    return _case_filter(actor.role, actor.org)


def _case_filter(role: str, org: Any) -> ColumnElement[bool]:
    """The cases a role of organisation ``org`` (a value, or a bound parameter) may see."""
    if role == "secretariat":
        # Every case once filed; a draft is its filer's own until it is submitted.
        return (Case.state != DRAFT) | (Case.filer_org == org)  # type: ignore[return-value]
    if role == "applicant":
        return Case.filer_org == org  # type: ignore[return-value]
    if role == "local_government":
        # A case in its area once it is filed; an applicant's draft is the applicant's own.
        return (Case.filer_org == org) | (  # type: ignore[return-value]
            (Case.local_government == org) & (Case.state != DRAFT))
    if role == "agency":
        return exists().where(Consultation.case_id == Case.id, Consultation.agency == org)
    if role == "committee_member":
        return exists().where(AgendaItem.case_id == Case.id)
    return Case.id.is_(None)  # type: ignore[union-attr]


# Every action loads its case through here (services.cases.fire_action): on PostgreSQL the
# query is compiled once per role and run on the driver (adapters.direct).
_VISIBLE: dict[str, DirectLoad] = {}


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        load = _VISIBLE.get(actor.role)
        if load is None:
            condition = and_(Case.id == bindparam("v_case", type_=Integer),  # type: ignore[arg-type]
                             _case_filter(actor.role, bindparam("v_org", type_=String)))
            load = _VISIBLE[actor.role] = DirectLoad(Case, condition, dialect)
        case = load.one(session, {"v_case": case_id, "v_org": actor.org})
    else:
        case = session.scalars(select(Case).where(Case.id == case_id, case_filter(actor))).first()
    if case is None:
        raise NotFound("no such case")
    return case


def unchanged_and_visible(actor: Actor, stamp: int) -> Gate:
    """The gate of a move on a case kept from before instead of read (adapters.snapshots):
    the row must still be the one kept, and the caller must still be allowed to see it."""
    return Gate(("visible", actor.role), lambda: _unchanged_and_visible(actor.role),
                {"g_stamp": stamp, "g_org": actor.org})


def _unchanged_and_visible(role: str) -> ColumnElement[bool]:
    return and_(stamp_column(Case.__table__) == bindparam("g_stamp", type_=BigInteger),  # type: ignore[attr-defined]
                _case_filter(role, bindparam("g_org", type_=String)))


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
