"""Context builders for the issued documents: the facts each document freezes.

``workflows/documents.yaml`` names one of these per document. A builder runs inside the
transaction of the event, so the facts are those of the decision's instant; everything it
returns must be JSON (dates as ISO strings), since it is stored on the document row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ...adapters.tables import (
    AgendaItem,
    Case,
    Consultation,
    SpecialException,
    Timer,
)
from ...domain.calendar import KST
from ...engine.documents import DocumentSpec, Issue, context_builder
from ..exceptions import exception_dict

ACTIVE = ("pending", "paused")


def _party(code: str | None) -> dict[str, Any] | None:
    """An organisation by its code; its names are filled in at render time (``resolve``)."""
    return {"code": code} if code else None


def _deadlines(session: Session, subject_type: str, subject_id: int) -> dict[str, Any]:
    rows = session.scalars(
        select(Timer).where(
            col(Timer.subject_type) == subject_type, col(Timer.subject_id) == subject_id,
            col(Timer.status).in_(ACTIVE), col(Timer.parent_id).is_(None),
        )
    )
    return {t.kind: {"last_day": t.last_day.isoformat() if t.last_day else None,
                     "due_at": t.due_at.isoformat()} for t in rows}


def case_facts(case: Case, engine: Any) -> dict[str, Any]:
    """What every document about a case states: who, what, where, since when.

    Read from the case as loaded, without a query: the door runs this in every
    transition that issues a document. The parties are codes here and named at render
    time (services/documents.resolve_parties).
    """
    definition = engine.definition(case)
    return {
        "case_id": case.id,
        "reference": case.reference,
        "process": case.process,
        "process_title": dict(definition.title),
        "rule_set": case.rule_set,
        "state": case.state,
        "state_label": {"ko": definition.label(case.state, "ko"), "en": definition.label(case.state, "en")},
        "filed_at": case.created_at.isoformat(),
        "filer": {"code": case.filer_org, "user_id": case.filer_user_id},
        "local_government": _party(case.local_government),
        "data": dict(case.data or {}),
        "decision": dict(case.decision or {}),
    }


def _transition_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The case as the transition leaves it (it may not be written yet, see
    engine/combined.py), with what the transition was given and who gave it."""
    found = case_facts(facts["case"], facts["engine"])
    if facts["subject_type"] == "case":
        definition, state = facts["definition"], facts["to_state"]
        found["state"] = state
        found["state_label"] = {"ko": definition.label(state, "ko"), "en": definition.label(state, "en")}
    return {
        **found,
        "payload": {k: v for k, v in facts["payload"].items() if isinstance(v, str | int | float | list)},
        "from_state": facts["from_state"],
        "to_state": facts["to_state"],
        "actor": facts["actor"].label if hasattr(facts["actor"], "label") else None,
    }


@context_builder("case", pure=True)
def case_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    case = facts["case"]
    yield Issue(key=facts["cause"], case_id=case.id, facts=_transition_facts(facts))


@context_builder("supplement", pure=True)
def supplement_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """The items asked for and the day by which the answer is due (else the case lapses)."""
    case = facts["case"]
    found = _transition_facts(facts)
    found["items"] = facts["payload"].get("items")
    # The deadline this request started (a paused review clock is not the answer's).
    started = facts.get("started") or {}
    found["answer_by"] = min((day.isoformat() for day in started.values()), default=None)
    yield Issue(key=facts["cause"], case_id=case.id, facts=found)


@context_builder("consultation_requests")
def consultation_requests(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """One request per agency whose consultation this transition opened."""
    case = facts["case"]
    base = _transition_facts(facts)
    opened = session.scalars(
        select(Consultation).where(col(Consultation.case_id) == case.id, col(Consultation.opened_at) == now)
        .order_by(col(Consultation.id))
    ).all()
    for consultation in opened:
        deadlines = _deadlines(session, "consultation", consultation.id)  # type: ignore[arg-type]
        yield Issue(
            key=f"consultation:{consultation.id}", case_id=case.id, audience=consultation.agency,
            facts={**base, "consultation_id": consultation.id,
                   "agency": _party(consultation.agency),
                   "reply_by": (deadlines.get("reply_due") or {}).get("last_day"),
                   "reply_cap": (deadlines.get("reply_cap") or {}).get("last_day")},
        )


def _meeting_facts(meeting: Any) -> dict[str, Any]:
    return {"id": meeting.id, "title": meeting.title, "mode": meeting.mode,
            "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
            "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None}


def _item_facts(session: Session, item: AgendaItem) -> dict[str, Any]:
    case = session.get(Case, item.case_id)
    return {"id": item.id, "case_id": item.case_id, "reference": case.reference if case else None,
            "name": (case.data or {}).get("name") or (case.data or {}).get("title") if case else None,
            "process": case.process if case else None, "proposal": item.proposal,
            "conditions": list(item.conditions or []), "extension_months": item.extension_months}


@context_builder("agenda")
def agenda_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """The agenda of an opened meeting, filed on each case it deliberates."""
    meeting = facts["meeting"]
    items = [_item_facts(session, i) for i in facts["items"]]
    for item in items:
        case = session.get(Case, item["case_id"])
        assert case is not None
        yield Issue(key=f"m{meeting.id}:c{case.id}", case_id=case.id, facts={
            **case_facts(case, facts["engine"]), "meeting": _meeting_facts(meeting),
            "items": items, "this_item": item["id"], "members": facts.get("members", 0),
        })


@context_builder("resolution")
def resolution_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """The resolution on one agenda item with its full tally (Decree 26②)."""
    item, case = facts["item"], facts["case"]
    yield Issue(key=f"item:{item.id}", case_id=case.id, facts={
        **case_facts(case, facts["engine"]), "meeting": _meeting_facts(facts["meeting"]),
        "item": _item_facts(session, item), "outcome": facts["outcome"], "tally": dict(item.tally),
        "decided_at": now.isoformat(),
    })


@context_builder("decision", pure=True)
def decision_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """A decision taken by the committee: the resolution it rests on is on the case."""
    case = facts["case"]
    found = _transition_facts(facts)
    found["resolution"] = (case.decision or {}).get("resolution") or {}
    found["decided_on"] = now.astimezone(KST).date().isoformat()
    yield Issue(key=facts["cause"], case_id=case.id, facts=found)


# -- business plans, special exceptions, rapid confirmation ---------------------------------


def _exception_facts(session: Session, exception: SpecialException) -> dict[str, Any]:
    """The exception as it stands, with its running clocks and the last committee tally."""
    found = exception_dict(exception) or {}
    committee = (exception.record or {}).get("committee") or []
    found["last_resolution"] = committee[-1] if committee else {}
    found["deadlines"] = _deadlines(session, "exception", exception.id)  # type: ignore[arg-type]
    found["last_day"] = found.get("extended_until") or found.get("ends_on")
    return found


def _operator(case: Case) -> dict[str, Any]:
    operator = (case.data or {}).get("operator") or {}
    return {"name": operator.get("name"), "address": operator.get("address")}


@context_builder("approval")
def approval_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """The approval certificate (Decree 52⑥): only once the exception exists, which the
    ``grant_exception`` effect created in this same transaction (an approval waiting for
    its district issues the certificate when it takes effect)."""
    case = facts["case"]
    exception = session.scalars(
        select(SpecialException).where(col(SpecialException.case_id) == case.id)
    ).first()
    if exception is None:
        return
    found = _transition_facts(facts)
    found["resolution"] = (case.decision or {}).get("resolution") or {}
    found["exception"] = _exception_facts(session, exception)
    found["operator"] = _operator(case)
    yield Issue(key=f"case:{case.id}", case_id=case.id, facts=found)


@context_builder("exception")
def exception_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """A document about a special exception: the exception's facts after the transition."""
    case, exception = facts["case"], facts["subject"]
    if facts["subject_type"] != "exception":
        return
    found = _transition_facts(facts)
    found["exception"] = _exception_facts(session, exception)
    found["operator"] = _operator(case)
    found["decided_on"] = now.astimezone(KST).date().isoformat()
    yield Issue(key=facts["cause"], case_id=case.id, facts=found)


@context_builder("rapid_reply")
def rapid_reply_context(
    session: Session, facts: Mapping[str, Any], spec: DocumentSpec, now: datetime
) -> Iterable[Issue]:
    """One agency's answer to a rapid confirmation, given or deemed (Act 49-2③④); only that
    agency reads it besides the case's own readers."""
    case, consultation = facts["case"], facts["subject"]
    if facts["subject_type"] != "consultation":
        return
    found = _transition_facts(facts)
    found.update({
        "consultation_id": consultation.id, "agency": _party(consultation.agency),
        "position": consultation.position, "requirements": consultation.requirements,
        "comment": consultation.comment, "deemed": facts["to_state"] == "deemed",
        "requested_at": consultation.opened_at.isoformat() if consultation.opened_at else None,
        "answered_on": now.astimezone(KST).date().isoformat(),
    })
    yield Issue(key=f"consultation:{consultation.id}", case_id=case.id,
                audience=consultation.agency, facts=found)
