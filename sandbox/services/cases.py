"""Use cases on cases: file, edit, fire an action, read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from ..adapters import snapshots
from ..adapters.tables import AuditEvent, Case, Consultation, Organisation
from ..domain.calendar import KST
from ..domain.errors import Conflict, DomainError, Forbidden, Invalid
from ..domain.ids import MAX_ID
from ..engine import audit, door, timers
from ..engine.actors import Actor
from ..engine.gates import Unverified
from .case_data import validate_data
from .exceptions import subject_for
from .hooks.projects import check_district_reference, link_district_projects
from .runtime import Runtime
from .visibility import case_filter, consultation_filter, unchanged_and_visible, visible_case

__all__ = [
    "file_case", "update_case", "fire_action", "list_cases", "history", "EDITABLE", "check_list_filters",
    "known_states",
]

# States in which the filer may still change what it filed.
EDITABLE = ("draft", "supplement_requested", "modification_requested")
FILER_ROLES = {
    "district_designation": ("local_government", "secretariat"),
    "project_approval": ("applicant",),
    "rapid_confirmation": ("applicant",),
}
FEATURE_OF = {"district_designation": "districts", "rapid_confirmation": "rapid_confirmation"}


UNKNOWN_PROCESS = "알 수 없는 절차입니다. / One of: " + ", ".join(FILER_ROLES)


def file_case(rt: Runtime, actor: Actor, process: Any, data: Any) -> int:
    if process not in FILER_ROLES:
        raise Invalid.field("process", UNKNOWN_PROCESS)
    rules = rt.engine.rules(rt.rule_set)
    if process in FEATURE_OF and not rules.has(FEATURE_OF[process]):
        raise Invalid.field("process", f"{rules.code} 규칙에서는 할 수 없는 절차입니다. / "
                                       f"not available under the {rules.code} rule set")
    definition = rt.engine.registry.get(process)
    if actor.role not in definition.filer_roles:
        raise Forbidden(f"a {actor.role} may not file a {process}")
    clean = validate_data(process, data)
    now = rt.clock.now()
    _check_dates(clean, {}, now)
    with rt.uow() as uow:
        s = uow.session
        _check_references(s, actor, process, clean, rules)
        case = Case(
            process=process, definition_version=definition.version, rule_set=rules.code,
            state=definition.initial, data=clean, filer_user_id=actor.user_id,  # type: ignore[arg-type]
            filer_org=actor.org, local_government=clean.get("local_government"),
            district_id=clean.get("district_id"), created_at=now, updated_at=now,
        )
        s.add(case)
        s.flush()
        case.reference = f"SB-{now.astimezone(KST).year}-{case.id:06d}"
        if process == "district_designation":
            link_district_projects(s, case)
        s.flush()
        audit.append_event(
            s, case_id=case.id, at=now, actor=actor, action="file", tag="case:filed",  # type: ignore[arg-type]
            subject="case", from_state=None, to_state=case.state,
            payload={"process": process, "rule_set": rules.code, "data": clean},
        )
        timers.sync_timers(
            s, definition=definition, rules=rules, calendar=rt.engine.calendar, now=now,
            case_id=case.id, subject_type="case", subject_id=case.id,  # type: ignore[arg-type]
            old_state=None, new_state=case.state, payload={},
        )
        uow.commit()
        return case.id  # type: ignore[return-value]


def _check_dates(data: dict[str, Any], before: dict[str, Any], now: Any) -> None:
    """A designation's requested end lies ahead (checked when it is set or changed: a
    draft's other edits are not refused because its end has since passed)."""
    end = data.get("designation_end")
    if end and end != before.get("designation_end") and end <= now.astimezone(KST).date().isoformat():
        raise Invalid.field("data.designation_end",
                            "지정 종료일은 오늘 이후여야 합니다. / Must be a day after today.")


def _check_references(s: Any, actor: Actor, process: str, data: dict[str, Any], rules: Any) -> None:
    if process == "project_approval":
        check_district_reference(s, rules, data)
    lg = data.get("local_government")
    if lg is not None:
        org = s.get(Organisation, lg)
        if org is None or org.kind != "local_government":
            raise Invalid.field("data.local_government",
                                "알 수 없는 지방자치단체입니다. / Unknown local government code.")
        if actor.role == "local_government" and lg != actor.org:
            raise Invalid.field("data.local_government", "소속 지방자치단체의 지역에 대해서만 신청할 수 "
                                "있습니다. / You may file only for your own area.")
    for field in ("agencies", "regulating_agencies"):
        for code in data.get(field) or ():
            org = s.get(Organisation, code)
            if org is None or org.kind != "agency":
                raise Invalid.field(f"data.{field}",
                                    f"알 수 없는 기관입니다: {code} / Unknown agency code {code}.")


def update_case(rt: Runtime, actor: Actor, case_id: int, version: Any, data: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_ID:
        raise Invalid.field("version", "수정한 버전(version)이 필요합니다. / "
                                       "the version you edited is required")
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        case = visible_case(s, actor, case_id)
        definition = rt.engine.definition(case)
        if not (actor.role in definition.filer_roles and actor.org == case.filer_org):
            raise Forbidden("only the filer may edit a case")
        if case.state not in EDITABLE:
            raise Conflict(f"a case in '{case.state}' cannot be edited")
        clean = validate_data(case.process, {**case.data, **(data or {})})
        if clean == case.data:
            if version != case.version:
                raise Conflict("stale version: reload the case and apply your change again")
            return  # nothing changed: no new version, no event
        _check_dates(clean, case.data, now)
        _check_references(s, actor, case.process, clean, rt.engine.rules(case.rule_set))
        result = s.execute(
            update(Case)
            .where(Case.id == case.id, Case.version == version, Case.state.in_(EDITABLE))  # type: ignore[attr-defined]
            .values(data=clean, version=Case.version + 1, updated_at=now,
                    local_government=clean.get("local_government"),
                    district_id=clean.get("district_id"))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("stale version: reload the case and apply your change again")
        changed = sorted(k for k in clean if clean.get(k) != case.data.get(k))
        if case.process == "district_designation":
            link_district_projects(s, case, clean)
        audit.append_event(
            s, case_id=case.id, at=now, actor=actor, action="edit", tag="case:edited",  # type: ignore[arg-type]
            subject="case", from_state=case.state, to_state=case.state,
            payload={"changed": changed, "data": clean},
        )
        uow.commit()


def fire_action(
    rt: Runtime, actor: Actor, case_id: int, action: str, payload: dict[str, Any]
) -> None:
    version = payload.pop("version", None)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise Invalid.field("version", "정수여야 합니다. / must be an integer")
    # Lone: when the move is one statement it commits by itself (adapters.db.UnitOfWork).
    with rt.uow(lone=True) as uow:
        kept = snapshots.take(uow.session, Case, case_id, version) if version is not None else None
        if kept is not None and _fire_on_kept(rt, uow, actor, kept, action, payload, version):
            return
        case = visible_case(uow.session, actor, case_id)
        _fire_on(rt, uow, actor, case, action, payload, version)


def _fire_on_kept(rt: Runtime, uow: Any, actor: Actor, case: Case, action: str,
                  payload: dict[str, Any], version: int) -> bool:
    """Fire on the case as this process last saw it at the version the caller read, not
    reading it again; its move writes only if the row is still that one and the caller may
    see it (visibility.unchanged_and_visible). False if that could not be verified, or the
    action failed on the kept case: then nothing was written, and the caller reads the case
    and fires again (which answers as it would have answered at first)."""
    gate = unchanged_and_visible(actor, snapshots.stamp_of(case))  # type: ignore[arg-type]
    try:
        _fire_on(rt, uow, actor, case, action, dict(payload), version, gate)
    except (DomainError, Unverified):
        uow.rollback()
        uow.session.expunge_all()
        return False
    return True


def _fire_on(rt: Runtime, uow: Any, actor: Actor, case: Case, action: str,
             payload: dict[str, Any], version: int | None, gate: Any = None) -> None:
    # An approved plan's later actions belong to its special exception (its own version).
    subject = subject_for(uow.session, rt.engine, case, action)
    ctx = door.fire(uow.session, rt.engine, rt.clock.now(), actor, subject, action, payload,
                    expected_version=version, case=case, gate=gate, refuse_undeclared=True)
    if ctx.stamp is not None:  # moved in one statement: the next action need not read it
        snapshots.keep(uow.session, case, ctx.stamp, handed_over=True)
    else:
        snapshots.forget(uow.session, Case, case.id)
    uow.commit()


def list_cases(
    rt: Runtime, actor: Actor, *, process: str | None, state: str | None, page: int, per_page: int
) -> tuple[list[Case], int]:
    check_list_filters(rt, process, state, FILER_ROLES)
    with rt.uow() as uow:
        query = select(Case).where(case_filter(actor))
        if process:
            query = query.where(Case.process == process)
        if state:
            query = query.where(Case.state == state)
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.scalars(
            query.order_by(Case.id.desc()).offset((page - 1) * per_page).limit(per_page)  # type: ignore[union-attr]
        ).all()
        return list(rows), total


def known_states(registry: Any, processes: Any) -> list[str]:
    """Every state of these processes: what a list's ``state`` filter may name (a state of
    another process than the one filtered just finds nothing)."""
    return sorted({state for process in processes for state in registry.get(process).states})


def check_list_filters(rt: Runtime, process: str | None, state: str | None, processes: Any) -> None:
    """A filter naming no process or state there is, is a typing error, not an empty list."""
    if process and process not in processes:
        raise Invalid.field("process", "알 수 없는 절차입니다. / One of: " + ", ".join(sorted(processes)))
    known = known_states(rt.engine.registry, processes)
    if state and state not in known:
        raise Invalid.field("state", "알 수 없는 상태입니다. / One of: " + ", ".join(sorted(known)))


def history(rt: Runtime, actor: Actor, case_id: int) -> list[AuditEvent]:
    """The case's audit events as the caller may read them: an agency sees its own
    consultation's events, not another agency's reply, conditions or questions (it sees
    only its own consultations, as everywhere else)."""
    with rt.uow() as uow:
        s = uow.session
        visible_case(s, actor, case_id)
        consultations = s.scalars(select(Consultation.id).where(Consultation.case_id == case_id))
        readable = s.scalars(select(Consultation.id).where(
            Consultation.case_id == case_id, consultation_filter(actor)))
        hidden = {f"consultation:{c}" for c in set(consultations) - set(readable)}
        events = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq))
        return [event for event in events if event.subject not in hidden]


def get_case(rt: Runtime, actor: Actor, case_id: int) -> Case:
    with rt.uow() as uow:
        case = visible_case(uow.session, actor, case_id)
        snapshots.keep(uow.session, case)  # the caller's next action need not read it again
        return case
