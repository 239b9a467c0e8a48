"""The caller's upcoming deadlines as an iCalendar feed (API.md ``/calendar/{token}.ics``).

A feed URL is opened by calendar clients without headers, so it carries its own token: a
separate token of purpose ``calendar`` (stored hashed, revocable), which reads deadlines
and nothing else. Each deadline is an all-day event on its last day (Asia/Seoul): the day
by whose end the act is due; the instant it runs out is in the description.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import and_, select
from sqlmodel import col

from ..adapters.tables import Case, Consultation, Meeting, Timer
from ..domain.calendar import KST
from ..engine.actors import Actor
from ..vocabulary import deadline_words
from . import people
from .committee_views import COMMITTEE_ROLES
from .runtime import Runtime
from .visibility import case_filter

__all__ = [
    "calendar_feed", "issue_calendar_token", "renew_calendar_feed", "stop_calendar_feeds",
    "live_calendar_feeds", "LIMIT",
]

LIMIT = 500


def issue_calendar_token(rt: Runtime, actor: Actor) -> str:
    return people.issue_token(rt, actor.user_id, purpose="calendar")  # type: ignore[arg-type]


def renew_calendar_feed(rt: Runtime, actor: Actor) -> str:
    """The web page's feed: one address per person, so a new one stops the ones before it
    (an address copied somewhere it should not be is stopped by making a new one)."""
    stop_calendar_feeds(rt, actor)
    return issue_calendar_token(rt, actor)


def stop_calendar_feeds(rt: Runtime, actor: Actor) -> int:
    """Revoke every feed address of the caller; how many were live."""
    return people.revoke_tokens_of(rt, actor.user_id, purpose="calendar")  # type: ignore[arg-type]


def live_calendar_feeds(rt: Runtime, actor: Actor) -> int:
    return people.live_tokens_of(rt, actor.user_id, purpose="calendar")  # type: ignore[arg-type]


def _deadline_query(actor: Actor, now: Any) -> Any:
    upcoming = and_(col(Timer.parent_id).is_(None), col(Timer.status).in_(("pending", "paused")),
                    col(Timer.due_at) >= now)
    query = select(Timer, Case.reference).join(Case, col(Case.id) == col(Timer.case_id)).where(upcoming)
    if actor.role == "agency":
        # An agency's deadlines are its consultations' replies, nothing else of the case.
        mine = select(Consultation.id).where(col(Consultation.agency) == actor.org)
        return query.where(col(Timer.subject_type) == "consultation", col(Timer.subject_id).in_(mine))
    # Everyone else: every deadline of the cases they may see - the case's own, its
    # consultations' and, once approved, its exception's (term end, results report,
    # correction), which an operator most needs in a calendar.
    return query.where(case_filter(actor))


def calendar_feed(rt: Runtime, token: str, *, host: str) -> bytes:
    actor = people.actor_for_token(rt, token, purpose="calendar")
    now = rt.clock.now()
    cal = Calendar()
    cal.add("prodid", "-//MOLIT smart-city regulatory sandbox//sandbox//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"규제샌드박스 기한 / Sandbox deadlines — {actor.name}")
    cal.add("x-wr-timezone", "Asia/Seoul")
    with rt.uow() as uow:
        rows = uow.session.execute(
            _deadline_query(actor, now).order_by(col(Timer.due_at), col(Timer.id)).limit(LIMIT)
        ).all()
        meetings = []
        if actor.role in COMMITTEE_ROLES:
            meetings = list(uow.session.scalars(
                select(Meeting).where(col(Meeting.status).in_(("scheduled", "open")),
                                      col(Meeting.ends_at) >= now)
                .order_by(col(Meeting.ends_at)).limit(LIMIT)
            ))
    for timer, reference in rows:
        ko, en = deadline_words(timer.kind)  # the names the pages and the mails use
        last_day = timer.last_day or (timer.due_at.astimezone(KST).date() - timedelta(days=1))
        event = Event()
        event.add("uid", f"timer-{timer.id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", last_day)
        event.add("dtend", last_day + timedelta(days=1))
        event.add("summary", f"[{reference}] {ko} / {en}")
        paused = " (일시 정지 중 / paused)" if timer.status == "paused" else ""
        event.add("description", f"{reference}: {ko}{paused}. 기한 {last_day.isoformat()} 24:00 KST "
                                 f"(runs out at {timer.due_at.astimezone(KST).isoformat()}).")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", f"[국가스마트도시위원회] {meeting.title}")
        written = meeting.mode == "written"
        event.add("description", "서면 의결 기간 / voting period" if written else "회의 / meeting")
        cal.add_component(event)
    return cal.to_ical()  # type: ignore[no-any-return]
