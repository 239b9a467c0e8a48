"""Vote reminders: before a meeting closes, each member who still has items to vote on is
told which, and until when.

They are timer rows on the meeting (subject ``meeting``, no case), fired by the same sweep
as every deadline (ARCHITECTURE rule 3), so they survive restarts and fire once. How long
before the close is rule data (``reminders.vote_hours`` in workflows/rule_sets.yaml);
opening a meeting schedules them, closing it cancels what has not fired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from ..adapters.tables import AgendaItem, Case, Meeting, Recusal, Timer, Vote
from ..domain.calendar import KST
from ..engine import notify
from .committee_views import extra_members_of, standing_members

__all__ = ["schedule_vote_reminders", "cancel_vote_reminders", "remind_voters", "KIND"]

KIND = "vote_reminder"


def _hours_before_close(engine: Any) -> tuple[int, ...]:
    # One committee deliberates cases of every rule set: the newest rules set its reminders.
    newest = engine.rules(max(engine.rule_sets))
    return newest.reminder_days("vote_hours")


def schedule_vote_reminders(s: Session, engine: Any, meeting: Meeting, now: datetime) -> None:
    """One timer per configured lead time that is still ahead of us."""
    for hours in _hours_before_close(engine):
        due = meeting.ends_at - timedelta(hours=hours)
        if due <= now:
            continue
        s.add(Timer(
            case_id=None, subject_type="meeting", subject_id=meeting.id, kind=KIND,  # type: ignore[arg-type]
            status="pending", due_at=due, counted_from=now, period={"hours_before_close": hours},
            created_at=now,
        ))
    s.flush()


def cancel_vote_reminders(s: Session, meeting_id: int) -> None:
    s.execute(
        update(Timer).where(col(Timer.subject_type) == "meeting", col(Timer.subject_id) == meeting_id,
                            col(Timer.status) == "pending")
        .values(status="cancelled").execution_options(synchronize_session=False)
    )


def _waiting(s: Session, meeting: Meeting) -> dict[int, list[str]]:
    """Member id → references of the undecided items they may still vote on."""
    items = list(s.scalars(
        select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id,
                                 col(AgendaItem.outcome).is_(None)).order_by(col(AgendaItem.id))
    ))
    if not items:
        return {}
    ids = [item.id for item in items]
    done = {(v.item_id, v.user_id) for v in s.scalars(select(Vote).where(col(Vote.item_id).in_(ids)))}
    done |= {(r.item_id, r.user_id) for r in s.scalars(select(Recusal).where(col(Recusal.item_id).in_(ids)))}
    references = {case_id: reference for case_id, reference in s.execute(
        select(Case.id, Case.reference).where(col(Case.id).in_([i.case_id for i in items]))
    )}
    standing = set(standing_members(s))
    waiting: dict[int, list[str]] = {}
    for member in sorted(standing | extra_members_of(items)):
        # Art. 23③: an extra member sits only for the items that named them.
        mine = [item for item in items if member in standing or member in item.extra_members]
        todo = [references.get(i.case_id) or f"#{i.case_id}" for i in mine if (i.id, member) not in done]
        if todo:
            waiting[member] = todo
    return waiting


def remind_voters(s: Session, now: datetime, timer: Timer) -> None:
    """The sweep's handler for a meeting's vote reminder."""
    meeting = s.get(Meeting, timer.subject_id)
    if meeting is None or meeting.status != "open" or now >= meeting.ends_at:
        return
    for member, references in _waiting(s, meeting).items():
        notify.send(s, users=[member], cause=f"timer:{timer.id}", case_id=None, now=now,
                    message=_reminder_message(meeting, references))


def _reminder_message(meeting: Meeting, references: list[str]) -> notify.Message:
    until = meeting.ends_at.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    listed = ", ".join(references)
    return notify.Message(
        kind="committee:vote_reminder",
        subject_ko=f"[국가스마트도시위원회] 의결 마감 임박: {meeting.title}",
        subject_en=f"[National Smart City Committee] Voting closes soon: {meeting.title}",
        body_ko=f"{until}에 의결이 마감됩니다. 아직 의결하지 않은 안건 {len(references)}건: {listed}",
        body_en=f"Voting closes at {until}. {len(references)} item(s) still await your vote: {listed}",
    )
