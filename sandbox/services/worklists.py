"""Lists for people's pages: each visible case with what is asked of the caller and its
next deadline; the secretariat's queues; what the public may comment on.

Everything is read through the same visibility filters as the API, one page at a time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import col

from ..adapters.tables import AgendaItem, Case, Consultation, Timer
from ..engine.access import holds
from ..engine.actors import Actor
from ..engine.door import available_actions
from .case_views import case_summary
from .runtime import Runtime
from .visibility import case_filter

__all__ = [
    "case_rows", "upcoming_deadlines", "open_for_comment", "public_case", "committee_ready",
    "awaiting", "my_votes", "consultation_cases", "district_choices",
]


def _deadlines(s: Any, rt: Runtime, cases: list[Case]) -> dict[int, tuple[Timer, bool]]:
    """For a page of cases, each one's next pending deadline (its own or a consultation's
    or exception's), else, missed, the latest deadline of its current state that has
    already fired while the case stayed in it (an expiry that only flags, such as the local
    pre-review's, Act 49②): the deadline people still need to see, with "overdue" beside
    it, not a dash. Two queries for the page, not two per row."""
    if not cases:
        return {}
    found: dict[int, tuple[Timer, bool]] = {}
    pending = s.scalars(
        select(Timer).where(
            col(Timer.case_id).in_([c.id for c in cases]), col(Timer.status) == "pending",
            col(Timer.parent_id).is_(None),
        ).order_by(col(Timer.due_at), col(Timer.id))
    )
    for timer in pending:
        found.setdefault(timer.case_id, (timer, False))  # type: ignore[arg-type]
    own = {c.id: {t.kind for t in rt.engine.definition(c).timers if c.state in t.starts_in}
           for c in cases if c.id not in found}
    own = {case_id: kinds for case_id, kinds in own.items() if kinds}
    if own:
        fired = s.scalars(
            select(Timer).where(
                col(Timer.subject_type) == "case", col(Timer.subject_id).in_(list(own)),
                col(Timer.status) == "fired", col(Timer.parent_id).is_(None),
                col(Timer.kind).in_(sorted(set().union(*own.values()))),
            ).order_by(col(Timer.due_at).desc(), col(Timer.id).desc())
        )
        for timer in fired:
            if timer.kind in own[timer.subject_id]:
                found.setdefault(timer.subject_id, (timer, True))
    return found


def _row(s: Any, rt: Runtime, actor: Actor, case: Case, now: Any,
         deadline: tuple[Timer, bool] | None) -> dict[str, Any]:
    actions = available_actions(s, rt.engine, now, actor, case, case)
    definition = rt.engine.definition(case)
    return {
        **case_summary(case),
        "actions": actions,
        "asked": [a for a in actions if definition.asked(a)],
        "flags": dict(case.flags or {}),
        "next_deadline": None if deadline is None else {
            "kind": deadline[0].kind, "due_at": deadline[0].due_at, "last_day": deadline[0].last_day,
            "missed": deadline[1],
        },
    }


def _rows(s: Any, rt: Runtime, actor: Actor, cases: list[Case], now: Any) -> list[dict[str, Any]]:
    deadlines = _deadlines(s, rt, cases)
    return [_row(s, rt, actor, c, now, deadlines.get(c.id)) for c in cases]  # type: ignore[arg-type]


def case_rows(
    rt: Runtime, actor: Actor, *, process: str | None = None, state: str | None = None,
    page: int = 1, per_page: int = 20, states: tuple[str, ...] | None = None,
    district_id: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The caller's visible cases, newest first, with their actions and next deadline
    (``district_id``: the plans filed for that district)."""
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        query = select(Case).where(case_filter(actor))
        if process:
            query = query.where(col(Case.process) == process)
        if state:
            query = query.where(col(Case.state) == state)
        if states:
            query = query.where(col(Case.state).in_(states))
        if district_id is not None:
            query = query.where(col(Case.district_id) == district_id)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(
            query.order_by(col(Case.id).desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        listed = _rows(s, rt, actor, list(rows), now)
        asked = _asked_by_agencies(s, rt, actor, list(rows))
        for row in listed:
            row["asked"] += asked.get(row["id"], [])
        return listed, total


def _asked_by_agencies(s: Any, rt: Runtime, actor: Actor, cases: list[Case]) -> dict[int, list[str]]:
    """By case, what its consultations wait for from the caller as its filer (an agency's
    supplement questions, Act 49⑤), from the definitions' transitions for the filer (no
    state is named here). One query for the page."""
    mine = [c.id for c in cases if holds("filer", actor, c, None, rt.engine.definition(c).filer_roles)]
    waiting = {(d.process, source): t.trigger for d in rt.engine.registry.all()
               for t in d.transitions if "filer" in t.roles and not t.own_initiative
               for source in t.sources}
    if not mine:
        return {}
    rows = s.execute(select(Consultation.case_id, Consultation.process, Consultation.state).where(
        col(Consultation.case_id).in_(mine),
        col(Consultation.state).in_({state for _, state in waiting}))).all()
    asked: dict[int, set[str]] = {}
    for case_id, process, state in rows:
        if (process, state) in waiting:
            asked.setdefault(case_id, set()).add(waiting[(process, state)])
    return {case_id: sorted(triggers) for case_id, triggers in asked.items()}


def _in_states(pairs: set[tuple[str, str]]) -> Any:
    """A case in one of these (process, state) pairs; the plain state list lets the
    database use its index on the state."""
    return and_(col(Case.state).in_(sorted({state for _, state in pairs})),
                or_(*(and_(col(Case.process) == p, col(Case.state) == st) for p, st in sorted(pairs))))


def committee_ready(rt: Runtime, actor: Actor, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Tabled cases not yet on an undecided agenda item: the states from which the
    definitions let the committee decide (no state is named here). The oldest ``limit``
    of them, and how many there are."""
    states = {
        (d.process, source)
        for d in rt.engine.registry.all() for t in d.transitions if "committee" in t.roles
        for source in t.sources
    }
    with rt.uow() as uow:
        s = uow.session
        pending = select(col(AgendaItem.case_id)).where(col(AgendaItem.outcome).is_(None))
        query = select(Case).where(case_filter(actor), _in_states(states), col(Case.id).not_in(pending))
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(query.order_by(col(Case.updated_at)).limit(limit)).all()
        return [case_summary(c) for c in rows], total


def upcoming_deadlines(rt: Runtime, actor: Actor, days: int = 90, limit: int = 50) -> list[dict[str, Any]]:
    """Pending case deadlines within ``days`` (exceptions' ends among them), soonest first."""
    now = rt.clock.now()
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(Timer, Case).join(Case, col(Case.id) == col(Timer.case_id)).where(
                col(Timer.status) == "pending", col(Timer.parent_id).is_(None),
                col(Timer.subject_type) == "case", col(Timer.due_at) <= now + timedelta(days=days),
                case_filter(actor),
            ).order_by(col(Timer.due_at)).limit(limit)
        ).all()
        return [{"case": case_summary(c), "kind": t.kind, "due_at": t.due_at, "last_day": t.last_day}
                for t, c in rows]


def _open_timer(s: Any, case_id: int) -> Timer | None:
    return s.scalars(select(Timer).where(
        col(Timer.subject_type) == "case", col(Timer.subject_id) == case_id,
        col(Timer.kind) == "resident_opinion_end", col(Timer.status) == "pending",
    )).first()


def open_for_comment(rt: Runtime, limit: int = 100, page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """Districts in their resident-opinion period, with the period's last day (public),
    the soonest to close first, one page at a time, and how many there are."""
    with rt.uow() as uow:
        s = uow.session
        query = select(Case, Timer).join(Timer, col(Timer.subject_id) == col(Case.id)).where(
            col(Case.process) == "district_designation", col(Case.state) == "resident_opinion",
            col(Timer.subject_type) == "case", col(Timer.kind) == "resident_opinion_end",
            col(Timer.status) == "pending",
        )
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.execute(
            query.order_by(col(Timer.due_at), col(Case.id)).offset((page - 1) * limit).limit(limit)
        ).all()
        return [{**_public(c), "last_day": t.last_day} for c, t in rows], total


def _public(case: Case) -> dict[str, Any]:
    keep = ("name", "local_government", "area_description", "area_km2", "plan_summary")
    return {"id": case.id, "reference": case.reference, "state": case.state,
            "process": case.process, "data": {k: case.data.get(k) for k in keep}}


def public_case(rt: Runtime, case_id: int) -> dict[str, Any] | None:
    """A district open for comment, as the public sees it; None otherwise (404)."""
    with rt.uow() as uow:
        s = uow.session
        case = s.get(Case, case_id)
        if case is None or case.process != "district_designation" or case.state != "resident_opinion":
            return None
        timer = _open_timer(s, case.id)  # type: ignore[arg-type]
        if timer is None:
            return None
        return {**_public(case), "last_day": timer.last_day}


def consultation_cases(rt: Runtime, case_ids: list[int]) -> dict[int, str]:
    """Reference of each case (for lists of consultations)."""
    if not case_ids:
        return {}
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(col(Case.id), col(Case.reference), Case.data).where(col(Case.id).in_(case_ids))
        ).all()
        return {i: f"{ref} {(data or {}).get('name') or (data or {}).get('title') or ''}".strip()
                for i, ref, data in rows}



# Whether a case waits for the caller is known only once its actions' guards have run (in
# Python): candidates are read oldest first, a chunk at a time, and at most this many are
# looked at for one list, so the cost of a work page is bounded whatever the tables hold.
AWAITING_CHUNK, AWAITING_SCAN = 50, 300


def awaiting(
    rt: Runtime, actor: Actor, relation: str, *, limit: int = 20
) -> tuple[list[dict[str, Any]], bool]:
    """The oldest ``limit`` cases (oldest change first) that wait for ``relation``: in a
    state from which the definitions give it a transition someone waits for, which its
    guards allow now (a case whose consultations still run is not waiting for the
    secretariat, however long it has been), with the caller's actions; and whether there are
    more. No state is named here. A move on the caller's own initiative (lifting a
    designation, a correction order) is always open and waits for no one, so it puts no case
    on this list."""
    pairs = {
        (d.process, source)
        for d in rt.engine.registry.all() for t in d.transitions
        if relation in t.roles and not t.own_initiative
        for source in t.sources
    }
    if not pairs:
        return [], False
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        query = select(Case).where(
            case_filter(actor), _in_states(pairs)).order_by(col(Case.updated_at), col(Case.id))
        found: list[dict[str, Any]] = []
        scanned, exhausted = 0, False
        while len(found) <= limit and scanned < AWAITING_SCAN and not exhausted:
            chunk = list(s.scalars(query.offset(scanned).limit(AWAITING_CHUNK)))
            scanned += len(chunk)
            exhausted = len(chunk) < AWAITING_CHUNK
            found += [r for r in _rows(s, rt, actor, chunk, now) if r["asked"]]
        return found[:limit], len(found) > limit or not exhausted


def my_votes(rt: Runtime, actor: Actor, item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each item: the caller's vote and whether it recused (to show it back)."""
    from ..adapters.tables import Recusal, Vote

    out: dict[int, dict[str, Any]] = {i: {"choice": None, "recused": False} for i in item_ids}
    if not item_ids or actor.user_id is None:
        return out
    with rt.uow() as uow:
        s = uow.session
        for item_id, choice in s.execute(select(col(Vote.item_id), col(Vote.choice)).where(
                col(Vote.user_id) == actor.user_id, col(Vote.item_id).in_(item_ids))):
            out[item_id]["choice"] = choice
        for (item_id,) in s.execute(select(col(Recusal.item_id)).where(
                col(Recusal.user_id) == actor.user_id, col(Recusal.item_id).in_(item_ids))):
            out[item_id]["recused"] = True
    return out


def district_choices(rt: Runtime, local_government: str | None) -> list[dict[str, Any]]:
    """Districts a 2020 plan may name (DOMAIN 1, "combined filing"): those of the plan's
    local government that are designated or still on their way there. Names and states of
    districts are public (the register), so no visibility filter applies."""
    from .hooks.projects import DISTRICT_FAILED

    if not local_government:
        return []
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(col(Case.id), col(Case.reference), Case.data, col(Case.state)).where(
                col(Case.process) == "district_designation",
                col(Case.local_government) == local_government,
                col(Case.state).not_in(DISTRICT_FAILED),
            ).order_by(col(Case.id)).limit(200)
        ).all()
        return [{"id": i, "reference": ref, "name": (data or {}).get("name") or ref, "state": st}
                for i, ref, data, st in rows]
