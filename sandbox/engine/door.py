"""The one door: every state change of a case or a consultation goes through ``fire``.

In one transaction it checks the caller's relation to the case (403), that the action is
possible now (409) and its guards hold (409), validates the payload (422), writes the new
state with an optimistic version check (409 when someone was faster), runs the effects,
appends the audit event, starts, pauses or cancels timers and writes notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session
from transitions import MachineError

from ..adapters.tables import Case, Consultation, Organisation, SpecialException
from ..domain.errors import Conflict, Forbidden, NotFound
from ..domain.rules import RuleSet
from . import audit, combined, documents, notify, timers
from .access import holds
from .actors import Actor
from .definitions import Definition, TransitionDef
from .gates import Gate, Unverified, gated
from .hooks import EFFECTS, GUARDS
from .messages import transition_message
from .payload import clean_payload
from .runtime import Engine

__all__ = ["FireContext", "fire", "SUBJECT_TABLES", "SUBJECT_TYPES", "available_actions"]

# What the door may move: a case, and the sub-processes that hang off one.
SUBJECT_TABLES: dict[str, Any] = {
    "case": Case, "consultation": Consultation, "exception": SpecialException,
}
SUBJECT_TYPES = {table: name for name, table in SUBJECT_TABLES.items()}


def _state_write(model: Any) -> Any:
    """The conditional UPDATE that is the state change, built once on the table (Core)."""
    t = model.__table__
    return (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version", type_=Integer),
               t.c.state == bindparam("b_from"))
        .values(state=bindparam("b_to"), version=bindparam("b_version", type_=Integer) + 1,
                updated_at=bindparam("b_now", type_=t.c.updated_at.type))
    )


_WRITE = {name: _state_write(model) for name, model in SUBJECT_TABLES.items()}
_CASE = Case.__table__  # type: ignore[attr-defined]
# A case transition without effects moves its state and its audit chain's head in one
# UPDATE, on condition that the head is still the one read with the case.
_WRITE_WITH_HEAD = _WRITE["case"].where(_CASE.c.audit_seq == bindparam("b_seq")).values(
    audit_seq=bindparam("b_new_seq"), audit_head=bindparam("b_head")
)


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
    # Work an effect defers until this transition's event is recorded: a transition it
    # causes (a case moving on when its last answer comes in) is then audited after its cause.
    then: list[Callable[[], Any]] = field(default_factory=list)
    # The deadlines this transition started, with their last days (documents state them).
    started: dict[str, date] = field(default_factory=dict)
    # The running deadlines an effect moved (an extension), with their new last days.
    moved: dict[str, date] = field(default_factory=dict)
    # A further condition of the move, when the case was not read this time (engine/gates).
    gate: Gate | None = None
    # The case row's stamp as the one-statement move left it (adapters.snapshots).
    stamp: int | None = None

    @property
    def rules(self) -> RuleSet:
        return self.engine.rules(self.case.rule_set)

    @property
    def unnotified(self) -> int | None:
        """Who is not told of this transition: the one who fired it, but for a filing."""
        return None if self.transition.receipt else self.actor.user_id


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
    gate: Gate | None = None,
    refuse_undeclared: bool = False,
) -> FireContext:
    subject_type = SUBJECT_TYPES[type(subject)]
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
        clean = clean_payload(transition.payload, raw, is_agency,
                              refuse_undeclared=refuse_undeclared)
        ctx = FireContext(
            session, engine, now, actor, case, subject, subject_type, definition, transition,
            clean, raw, subject.state, transition.dest_from(subject.state), gate=gate,
        )
        reason = next((r for g in transition.guards if (r := GUARDS[g](ctx))), None)
        if reason is None:
            break
        reasons.append(reason)
    else:
        raise Conflict(reasons[0])
    _drive(definition, ctx)
    if subject_type == "case" and not transition.effects:
        event_hash, finished = _write_with_event(ctx)
        if finished:  # written in one statement: timers, notifications, documents
            return ctx
    else:
        if gate is not None:
            raise Unverified("only a case's move without effects carries a gate")
        _write(ctx)
        for name in transition.effects:
            EFFECTS[name](ctx)
        event_hash = _append_event(ctx)
    _timers_and_notifications(ctx, event_hash)
    for deferred in ctx.then:
        deferred()
    return ctx


def _drive(definition: Definition, ctx: FireContext) -> None:
    token = definition.token()
    definition.machine().set_state(ctx.from_state, model=token)
    try:
        token.trigger(ctx.transition.trigger, ctx.to_state)  # type: ignore[attr-defined]
    except MachineError as exc:  # pragma: no cover - candidates() already checked
        raise Conflict(str(exc)) from exc
    ctx.to_state = token.state


def _write_params(ctx: FireContext) -> dict[str, Any]:
    return {"b_id": ctx.subject.id, "b_version": ctx.subject.version, "b_from": ctx.from_state,
            "b_to": ctx.to_state, "b_now": ctx.now}


def _write(ctx: FireContext) -> None:
    result = ctx.session.execute(_WRITE[ctx.subject_type], _write_params(ctx))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the case changed meanwhile; reload it and try again")
    _keep_state(ctx)


def _keep_state(ctx: FireContext) -> None:
    """Keep the loaded object in step without marking it dirty: the UPDATE is the write."""
    set_committed_value(ctx.subject, "state", ctx.to_state)
    set_committed_value(ctx.subject, "version", ctx.subject.version + 1)
    set_committed_value(ctx.subject, "updated_at", ctx.now)


def _event_fields(ctx: FireContext) -> dict[str, Any]:
    if ctx.subject_type == "case":
        subject, tag = "case", f"case:{ctx.transition.trigger}"
    else:
        subject = f"{ctx.subject_type}:{ctx.subject.id}"
        tag = f"case:{ctx.subject_type}:{ctx.transition.trigger}"
    return {
        "case_id": ctx.case.id, "at": ctx.now, "actor": ctx.actor,
        "action": ctx.transition.trigger, "tag": tag, "subject": subject,
        "from_state": ctx.from_state, "to_state": ctx.to_state,
        "payload": {**ctx.payload, **ctx.audit_extra},
    }


def _write_with_event(ctx: FireContext) -> tuple[str, bool]:
    """State, version and chain head in one UPDATE, then the event row (no effects ran).

    On PostgreSQL the timers and notifications go in the same statement when they can
    (see ``combined``); then it says so: only the documents are left to do.
    """
    case = ctx.case
    head = audit.ChainHead(case.audit_seq, case.audit_head or audit.GENESIS)
    event = audit.new_event(head, **_event_fields(ctx))
    params = {**_write_params(ctx), "b_seq": head.seq, "b_new_seq": event.seq,
              "b_head": event.hash}
    write = _WRITE_WITH_HEAD
    if ctx.gate is not None:
        write, params = gated(write, ctx.gate), {**params, **ctx.gate.params}
    outcome = combined.move_case(ctx, write, params, event)
    if ctx.gate is not None and outcome != "done":
        raise Unverified(f"the gated move was {outcome}")
    if outcome == "unfit":
        written = ctx.session.execute(_WRITE_WITH_HEAD, params).rowcount == 1  # type: ignore[attr-defined]
        if written:
            audit.insert_event(ctx.session, event)
    else:
        written = outcome == "done"
    if not written:
        # Someone was faster (the plain write says 409), or only the chain moved (a
        # comment, an agenda placement): then append under the row lock the write took.
        _write(ctx)
        return _append_event(ctx), False
    _keep_state(ctx)
    audit.keep_head(case, event)
    return event.hash, outcome == "done"


def _append_event(ctx: FireContext) -> str:
    return audit.append_event(ctx.session, case=ctx.case, **_event_fields(ctx))


def _timers_and_notifications(ctx: FireContext, event_hash: str) -> None:
    ctx.started = timers.sync_timers(
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
        trigger=ctx.transition.trigger,
    )
    # The documents this transition issues (workflows/documents.yaml), rendered after commit.
    documents.on_transition(ctx.session, ctx, cause=f"ev:{event_hash[:32]}")
    if ctx.transition.notify:
        notify.send_to(
            ctx.session, ctx.transition.notify, case=ctx.case,
            subject=ctx.subject if ctx.subject_type != "case" else None,
            filer_roles=ctx.engine.definition(ctx.case).filer_roles,
            exclude=ctx.unnotified, cause=f"ev:{event_hash[:32]}", case_id=ctx.case.id,
            message=transition_message(ctx), now=ctx.now,
        )


def available_actions(
    session: Session, engine: Engine, now: datetime, actor: Actor, subject: Any, case: Case
) -> list[str]:
    """The actions the actor may fire on the subject now (role, state and guards hold)."""
    definition = engine.definition(subject)
    roles = definition.filer_roles or engine.definition(case).filer_roles
    subject_type = SUBJECT_TYPES[type(subject)]
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
