"""The sweep: fire every due timer exactly once, through the one door.

Due rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two sweeps share the
work instead of repeating it) and by a conditional UPDATE everywhere, and each is marked
fired in the transaction that fires it: a crash before commit fires nothing, and nothing
fires twice (ARCHITECTURE rule 3).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from ..adapters.tables import Case, Timer
from ..domain.errors import DomainError
from ..engine import door, notify
from ..engine.actors import SYSTEM
from ..engine.messages import case_name, deadline_message
from .committee_reminders import remind_voters
from .runtime import Runtime

__all__ = ["fire_due_timers", "MAX_ATTEMPTS"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SUBJECTS: dict[str, Any] = door.SUBJECT_TABLES

_T = Timer.__table__  # type: ignore[attr-defined]
# Core statements built once: the ORM-enabled UPDATE synchronised the session, evaluating
# its WHERE against every timer loaded in the batch (quadratic in the batch size).
_CLAIM = (update(_T).where(_T.c.id == bindparam("t_id"), _T.c.status == "pending")
          .values(status="fired", fired_at=bindparam("t_now", type_=_T.c.fired_at.type)))
_CASE = Case.__table__  # type: ignore[attr-defined]
_LOCK_CASE = select(_CASE.c.id).where(_CASE.c.id == bindparam("c_id")).with_for_update(nowait=True)


def fire_due_timers(rt: Runtime, *, batch: int = 200, now: datetime | None = None) -> int:
    """Fire what is due at the clock's now; returns how many timers fired."""
    now = now or rt.clock.now()
    fired = 0
    skipped: set[int] = set()
    while True:
        with rt.uow() as uow:
            s = uow.session
            # Cases locked by this transaction (a released savepoint hands its locks to the
            # transaction) and the rows loaded for the batch, held so the session's weak
            # identity map does not drop and reload them for every timer.
            batch_state = s.info[_BATCH] = _Batch()
            postgres = s.get_bind().dialect.name == "postgresql"
            query = (
                select(Timer)
                .where(Timer.status == "pending", Timer.due_at <= now)
                .order_by(Timer.due_at, Timer.id)  # type: ignore[arg-type]
                .limit(batch)
            )
            if skipped:
                query = query.where(Timer.id.not_in(skipped))  # type: ignore[union-attr]
            if postgres:
                query = query.with_for_update(skip_locked=True)
            due = list(s.scalars(query))
            for timer in due:
                outcome = _fire_one(s, rt, now, timer, postgres, batch_state)
                if outcome == "fired":
                    fired += 1
                elif outcome in ("busy", "failed"):
                    skipped.add(timer.id)  # type: ignore[arg-type]
            uow.commit()
        if len(due) < batch:
            return fired


_BATCH = "sandbox.sweep_batch"


class _Batch:
    def __init__(self) -> None:
        self.locked: set[int] = set()
        self.held: dict[tuple[Any, int], Any] = {}

    def get(self, s: Session, model: Any, key: int) -> Any:
        found = self.held.get((model, key))
        if found is None:
            found = self.held[(model, key)] = s.get(model, key)
        return found


def _fire_one(
    s: Session, rt: Runtime, now: datetime, timer: Timer, postgres: bool, batch: _Batch
) -> str:
    savepoint = s.begin_nested()
    try:
        claimed = s.execute(_CLAIM, {"t_id": timer.id, "t_now": now}).rowcount  # type: ignore[attr-defined]
        if not claimed:
            savepoint.commit()
            return "gone"
        set_committed_value(timer, "status", "fired")
        set_committed_value(timer, "fired_at", now)
        if postgres and timer.case_id is not None and timer.case_id not in batch.locked:
            # Take the case row without waiting: a request holding it also wants this timer,
            # and waiting here could deadlock with it. The timer stays for the next sweep.
            s.execute(_LOCK_CASE, {"c_id": timer.case_id})
        _handle(s, rt, now, timer)
        savepoint.commit()
        batch.locked.add(timer.case_id)
        return "fired"
    except OperationalError:
        savepoint.rollback()
        batch.held.clear()  # rolled-back rows are expired; load them afresh
        return "busy"
    except Exception as exc:
        savepoint.rollback()
        batch.held.clear()
        log.exception("timer %s failed", timer.id)
        attempts = timer.attempts + 1
        s.execute(
            update(Timer).where(Timer.id == timer.id).values(
                attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:500],
                status="failed" if attempts >= MAX_ATTEMPTS else "pending",
            )
        )
        return "failed"


def _handle(s: Session, rt: Runtime, now: datetime, timer: Timer) -> None:
    if timer.subject_type == "meeting":  # a meeting's timers are its vote reminders
        remind_voters(s, now, timer)
        return
    batch = s.info.get(_BATCH) or _Batch()
    subject = batch.get(s, SUBJECTS[timer.subject_type], timer.subject_id)
    case = subject if timer.subject_type == "case" else batch.get(s, Case, timer.case_id)
    assert subject is not None and case is not None
    definition = rt.engine.definition(subject)
    main = batch.get(s, Timer, timer.parent_id) if timer.parent_id else timer
    assert main is not None
    spec = next((t for t in definition.timers if t.kind == main.kind), None)
    filer_roles = rt.engine.definition(case).filer_roles
    if timer.parent_id is None:
        # Reminders of a deadline that has come are moot (a late sweep must not announce
        # "7 days left" after the fact).
        s.execute(update(Timer).where(Timer.parent_id == timer.id, Timer.status == "pending")
                  .values(status="cancelled"))
    elif main.status != "pending" or now >= main.due_at:
        return
    if spec is not None and spec.notify and (timer.parent_id or not timer.trigger):
        notify.send_to(
            s, spec.notify, case=case, subject=None if subject is case else subject,
            filer_roles=filer_roles, cause=f"timer:{timer.id}", case_id=case.id, now=now,
            message=deadline_message(definition, case.reference or "", main.kind,
                                     main.last_day, timer.reminder_days,  # type: ignore[arg-type]
                                     filing=case_name(case.data or {})),
        )
    if timer.parent_id is None and timer.trigger:
        if not definition.candidates(timer.trigger, subject.state):
            return  # the subject moved on in the same instant; nothing left to do
        try:
            door.fire(s, rt.engine, now, SYSTEM, subject, timer.trigger, case=case)
        except DomainError as exc:
            s.execute(update(Timer).where(Timer.id == timer.id).values(last_error=exc.detail[:500]))
