"""Reading the committee: meetings, agenda items and their (live or recorded) tallies.

Who is counted (Smart City Act art. 23②③): the standing members are the active users with
role ``committee_member``; each agenda item adds its own ``extra_members`` (the
vice-ministers of the agencies concerned, the head of the local government concerned).
The tally itself is ``sandbox.domain.tally`` (Enforcement Decree art. 26②).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from ..adapters.tables import AgendaItem, Attendance, Case, Consultation, Meeting, Recusal, User, Vote
from ..domain.errors import Forbidden, NotFound
from ..domain.tally import Tally, compute_tally
from ..engine.actors import Actor
from .runtime import Runtime

__all__ = [
    "COMMITTEE_ROLES", "standing_members", "member_names", "list_members", "extra_members_of", "tally_of",
    "is_member", "agencies_concerned", "officials_concerned", "list_officials_concerned",
    "may_see_item", "item_dict", "meeting_summary", "meeting_dict", "describe_item", "describe_meeting",
    "list_meetings", "meetings_sitting_on", "meetings_awaiting_my_vote", "meeting_roll",
]  # fmt: skip

# Roles that see every meeting and every item.
COMMITTEE_ROLES = ("secretariat", "committee_member")


def standing_members(s: Session) -> list[int]:
    """Art. 23②: the standing members, i.e. the active users with role committee_member."""
    return list(s.scalars(
        select(col(User.id)).where(col(User.role) == "committee_member", col(User.active).is_(True))
    ))


def extra_members_of(items: list[AgendaItem]) -> set[int]:
    return {uid for item in items for uid in item.extra_members}


def is_member(actor: Actor, item: AgendaItem) -> bool:
    """Enrolled for this item before recusal: a standing member or one of its extra members
    (art. 23③). The actor comes from an active user's token, so a committee_member is a
    standing member."""
    return actor.role == "committee_member" or (
        actor.user_id is not None and actor.user_id in item.extra_members
    )


def may_see_item(actor: Actor, item: AgendaItem) -> bool:
    return actor.role in COMMITTEE_ROLES or is_member(actor, item)


def tally_of(s: Session, meeting: Meeting, item: AgendaItem, standing: list[int]) -> Tally:
    """The tally as it stands now (Decree art. 26②); recorded for good when the meeting closes."""
    recused = s.scalars(select(col(Recusal.user_id)).where(col(Recusal.item_id) == item.id)).all()
    attendance = s.scalars(
        select(col(Attendance.user_id)).where(col(Attendance.meeting_id) == meeting.id)
    ).all()
    rows = s.execute(select(col(Vote.user_id), col(Vote.choice)).where(col(Vote.item_id) == item.id))
    votes: dict[int, str] = {user_id: choice for user_id, choice in rows}
    return compute_tally(
        mode=meeting.mode, standing=standing, extra=item.extra_members, recused=recused,
        attendance=attendance, votes=votes,
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def item_dict(s: Session, meeting: Meeting, item: AgendaItem, standing: list[int]) -> dict[str, Any]:
    decided = item.outcome is not None
    tally = item.tally if decided and item.tally else tally_of(s, meeting, item, standing).as_dict()
    case = s.get(Case, item.case_id)
    return {
        "id": item.id,
        "case_id": item.case_id,
        "case_reference": case.reference if case else None,
        "meeting_id": item.meeting_id,
        "proposal": item.proposal,
        "conditions": list(item.conditions or []),
        "extension_months": item.extension_months,
        "extra_members": list(item.extra_members or []),
        "outcome": item.outcome,
        "decided_at": _iso(item.decided_at),
        "tally": tally,
    }


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "mode": meeting.mode,
        "status": meeting.status,
        "starts_at": _iso(meeting.starts_at),
        "ends_at": _iso(meeting.ends_at),
        "opened_at": _iso(meeting.opened_at),
        "closed_at": _iso(meeting.closed_at),
        "created_at": _iso(meeting.created_at),
    }


def meeting_dict(s: Session, actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """The meeting with the items the caller may see; 404 when it sees none of it."""
    items = s.scalars(
        select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id).order_by(col(AgendaItem.id))
    ).all()
    visible = [i for i in items if may_see_item(actor, i)]
    if actor.role not in COMMITTEE_ROLES and not visible:
        raise NotFound("no such meeting")
    standing = standing_members(s)
    present = None
    if meeting.mode == "in_person":
        present = sorted(s.scalars(
            select(col(Attendance.user_id)).where(col(Attendance.meeting_id) == meeting.id)
        ))
    return {
        **meeting_summary(meeting),
        "present": present,
        "items": [item_dict(s, meeting, i, standing) for i in visible],
    }


def describe_meeting(rt: Runtime, actor: Actor, meeting_id: int) -> dict[str, Any]:
    with rt.uow() as uow:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("no such meeting")
        return meeting_dict(uow.session, actor, meeting)


def describe_item(rt: Runtime, actor: Actor, item_id: int) -> dict[str, Any]:
    """One item with its tally; absent and not visible are the same 404."""
    with rt.uow() as uow:
        s = uow.session
        item = s.get(AgendaItem, item_id)
        if item is None or not may_see_item(actor, item):
            raise NotFound("no such agenda item")
        meeting = s.get(Meeting, item.meeting_id)
        assert meeting is not None
        return item_dict(s, meeting, item, standing_members(s))


def list_members(rt: Runtime, actor: Actor) -> list[dict[str, Any]]:
    """The standing members (art. 23②) by id and name: whom attendance names. For the
    secretariat and the members themselves."""
    if actor.role not in COMMITTEE_ROLES:
        raise Forbidden("only the secretariat and committee members list the members")
    with rt.uow() as uow:
        return member_names(uow.session)


def meeting_roll(rt: Runtime, actor: Actor, meeting_id: int) -> list[dict[str, Any]]:
    """Whom a meeting's attendance may name: the standing members (art. 23②), then the
    extra members of its items (art. 23③), each with its organisation; for the secretariat."""
    if actor.role != "secretariat":
        raise Forbidden("only the secretariat records attendance")
    with rt.uow() as uow:
        s = uow.session
        items = list(s.scalars(select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting_id)))
        extra = extra_members_of(items) - set(standing_members(s))
        rows = s.execute(
            select(col(User.id), col(User.name), col(User.org_code)).where(col(User.id).in_(extra))
            .order_by(col(User.id))
        ).all() if extra else []
        return [*(dict(m, extra=False) for m in member_names(s)),
                *({"id": i, "name": n, "org": o, "extra": True} for i, n, o in rows)]


def member_names(s: Session) -> list[dict[str, Any]]:
    """The standing members' ids and names, in id order."""
    rows = s.execute(
        select(col(User.id), col(User.name)).where(
            col(User.role) == "committee_member", col(User.active).is_(True)
        ).order_by(col(User.id))
    ).all()
    return [{"id": i, "name": n} for i, n in rows]


def agencies_concerned(s: Session, case: Case) -> set[str]:
    """The agencies consulted on the case, or named by it."""
    agencies = set(s.scalars(select(col(Consultation.agency)).where(col(Consultation.case_id) == case.id)))
    return agencies | {*(case.data.get("regulating_agencies") or ()), *(case.data.get("agencies") or ())}


def officials_concerned(s: Session, case: Case) -> ColumnElement[bool]:
    """Act 23③: who joins the committee for an item on the case, the vice-minister of each
    agency concerned and the head of its local government: users of those organisations."""
    return or_(  # type: ignore[return-value]
        and_(col(User.role) == "agency", col(User.org_code).in_(agencies_concerned(s, case))),
        and_(col(User.role) == "local_government", col(User.org_code) == case.local_government),
    )


def list_officials_concerned(rt: Runtime, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """The users an agenda item on the case may take as extra members (the secretariat's)."""
    from .visibility import visible_case

    if actor.role != "secretariat":
        raise Forbidden("only the secretariat sets the agenda")
    with rt.uow() as uow:
        s = uow.session
        case = visible_case(s, actor, case_id)
        rows = s.execute(
            select(col(User.id), col(User.name), col(User.role), col(User.org_code))
            .where(col(User.active).is_(True), officials_concerned(s, case)).order_by(col(User.id))
        ).all()
        return [{"id": i, "name": n, "role": r, "org": o} for i, n, r, o in rows]


def list_meetings(rt: Runtime, actor: Actor, *, page: int, per_page: int) -> list[dict[str, Any]]:
    """Newest first. Only the secretariat and the standing members list meetings; an extra
    member reaches its items through notifications and ``GET /items/{id}``."""
    if actor.role not in COMMITTEE_ROLES:
        raise Forbidden("only the secretariat and committee members list meetings")
    with rt.uow() as uow:
        rows = uow.session.scalars(
            select(Meeting).order_by(col(Meeting.id).desc())
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
        return [meeting_summary(m) for m in rows]


def meetings_sitting_on(rt: Runtime, actor: Actor, *, statuses: tuple[str, ...] = ("scheduled", "open"),
                        awaiting_vote: bool = False) -> list[dict[str, Any]]:
    """The meetings not yet closed on which the caller sits as an extra member of an item
    (Act 23③: an agency's vice-minister, a local government's head): how such a member,
    who does not list every meeting, finds where to vote. Only meetings still to come or
    open are looked at, so the scan stays small however many meetings were held.
    ``awaiting_vote``: only where such an item is undecided and the caller has neither
    voted on it nor recused."""
    if actor.user_id is None:
        return []
    with rt.uow() as uow:
        s = uow.session
        meetings = list(s.scalars(
            select(Meeting).where(col(Meeting.status).in_(statuses)).order_by(col(Meeting.starts_at))
        ))
        if not meetings:
            return []
        items = s.scalars(select(AgendaItem).where(
            col(AgendaItem.meeting_id).in_([m.id for m in meetings])))
        mine = [i for i in items if actor.user_id in (i.extra_members or [])]
        if awaiting_vote:
            ids = [i.id for i in mine]
            done = set(s.scalars(select(col(Vote.item_id)).where(
                col(Vote.user_id) == actor.user_id, col(Vote.item_id).in_(ids)))) | set(s.scalars(
                select(col(Recusal.item_id)).where(
                    col(Recusal.user_id) == actor.user_id, col(Recusal.item_id).in_(ids))))
            mine = [i for i in mine if i.outcome is None and i.id not in done]
        sitting = {i.meeting_id for i in mine}
        return [meeting_summary(m) for m in meetings if m.id in sitting]


def meetings_awaiting_my_vote(rt: Runtime, actor: Actor) -> list[dict[str, Any]]:
    """An extra member's worklist: open meetings with an item still waiting for its vote."""
    return meetings_sitting_on(rt, actor, statuses=("open",), awaiting_vote=True)
