"""What anyone may read or do without signing in: the register and resident comments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..adapters.tables import Case, Comment, Timer
from ..domain.errors import Conflict, Invalid, NotFound
from ..engine import audit
from ..engine.actors import Actor
from .runtime import Runtime

__all__ = ["register_entries", "add_comment", "REGISTER_STATES"]

REGISTER_STATES = {
    "district_designation": ("designated", "lifted"),
}


def register_entries(rt: Runtime) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    with rt.uow() as uow:
        for process, states in REGISTER_STATES.items():
            rows = uow.session.scalars(
                select(Case).where(Case.process == process, Case.state.in_(states))  # type: ignore[attr-defined]
                .order_by(Case.id)
            )
            entries.extend(_district_entry(c) for c in rows)
    return entries


def _district_entry(case: Case) -> dict[str, Any]:
    resolution = (case.decision or {}).get("resolution") or {}
    decided = resolution.get("decided_at")
    return {
        "id": case.id,
        "reference": case.reference,
        "kind": "district",
        "name": case.data.get("name"),
        "operator": case.data.get("local_government"),
        "local_government": case.local_government,
        "area": case.data.get("area_description"),
        "area_km2": case.data.get("area_km2"),
        "approval_date": decided[:10] if decided else None,
        "start_date": decided[:10] if decided else None,
        "end_date": case.data.get("designation_end"),
        "conditions": resolution.get("conditions") or [],
        "exceptions": [],
        "lead_agency": "MOLIT",
        "regulating_agencies": [],
        "status": case.state,
    }


def add_comment(rt: Runtime, case_id: int, name: Any, body: Any) -> int:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        errors["name"] = ["이름을 100자 이내로 입력하세요. / A name of at most 100 characters."]
    if not isinstance(body, str) or not 1 <= len(body.strip()) <= 5000:
        errors["body"] = ["의견을 5000자 이내로 입력하세요. / An opinion of at most 5000 characters."]
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        case = s.get(Case, case_id)
        if case is None or case.process != "district_designation" or case.state != "resident_opinion":
            raise NotFound("no district is open for resident opinion under this id")
        still_open = s.scalars(
            select(Timer.id).where(
                Timer.subject_type == "case", Timer.subject_id == case.id,
                Timer.kind == "resident_opinion_end", Timer.status == "pending",
            )
        ).first()
        if still_open is None:
            raise Conflict("the resident opinion period has ended")
        if errors:
            raise Invalid(errors)
        comment = Comment(case_id=case.id, name=name.strip(), body=body.strip(), created_at=now)  # type: ignore[arg-type]
        s.add(comment)
        s.flush()
        audit.append_event(
            s, case_id=case.id, at=now, actor=Actor(None, "public", "-", f"resident: {comment.name}"),  # type: ignore[arg-type]
            action="comment", tag="case:resident_opinion:commented", subject=f"comment:{comment.id}",
            from_state=case.state, to_state=case.state,
            payload={"name": comment.name, "body": comment.body},
        )
        uow.commit()
        return comment.id  # type: ignore[return-value]
