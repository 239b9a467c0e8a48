"""Timers as rows: started, paused, resumed and cancelled as a subject changes state.

A deadline is computed once, in Asia/Seoul calendar days with the Civil-Act rules (see
domain.periods), and stored as the instant it runs out. Reminders are child rows at 09:00
KST on the days the rule set's ladder names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from ..adapters.tables import Timer
from ..domain.calendar import KST, KoreanCalendar
from ..domain.errors import Invalid
from ..domain.periods import Period, days_before, deadline_instant, period_last_day
from ..domain.rules import RuleSet
from .definitions import Definition, TimerDef

__all__ = [
    "active_timers", "sync_timers", "extend_timers", "retime", "start_of_day", "cancel_all",
    "plan", "TimerPlan", "CANCEL_KINDS", "CANCEL_KINDS_ARRAY", "deadline_row", "reminder_rows",
    "cancel_params", "REMINDER_HOUR",
]

REMINDER_HOUR = time(9, 0)
# Periods chosen in a payload: none of the Act's runs longer than the four years plus two of
# a special exception, so ten years is a typo, and it keeps the day count in the calendar.
MAX_ASKED_DAYS = 3_660
MAX_ASKED_MONTHS = 120
ACTIVE = ("pending", "paused")

# Statements built once, on the table: plain Core, no ORM bulk-persistence or session
# synchronisation (the ORM objects of timers are only read before they are written here).
_T = Timer.__table__  # type: ignore[attr-defined]
# IN, not OR: an index condition on ix_timer_subject (subject, status), so a case's
# cancelled timers of earlier rounds are never read again.
_ACTIVE = _T.c.status.in_([literal_column(f"'{status}'") for status in ACTIVE])
_SUBJECT = and_(_T.c.subject_type == bindparam("t_type"),
                _T.c.subject_id == bindparam("t_sid", type_=Integer), _ACTIVE)


def _cancel_kinds(kinds: Any) -> Any:
    """Active deadlines of the kinds, and their active reminders, in one statement."""
    return (
        update(_T)
        .where(_SUBJECT, or_(
            and_(_T.c.parent_id.is_(None), kinds),
            _T.c.parent_id.in_(select(_T.c.id).where(_SUBJECT, _T.c.parent_id.is_(None), kinds)),
        ))
        .values(status="cancelled")
    )


CANCEL_KINDS = _cancel_kinds(_T.c.kind.in_(bindparam("t_kinds", expanding=True)))
# The same on PostgreSQL with the kinds as one array parameter: an expanding IN is
# re-rendered on every execution, which the one-statement move (combined.py) would pay.
CANCEL_KINDS_ARRAY = _cancel_kinds(
    _T.c.kind == any_(bindparam("t_kinds", type_=postgresql.ARRAY(String(40))))
)
_CANCEL_IDS = update(_T).where(_T.c.id.in_(bindparam("t_ids", expanding=True))).values(
    status="cancelled")
_CANCEL_REMINDERS = update(_T).where(
    _T.c.parent_id == bindparam("t_parent", type_=Integer), _T.c.status == "pending"
).values(status="cancelled")
_START = insert(_T).returning(_T.c.id)
_ADD = insert(_T)


def active_timers(session: Session, subject_type: str, subject_id: int) -> list[Timer]:
    return list(
        session.scalars(
            select(Timer).where(
                Timer.subject_type == subject_type,
                Timer.subject_id == subject_id,
                Timer.status.in_(ACTIVE),  # type: ignore[attr-defined]
            )
        )
    )


def _active_deadlines(
    session: Session, subject_type: str, subject_id: int, kinds: Sequence[str]
) -> list[Timer]:
    """The subject's running or paused deadlines of these kinds (not their reminders)."""
    return [t for t in active_timers(session, subject_type, subject_id)
            if t.parent_id is None and t.kind in kinds]


@dataclass(frozen=True)
class TimerPlan:
    """What a move from one state to another does to a subject's timers, before any read.

    A timer is only ever active while its subject is in one of the timer's states (it
    starts there, and leaving them cancels it), so most moves need no read: a timer that
    cannot be running is not looked for, and one that could only be cancelled is cancelled
    blind. ``read`` says whether the active timers must be looked at (pause, resume, stay).
    """

    cancel: tuple[str, ...]  # kinds whose active deadline and reminders are cancelled
    start: tuple[TimerDef, ...]  # deadlines that start, if no read says otherwise
    read: bool


def plan(definition: Definition, old_state: str | None, new_state: str) -> TimerPlan:
    running = () if old_state is None else tuple(
        spec for spec in definition.timers if old_state in spec.live_in)
    cancel = tuple(spec.kind for spec in running
                   if new_state not in spec.runs_in and new_state not in spec.starts_in)
    start = tuple(spec for spec in definition.timers
                  if spec not in running and new_state in spec.starts_in)
    return TimerPlan(cancel, start, read=any(spec.kind not in cancel for spec in running))


def cancel_params(subject_type: str, subject_id: int, kinds: Sequence[str]) -> dict[str, Any]:
    return {"t_type": subject_type, "t_sid": subject_id, "t_kinds": list(kinds)}


def sync_timers(
    session: Session,
    *,
    definition: Definition,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    case_id: int,
    subject_type: str,
    subject_id: int,
    old_state: str | None,
    new_state: str,
    payload: dict[str, Any],
    trigger: str | None = None,
) -> dict[str, date]:
    """Cancel, pause, resume and start the subject's timers for a move; returns the
    deadlines it started with their last days (an issued document states them)."""
    started: dict[str, date] = {}
    if not definition.timers:
        return started
    todo = plan(definition, old_state, new_state)
    blind = todo.cancel
    if blind:
        session.execute(CANCEL_KINDS, cancel_params(subject_type, subject_id, blind))
    restarts = [spec for spec in definition.timers
                if trigger in spec.starts_on and new_state in spec.runs_in and spec.kind not in blind]
    read = todo.read or bool(restarts)
    timers = active_timers(session, subject_type, subject_id) if read else []
    mains = {t.kind: t for t in timers if t.parent_id is None}
    for spec in definition.timers:
        if spec.kind in blind:
            continue
        timer = mains.get(spec.kind)
        children = [t for t in timers if timer is not None and t.parent_id == timer.id]
        if timer is not None and new_state not in spec.runs_in:
            _set_status(session, [timer, *children], "cancelled")
        elif timer is not None and new_state in spec.paused_in and timer.status == "pending":
            _set_status(session, children, "cancelled")
            session.execute(
                update(_T).where(_T.c.id == timer.id).values(status="paused", paused_at=now)
            )
        elif timer is not None and timer.status == "paused" and new_state not in spec.paused_in:
            paused_days = _kst_days(timer.paused_at, now)
            _reschedule(session, timer, spec, rules, calendar, now, timer.extra_days + paused_days)
        elif timer is None and new_state in spec.starts_in and new_state != old_state:
            # A timer starts on entering a state; a "=" transition (a late flag fired by this
            # very timer, say) must not start it again.
            started[spec.kind] = _start(session, spec, rules, calendar, now, case_id,
                                        subject_type, subject_id, payload)
    for spec in restarts:
        if not payload.get(spec.last_day_from or ""):  # a compensation plan, not a policy
            continue
        timer = mains.get(spec.kind)
        if timer is not None:
            _set_status(session, [timer, *(t for t in timers if t.parent_id == timer.id)], "cancelled")
        started[spec.kind] = _start(session, spec, rules, calendar, now, case_id,
                                    subject_type, subject_id, payload)
    return started


def extend_timers(
    session: Session,
    *,
    definition: Definition,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    subject_type: str,
    subject_id: int,
    kinds: Sequence[str],
    days: int,
) -> dict[str, date]:
    """Move the named deadlines by ``days`` (an agency's one extension, for example);
    returns their new last days by kind."""
    moved: dict[str, date] = {}
    specs = {s.kind: s for s in definition.timers}
    # Caps first, so a capped deadline is recomputed against the cap's new end.
    found = _active_deadlines(session, subject_type, subject_id, kinds)
    found.sort(key=lambda t: specs[t.kind].capped_by is not None)
    for timer in found:
        spec = specs[timer.kind]
        if timer.status == "paused":
            # Still paused: show the date it will have if the clock resumed today.
            paused_days = _kst_days(timer.paused_at, now)
            last_day, _ = _last_day(session, timer, spec, calendar, timer.extra_days + days + paused_days)
            session.execute(
                update(_T).where(_T.c.id == timer.id).values(
                    extra_days=timer.extra_days + days, last_day=last_day,
                    due_at=deadline_instant(last_day),
                )
            )
            moved[timer.kind] = last_day
            continue
        moved[timer.kind] = _reschedule(session, timer, spec, rules, calendar, now, timer.extra_days + days)
    return moved


def retime(
    session: Session,
    *,
    definition: Definition,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    subject_type: str,
    subject_id: int,
    kind: str,
    period: Period,
) -> date | None:
    """Give a running deadline a new length counted from its original start (the committee
    lengthens a term, a correction period is extended); returns its new last day."""
    spec = next(s for s in definition.timers if s.kind == kind)
    found = _active_deadlines(session, subject_type, subject_id, (kind,))
    if not found:
        return None
    timer = found[0]
    session.execute(update(Timer).where(Timer.id == timer.id).values(period=period.to_dict()))
    timer.period = period.to_dict()
    return _reschedule(session, timer, spec, rules, calendar, now, timer.extra_days)


def start_of_day(moment: datetime) -> datetime:
    """00:00 KST of ``moment``'s day, as UTC."""
    day = moment.astimezone(KST).date()
    return datetime.combine(day, time(0), tzinfo=KST).astimezone(UTC)


def cancel_all(session: Session, subject_type: str, subject_id: int) -> None:
    _set_status(session, active_timers(session, subject_type, subject_id), "cancelled")


def _set_status(session: Session, timers: Sequence[Timer], status: str) -> None:
    ids = [t.id for t in timers]
    if ids:
        assert status == "cancelled"
        session.execute(_CANCEL_IDS, {"t_ids": ids})


def _asked(payload: dict[str, Any], name: str, limit: int, unit_ko: str, unit_en: str) -> int:
    """A period the person firing the transition chose (resident opinion days, say)."""
    value = int(payload[name])
    if value > limit:
        raise Invalid.field(name, f"{limit:,}{unit_ko} 이하여야 합니다. / At most {limit:,} {unit_en}.")
    return value


def deadline_row(
    spec: TimerDef,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    case_id: int,
    subject_type: str,
    subject_id: int,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """The row of a deadline starting now, before any cap (see ``_capped``): at the end of a
    period, or on the day the payload names (``last_day_from``: no period, no roll, the day
    is the filed document's)."""
    counted_from = start_of_day(now) if spec.from_day_start else now
    if spec.last_day_from:
        named = payload[spec.last_day_from]
        last_day = named if isinstance(named, date) else date.fromisoformat(str(named))
        period: dict[str, Any] = {}
    else:
        asked = rules.period(spec.period)
        if spec.period_days_from and payload.get(spec.period_days_from):
            asked = Period(days=_asked(payload, spec.period_days_from, MAX_ASKED_DAYS, "일", "days"))
        if spec.period_months_from and payload.get(spec.period_months_from):
            asked = Period(months=_asked(payload, spec.period_months_from, MAX_ASKED_MONTHS,
                                         "개월", "months"))
        last_day = period_last_day(counted_from, asked, calendar=calendar if spec.roll else None)
        period = asked.to_dict()
    return {
        "case_id": case_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "kind": spec.kind,
        "status": "pending",
        "due_at": deadline_instant(last_day),
        "last_day": last_day,
        "counted_from": counted_from,
        "period": period,
        "extra_days": 0,
        "trigger": spec.on_expiry,
        "parent_id": None,
        "reminder_days": None,
        "created_at": now,
        "attempts": 0,
    }


def _start(
    session: Session,
    spec: TimerDef,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    case_id: int,
    subject_type: str,
    subject_id: int,
    payload: dict[str, Any],
) -> date:
    row = deadline_row(spec, rules, calendar, now, case_id, subject_type, subject_id, payload)
    last_day, capped = _capped(session, spec, subject_type, subject_id, row["last_day"])
    if capped:
        row.update(last_day=last_day, due_at=deadline_instant(last_day))
    timer_id = session.execute(_START, row).scalar_one()
    if not capped:  # at the cap, the cap's own reminders speak
        _add_reminders(session, spec, rules, now, timer_id, case_id, subject_type, subject_id, last_day)
    return last_day


def _reschedule(
    session: Session,
    timer: Timer,
    spec: TimerDef,
    rules: RuleSet,
    calendar: KoreanCalendar,
    now: datetime,
    extra_days: int,
) -> date:
    last_day, capped = _last_day(session, timer, spec, calendar, extra_days)
    session.execute(_CANCEL_REMINDERS, {"t_parent": timer.id})
    session.execute(
        update(_T).where(_T.c.id == timer.id).values(
            status="pending",
            paused_at=None,
            extra_days=extra_days,
            last_day=last_day,
            due_at=deadline_instant(last_day),
        )
    )
    if not capped:
        _add_reminders(
            session, spec, rules, now, timer.id, timer.case_id, timer.subject_type,
            timer.subject_id, last_day,
        )
    return last_day


def _kst_days(since: datetime | None, now: datetime) -> int:
    """Calendar days (Asia/Seoul) from ``since`` to ``now``: the days a pause did not count."""
    if since is None:
        return 0
    return (now.astimezone(KST).date() - since.astimezone(KST).date()).days


def _last_day(
    session: Session, timer: Timer, spec: TimerDef, calendar: KoreanCalendar, extra_days: int
) -> tuple[date, bool]:
    last_day = period_last_day(
        timer.counted_from,
        Period.from_dict(timer.period),
        calendar=calendar if spec.roll else None,
        extra_days=extra_days,
    )
    return _capped(session, spec, timer.subject_type, timer.subject_id, last_day)


def _capped(
    session: Session, spec: TimerDef, subject_type: str, subject_id: int, last_day: date
) -> tuple[date, bool]:
    """The last day, never past the capping timer's; and whether the cap decided it."""
    if not spec.capped_by:
        return last_day, False
    cap = session.scalars(
        select(Timer.last_day).where(
            Timer.subject_type == subject_type, Timer.subject_id == subject_id,
            Timer.kind == spec.capped_by, Timer.status == "pending",
        )
    ).first()
    if cap is not None and cap <= last_day:
        return cap, True
    return last_day, False


def reminder_rows(
    spec: TimerDef,
    rules: RuleSet,
    now: datetime,
    parent_id: int | None,
    case_id: int,
    subject_type: str,
    subject_id: int,
    last_day: Any,
) -> list[dict[str, Any]]:
    """Reminders at 09:00 KST on the ladder's days before ``last_day`` still to come."""
    rows = []
    for n in rules.reminder_days(spec.reminders):
        at = datetime.combine(days_before(last_day, n), REMINDER_HOUR, tzinfo=KST)
        if at > now:
            rows.append(
                {
                    "case_id": case_id,
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "kind": f"{spec.kind}:reminder",
                    "status": "pending",
                    "due_at": at,
                    "last_day": last_day,
                    "counted_from": now,
                    "period": {},
                    "extra_days": 0,
                    "trigger": None,
                    "parent_id": parent_id,
                    "reminder_days": n,
                    "created_at": now,
                    "attempts": 0,
                }
            )
    return rows


def _add_reminders(
    session: Session,
    spec: TimerDef,
    rules: RuleSet,
    now: datetime,
    parent_id: int | None,
    case_id: int,
    subject_type: str,
    subject_id: int,
    last_day: Any,
) -> None:
    rows = reminder_rows(spec, rules, now, parent_id, case_id, subject_type, subject_id, last_day)
    if rows:
        session.execute(_ADD, rows)
