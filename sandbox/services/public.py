"""What anyone may read or do without signing in: the register and resident comments."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlmodel import col

from ..adapters.tables import Case, Comment, Organisation, SpecialException, Timer
from ..domain.calendar import KST
from ..domain.errors import Conflict, Invalid, NotFound, TooMany
from ..engine import audit
from ..engine.actors import RESIDENT, Actor
from .runtime import Runtime

__all__ = ["RegisterFilter", "register_entries", "register_entry", "register_page", "register_options",
           "add_comment", "comment_source", "REGISTER_STATES", "NAME_MAX", "BODY_MAX",
           "COMMENTS_PER_SOURCE"]

# A resident comment's limits (characters, after trimming); openapi.json states them too.
NAME_MAX, BODY_MAX = 100, 5000
# Comments one source (one client address) may send in a window, to all districts together.
COMMENTS_PER_SOURCE, COMMENT_WINDOW = 10, timedelta(hours=1)

DISTRICT_PROJECTS_SHOWN = 100  # a district holds a handful; the register's list has them all

REGISTER_STATES = {
    "district_designation": ("designated", "lifted"),
}


@dataclass(frozen=True)
class RegisterFilter:
    """What a reader of the register picked: a kind (district, project), a status, a local
    government, words to look for in the name, operator, area or reference."""

    kind: str = ""
    status: str = ""
    local_government: str = ""
    q: str = ""


def register_entries(rt: Runtime, chosen: RegisterFilter = RegisterFilter()) -> list[dict[str, Any]]:
    """Every entry the filter selects: districts, then projects, each by case id."""
    with rt.uow() as uow:
        names = _org_names(uow.session)
        districts, projects = _register_queries(uow.session, chosen, names)
        in_districts = uow.session.scalars(districts.order_by(col(Case.id)))
        in_projects = uow.session.execute(projects.order_by(col(Case.id)))
        return ([_district_entry(c, names) for c in in_districts]
                + [_project_entry(c, e, names) for c, e in in_projects])


def register_entry(rt: Runtime, case_id: int) -> dict[str, Any]:
    """One entry of the register, by its case's id; NotFound for any case the register does
    not hold (a draft, a filing under review, a rejected one), as for one that does not exist."""
    with rt.uow() as uow:
        s = uow.session
        names = _org_names(s)
        districts, projects = _register_queries(s, RegisterFilter(), names)
        district = s.scalars(districts.where(col(Case.id) == case_id)).first()
        if district is not None:
            # The approved projects in the district, as the register lists them.
            inside = s.execute(projects.where(Case.data["district_id"].as_integer() == case_id)
                               .order_by(col(Case.id)).limit(DISTRICT_PROJECTS_SHOWN))
            return {**_district_entry(district, names),
                    "projects": [_project_entry(c, e, names) for c, e in inside]}
        project = s.execute(projects.where(col(Case.id) == case_id)).first()
        if project is not None:
            return _project_entry(project[0], project[1], names)
    raise NotFound("no such entry in the register")


def register_page(
    rt: Runtime, chosen: RegisterFilter, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the entries the filter selects, in the same order, and their total: the
    database filters, counts and slices, so a page costs the same however long the register."""
    with rt.uow() as uow:
        s = uow.session
        names = _org_names(s)
        districts, projects = _register_queries(s, chosen, names)
        n_districts = s.scalar(select(func.count()).select_from(districts.subquery())) or 0
        n_projects = s.scalar(select(func.count()).select_from(projects.subquery())) or 0
        start = (page - 1) * per_page
        rows = [_district_entry(c, names) for c in s.scalars(
            districts.order_by(col(Case.id)).offset(start).limit(per_page))] if start < n_districts else []
        if len(rows) < per_page:
            rest = projects.order_by(col(Case.id)).offset(max(0, start - n_districts))
            rows += [_project_entry(c, e, names) for c, e in s.execute(rest.limit(per_page - len(rows)))]
        return rows, n_districts + n_projects


def register_options(rt: Runtime) -> dict[str, list[str]]:
    """What the filters may pick: the kinds, statuses (``kind:status``) and local
    governments that the register holds."""
    with rt.uow() as uow:
        s = uow.session
        districts, projects = _register_queries(s, RegisterFilter(), {})
        district_states = s.scalars(districts.with_only_columns(col(Case.state)).distinct()).all()
        project_states = s.scalars(projects.with_only_columns(col(SpecialException.state)).distinct()).all()
        governments = {*s.scalars(districts.with_only_columns(col(Case.local_government)).distinct()),
                       *s.scalars(projects.with_only_columns(col(Case.local_government)).distinct())}
    return {
        "kind": [k for k, present in (("district", district_states), ("project", project_states)) if present],
        "status": sorted({*(f"district:{x}" for x in district_states),
                          *(f"project:{x}" for x in project_states)}),
        "local_government": sorted(g for g in governments if g),
    }


def _register_queries(session: Any, chosen: RegisterFilter, names: dict[str, str]) -> tuple[Any, Any]:
    """The districts' and the projects' selects, with the filter applied in SQL."""
    districts = select(Case).where(or_(*(
        and_(col(Case.process) == process, col(Case.state).in_(states))
        for process, states in REGISTER_STATES.items())))
    projects = select(Case, SpecialException).join(
        SpecialException, col(SpecialException.case_id) == col(Case.id))
    if chosen.kind not in ("", "district"):
        districts = districts.where(false())
    if chosen.kind not in ("", "project"):
        projects = projects.where(false())
    if chosen.status:
        districts = districts.where(col(Case.state) == chosen.status)
        projects = projects.where(col(SpecialException.state) == chosen.status)
    if chosen.local_government:
        districts = districts.where(col(Case.local_government) == chosen.local_government)
        projects = projects.where(col(Case.local_government) == chosen.local_government)
    if chosen.q:
        # As the page shows them: a district's operator is its local government, a
        # project's area is the local government's name.
        words = chosen.q
        named = [code for code, name in names.items() if words.lower() in name.lower()]
        reference = col(Case.reference).icontains(words, autoescape=True)
        by_government = col(Case.local_government).in_(named)
        districts = districts.where(or_(
            reference, by_government, Case.data["name"].as_string().icontains(words, autoescape=True),
            Case.data["area_description"].as_string().icontains(words, autoescape=True)))
        projects = projects.where(or_(
            reference, by_government, Case.data["title"].as_string().icontains(words, autoescape=True),
            Case.data[("operator", "name")].as_string().icontains(words, autoescape=True)))
    return districts, projects


def _org_names(session: Any) -> dict[str, str]:
    return {o.code: o.name_ko for o in session.scalars(select(Organisation))}


# The exception's state as the register's status (DOMAIN "The public register").
KIND_LABELS = {"innovation": "스마트혁신사업 / innovation", "demonstration": "스마트실증사업 / demonstration"}


def _project_entry(case: Case, exception: SpecialException, names: dict[str, str]) -> dict[str, Any]:
    """An approved project as real registers publish it: operator, kind, exceptions with
    their target articles, conditions, period (or "until the law is amended"), status."""
    operator = case.data.get("operator") or {}
    if exception.deemed_extension:
        end = "법령 정비 시까지 / until the law is amended"
    else:
        last = exception.extended_until or exception.ends_on
        end = last.isoformat() if last else None
    return {
        "id": case.id,
        "reference": case.reference,
        "kind": "project",
        "project_kind": exception.kind,
        "exception_type": KIND_LABELS.get(exception.kind, exception.kind),
        "name": case.data.get("title"),
        "operator": operator.get("name"),
        "operator_address": operator.get("address"),
        "local_government": case.local_government,
        "area": names.get(case.local_government or "", case.local_government),
        "area_km2": None,
        "approval_date": exception.approved_on.isoformat(),
        "start_date": exception.started_on.isoformat() if exception.started_on else None,
        "end_date": end,
        "extended": exception.extension_used,
        "conditions": list(exception.conditions or []),
        "exceptions": list(exception.exceptions or []),
        "lead_agency": "MOLIT",
        "regulating_agencies": list(case.data.get("regulating_agencies") or []),
        "status": exception.state,
    }


def _seoul_day(instant: str | None) -> str | None:
    """The day an instant (ISO 8601, stored in UTC) falls on in Seoul: a resolution at
    00:30 KST is of that day, not of the UTC day before (DOMAIN: all times Asia/Seoul)."""
    return datetime.fromisoformat(instant).astimezone(KST).date().isoformat() if instant else None


def _district_entry(case: Case, names: dict[str, str]) -> dict[str, Any]:
    resolution = (case.decision or {}).get("resolution") or {}
    decided = _seoul_day(resolution.get("decided_at"))
    return {
        "id": case.id,
        "reference": case.reference,
        "kind": "district",
        "name": case.data.get("name"),
        "operator": names.get(case.local_government or "", case.local_government),
        "local_government": case.local_government,
        "area": case.data.get("area_description"),
        "area_km2": case.data.get("area_km2"),
        "approval_date": decided,
        "start_date": decided,
        "end_date": case.data.get("designation_end"),
        "conditions": resolution.get("conditions") or [],
        "exceptions": [],
        "lead_agency": "MOLIT",
        "regulating_agencies": [],
        "status": case.state,
    }


def comment_source(address: str, key: str) -> str:
    """The client's address as the comments keep it: a keyed digest, the same for one
    address under one secret key, and not the address (a resident's personal data)."""
    return hmac.new(key.encode(), (address or "-").encode(), hashlib.sha256).hexdigest()[:32]


def add_comment(rt: Runtime, case_id: int, name: Any, body: Any, source: str | None = None) -> int:
    """A resident's opinion, attached to the district's file and its audit chain. Anyone may
    comment without signing in, so one ``source`` (``comment_source``) is held to
    ``COMMENTS_PER_SOURCE`` in ``COMMENT_WINDOW``: a flood would bury the file the committee
    reads."""
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = ["이름을 입력하세요. / Enter your name."]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = ["이름은 100자 이내로 입력하세요. / A name of at most 100 characters."]
    if not isinstance(body, str) or not body.strip():
        errors["body"] = ["의견을 입력하세요. / Enter your opinion."]
    elif len(body.strip()) > BODY_MAX:
        errors["body"] = ["의견은 5000자 이내로 입력하세요. / An opinion of at most 5000 characters."]
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
        if source is not None:
            recent = s.scalar(select(func.count()).where(
                col(Comment.source) == source, col(Comment.created_at) > now - COMMENT_WINDOW)) or 0
            if recent >= COMMENTS_PER_SOURCE:
                raise TooMany("의견이 너무 많이 접수되었습니다. 한 시간 뒤에 다시 보내 주세요. / "
                              f"Too many opinions from your address (at most {COMMENTS_PER_SOURCE} "
                              "an hour); try again in an hour.")
        comment = Comment(case_id=case.id, name=name.strip(), body=body.strip(), created_at=now,  # type: ignore[arg-type]
                          source=source)
        s.add(comment)
        s.flush()
        audit.append_event(
            s, case_id=case.id, at=now, actor=Actor(None, "public", "-", f"{RESIDENT}{comment.name}"),  # type: ignore[arg-type]
            action="comment", tag="case:resident_opinion:commented", subject=f"comment:{comment.id}",
            from_state=case.state, to_state=case.state,
            payload={"name": comment.name, "body": comment.body},
        )
        uow.commit()
        return comment.id  # type: ignore[return-value]
