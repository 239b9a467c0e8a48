"""The one door: every state change of a case or a consultation goes through ``fire``.

In one transaction it checks the caller's relation to the case (403), that the action is
possible now (409) and its guards hold (409), validates the payload (422), writes the new
state with an optimistic version check (409 when someone was faster), runs the effects,
appends the audit event, starts, pauses or cancels timers and writes notifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session
from transitions import MachineError

from ..adapters.tables import Case, Consultation, Organisation
from ..domain.errors import Conflict, Forbidden, NotFound
from ..domain.rules import RuleSet
from . import audit, documents, notify, timers
from .access import holds
from .actors import Actor
from .definitions import Definition, TransitionDef
from .hooks import EFFECTS, GUARDS
from .messages import transition_message
from .payload import clean_payload
from .runtime import Engine

__all__ = ["FireContext", "fire", "SUBJECT_TABLES"]

SUBJECT_TABLES: dict[str, Any] = {"case": Case, "consultation": Consultation}


@dataclass
class FireContext:
    session: Session
    engine: Engine
    now: datetime
    actor: Actor
    case: Case
    subject: Any
    subject_type: str
    definition: Definition
    transition: TransitionDef
    payload: dict[str, Any]
    raw_payload: dict[str, Any]
    from_state: str
    to_state: str
    # Effects may add facts to the audit event (a deemed answer's legal ground, say).
    audit_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rules(self) -> RuleSet:
        return self.engine.rules(self.case.rule_set)


class _Token:
    """The plain object ``transitions`` drives (never the SQLModel row, see ARCHITECTURE)."""

    state: str


def fire(
    session: Session,
    engine: Engine,
    now: datetime,
    actor: Actor,
    subject: Any,
    action: str,
    payload: dict[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    case: Case | None = None,
) -> FireContext:
    subject_type = "case" if isinstance(subject, Case) else "consultation"
    definition = engine.definition(subject)
    if action not in definition.triggers:
        raise NotFound(f"'{action}' is not an action of {definition.process}")
    if case is None:
        case = subject if subject_type == "case" else session.get(Case, subject.case_id)
    assert case is not None
    roles = definition.filer_roles or engine.definition(case).filer_roles

    def may(relations: tuple[str, ...] | frozenset[str]) -> bool:
        return any(holds(r, actor, case, subject, roles) for r in relations)

    if not may(definition.roles_for(action)):
        raise Forbidden(f"your role may not '{action}'")
    candidates = [t for t in definition.candidates(action, subject.state) if may(t.roles)]
    if not candidates:
        raise Conflict(f"'{action}' is not allowed while {subject_type} is '{subject.state}'")
    if expected_version is not None and expected_version != subject.version:
        raise Conflict(f"stale version {expected_version}; the current version is {subject.version}")

    def is_agency(code: str) -> bool:
        org = session.get(Organisation, code)
        return org is not None and org.kind == "agency"

    raw = dict(payload or {})
    reasons = []
    for transition in candidates:
        clean = clean_payload(transition.payload, raw, is_agency)
        ctx = FireContext(
            session, engine, now, actor, case, subject, subject_type, definition, transition,
            clean, raw, subject.state, transition.dest_from(subject.state),
        )
        reason = next((r for g in transition.guards if (r := GUARDS[g](ctx))), None)
        if reason is None:
            break
        reasons.append(reason)
    else:
        raise Conflict(reasons[0])
    _drive(definition, ctx)
    _write(ctx)
    for name in transition.effects:
        EFFECTS[name](ctx)
    _record(ctx)
    return ctx


def _drive(definition: Definition, ctx: FireContext) -> None:
    machine = definition.machine()
    token = _Token()
    machine.add_model(token, initial=ctx.from_state)
    try:
        token.trigger(ctx.transition.trigger)  # type: ignore[attr-defined]
    except MachineError as exc:  # pragma: no cover - candidates() already checked
        raise Conflict(str(exc)) from exc
    finally:
        machine.remove_model(token)
    ctx.to_state = token.state


def _write(ctx: FireContext) -> None:
    table = SUBJECT_TABLES[ctx.subject_type]
    result = ctx.session.execute(
        update(table)
        .where(
            table.id == ctx.subject.id,
            table.version == ctx.subject.version,
            table.state == ctx.from_state,
        )
        .values(state=ctx.to_state, version=ctx.subject.version + 1, updated_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the case changed meanwhile; reload it and try again")
    # Keep the loaded object in step without marking it dirty: the UPDATE above is the write.
    set_committed_value(ctx.subject, "state", ctx.to_state)
    set_committed_value(ctx.subject, "version", ctx.subject.version + 1)
    set_committed_value(ctx.subject, "updated_at", ctx.now)


def _record(ctx: FireContext) -> None:
    subject_label = "case" if ctx.subject_type == "case" else f"consultation:{ctx.subject.id}"
    tag = f"case:{ctx.transition.trigger}" if ctx.subject_type == "case" else (
        f"case:consultation:{ctx.transition.trigger}"
    )
    audit_payload = {**ctx.payload, **ctx.audit_extra}
    event_hash = audit.append_event(
        ctx.session,
        case_id=ctx.case.id,  # type: ignore[arg-type]
        at=ctx.now,
        actor=ctx.actor,
        action=ctx.transition.trigger,
        tag=tag,
        subject=subject_label,
        from_state=ctx.from_state,
        to_state=ctx.to_state,
        payload=audit_payload,
    )
    timers.sync_timers(
        ctx.session,
        definition=ctx.definition,
        rules=ctx.rules,
        calendar=ctx.engine.calendar,
        now=ctx.now,
        case_id=ctx.case.id,  # type: ignore[arg-type]
        subject_type=ctx.subject_type,
        subject_id=ctx.subject.id,
        old_state=ctx.from_state,
        new_state=ctx.to_state,
        payload=ctx.payload,
    )
    # The documents this transition issues (workflows/documents.yaml), rendered after commit.
    documents.on_transition(ctx.session, ctx, cause=f"ev:{event_hash[:32]}")
    if ctx.transition.notify:
        filer_roles = ctx.engine.definition(ctx.case).filer_roles
        users = notify.recipients(
            ctx.session, ctx.transition.notify, case=ctx.case,
            subject=ctx.subject if ctx.subject_type != "case" else None, filer_roles=filer_roles,
        )
        users.discard(ctx.actor.user_id)  # type: ignore[arg-type]
        notify.send(
            ctx.session, users=users, cause=f"ev:{event_hash[:32]}", case_id=ctx.case.id,
            message=transition_message(ctx), now=ctx.now,
        )


def available_actions(
    session: Session, engine: Engine, now: datetime, actor: Actor, subject: Any, case: Case
) -> list[str]:
    """The actions the actor may fire on the subject now (role, state and guards hold)."""
    definition = engine.definition(subject)
    roles = definition.filer_roles or engine.definition(case).filer_roles
    subject_type = "case" if isinstance(subject, Case) else "consultation"
    names = []
    for transition in definition.transitions:
        if subject.state not in transition.sources or transition.trigger in names:
            continue
        if not any(holds(r, actor, case, subject, roles) for r in transition.roles):
            continue
        ctx = FireContext(
            session, engine, now, actor, case, subject, subject_type, definition, transition,
            {}, {}, subject.state, transition.dest_from(subject.state),
        )
        if all(GUARDS[g](ctx) is None for g in transition.guards):
            names.append(transition.trigger)
    return names
