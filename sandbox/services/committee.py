"""Use cases of the National Smart City Committee's secretariat: meetings and their agenda.

The secretariat schedules a meeting (``in_person``) or a written deliberation (``written``),
puts tabled cases on its agenda with a proposed resolution, opens it, records who sat in
the room, and closes it (``committee_decisions.close_meeting``). Members recuse and vote in
``committee_votes``.

Members (Smart City Act art. 23②③): the standing members plus, per item, the
``extra_members`` concerned. Concurrency: a meeting's status moves only by conditional
UPDATE (one of two racing opens or closes wins); writes that depend on the status hold the
meeting row (``FOR SHARE``) so they are either counted by the close or refused after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, col

from ..adapters.tables import AgendaItem, Attendance, Case, Meeting, User
from ..domain.calendar import KST
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.tally import MODES
from ..engine import audit, documents, notify
from ..engine.actors import Actor
from .committee_reminders import schedule_vote_reminders
from .committee_views import extra_members_of, officials_concerned, standing_members
from .exceptions import committee_subject
from .runtime import Runtime

__all__ = [
    "PROPOSALS", "create_meeting", "add_item", "open_meeting", "record_attendance",
    "lock_meeting", "move_meeting", "require_secretariat",
]  # fmt: skip

# request_modification: Act 49⑧, the applicant revises the plan and it comes back.
PROPOSALS = ("approve", "approve_with_conditions", "reject", "request_modification")
CONDITIONAL = ("approve_with_conditions", "request_modification")
# The agenda may change until the meeting is closed.
AGENDA_OPEN = ("scheduled", "open")


def require_secretariat(actor: Actor, what: str) -> None:
    if actor.role != "secretariat":
        raise Forbidden(f"only the secretariat may {what}")


def lock_meeting(s: Session, meeting_id: int, *, exclusive: bool = False) -> Meeting:
    """Load the meeting holding its row, so a racing close waits for us or we see it closed.

    ``FOR SHARE`` lets votes run side by side; the close's UPDATE waits for all of them.
    On SQLite the lock clause is dropped: BEGIN IMMEDIATE already serialises writers.
    """
    meeting = s.scalars(
        select(Meeting).where(col(Meeting.id) == meeting_id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    ).first()
    if meeting is None:
        raise NotFound("no such meeting")
    return meeting


def move_meeting(
    s: Session, meeting_id: int, source: str, dest: str, refusal: str, **stamp: datetime
) -> Meeting:
    """The meeting's status moves by conditional UPDATE: of two racing moves exactly one
    wins; the other gets 409 and changes nothing."""
    result = s.execute(
        update(Meeting).where(col(Meeting.id) == meeting_id, col(Meeting.status) == source)
        .values(status=dest, **stamp).execution_options(synchronize_session=False)
    )
    meeting = s.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None:
        raise NotFound("no such meeting")
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{refusal} (it is {meeting.status})")
    return meeting


def _aware(name: str, value: Any, errors: dict[str, list[str]]) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[name] = ["시간대가 있는 ISO 8601 시각이어야 합니다. / An ISO 8601 time with an offset."]
        return None
    return value


# How far from today a meeting may be put, and how long one may last: a record of a
# meeting held last year is fine, a date no calendar page shows (year 9999) is a typing
# error, and a written deliberation runs about 7 days (DOMAIN.md, Committee).
MEETING_BACK = timedelta(days=366)
MEETING_AHEAD = timedelta(days=3 * 366)
MEETING_LONGEST = timedelta(days=90)


def _meeting_window(
    start: datetime | None, end: datetime | None, now: datetime, errors: dict[str, list[str]]
) -> None:
    if start and not now - MEETING_BACK <= start <= now + MEETING_AHEAD:
        errors["starts_at"] = ["시작 시각은 지난 1년부터 앞으로 3년 사이여야 합니다. / "
                               "Must lie between a year ago and three years from now."]
    elif start and end and end <= start:
        errors["ends_at"] = ["종료 시각은 시작 시각 이후여야 합니다. / Must be after the start time."]
    elif start and end and end - start > MEETING_LONGEST:
        errors["ends_at"] = ["회의는 90일을 넘을 수 없습니다. / A meeting lasts at most 90 days."]


def create_meeting(rt: Runtime, actor: Actor, title: Any, mode: Any, starts_at: Any, ends_at: Any) -> int:
    """Schedule a meeting or a written deliberation (about 7 days' window)."""
    require_secretariat(actor, "schedule committee meetings")
    errors: dict[str, list[str]] = {}
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
        errors["title"] = ["제목을 200자 이내로 입력하세요. / A title of at most 200 characters."]
    if mode not in MODES:
        errors["mode"] = ["in_person 또는 written / One of: in_person, written."]
    start = _aware("starts_at", starts_at, errors)
    end = _aware("ends_at", ends_at, errors)
    _meeting_window(start, end, rt.clock.now(), errors)
    if errors or start is None or end is None:
        raise Invalid(errors)
    with rt.uow() as uow:
        meeting = Meeting(title=title.strip(), mode=mode, status="scheduled", starts_at=start,
                          ends_at=end, created_at=rt.clock.now())
        uow.session.add(meeting)
        uow.commit()
        return meeting.id  # type: ignore[return-value]


def _clean_item(proposal: Any, conditions: Any, extension_months: Any, extra: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if proposal not in PROPOSALS:
        errors["proposal"] = ["허용되지 않는 안 / One of: " + ", ".join(PROPOSALS)]
    conditions = [] if conditions is None else conditions
    if not isinstance(conditions, list) or not all(isinstance(c, str) and c.strip() for c in conditions):
        errors["conditions"] = ["조건은 비어 있지 않은 문자열 목록입니다. / A list of non-empty texts."]
    elif proposal == "approve_with_conditions" and not conditions:
        errors["conditions"] = ["조건부 의결에는 조건이 필요합니다. / Required for approve_with_conditions."]
    elif proposal in PROPOSALS and proposal not in CONDITIONAL and conditions:
        errors["conditions"] = ["조건은 조건부 의결·수정 요구에만 붙습니다. / "
                                "Only for approve_with_conditions or request_modification."]
    if extension_months is not None and (
        isinstance(extension_months, bool) or not isinstance(extension_months, int)
        or not 1 <= extension_months <= 24
    ):
        errors["extension_months"] = ["1~24 사이의 정수 / A whole number from 1 to 24."]
    extra = [] if extra is None else extra
    if not isinstance(extra, list) or not all(
        isinstance(u, int) and not isinstance(u, bool) for u in extra
    ):
        errors["extra_members"] = ["사용자 id 목록 / A list of user ids."]
    if errors:
        raise Invalid(errors)
    return {
        "proposal": proposal,
        "conditions": [c.strip() for c in conditions],
        "extension_months": extension_months,
        "extra_members": sorted(set(extra)),
    }


def _extension_length(subject: Any, months: int | None) -> int | None:
    """An extension item carries the length proposed: at most what the operator asked for."""
    requested = (getattr(subject, "record", None) or {}).get("extension_request", {}).get("months")
    if getattr(subject, "state", None) != "extension_requested" or requested is None:
        return months
    if months is not None and months > requested:
        raise Invalid.field("extension_months",
                            f"신청한 {requested}개월 이하 / At most the {requested} months requested.")
    return months or requested


def add_item(
    rt: Runtime, actor: Actor, meeting_id: int, case_id: Any, proposal: Any,
    conditions: Any = None, extension_months: Any = None, extra_members: Any = None,
) -> int:
    """Put a tabled case on the agenda with its proposed resolution.

    A case is tabled when its definition lets the committee fire the proposal from the
    case's current state; no state is named here (definitions are data).
    """
    require_secretariat(actor, "set the agenda")
    clean = _clean_item(proposal, conditions, extension_months, extra_members)
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        meeting = lock_meeting(s, meeting_id)
        if meeting.status not in AGENDA_OPEN:
            raise Conflict(f"the agenda of a {meeting.status} meeting cannot change")
        # The case row lock serialises two secretaries putting one case on two agendas.
        case = s.scalars(
            select(Case).where(col(Case.id) == case_id).with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if case is None:
            raise NotFound("no such case")
        subject = committee_subject(s, rt.engine, case, clean["proposal"])
        if subject is None:
            raise Conflict(f"the case is not tabled for '{clean['proposal']}' (state '{case.state}')")
        clean["extension_months"] = _extension_length(subject, clean["extension_months"])
        pending = s.scalars(
            select(col(AgendaItem.id))
            .where(col(AgendaItem.case_id) == case.id, col(AgendaItem.outcome).is_(None))
        ).first()
        if pending is not None:
            raise Conflict(f"the case is already on undecided agenda item {pending}")
        if clean["extra_members"]:
            _check_extra_members(s, case, clean["extra_members"])
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id, tally={}, **clean)  # type: ignore[arg-type]
        s.add(item)
        s.flush()
        audit.append_event(
            s, case_id=case.id, at=now, actor=actor, action="place_on_agenda",  # type: ignore[arg-type]
            tag="case:committee:placed_on_agenda", subject=f"agenda_item:{item.id}",
            from_state=case.state, to_state=case.state,
            payload={"item_id": item.id, "meeting_id": meeting.id, **clean},
        )
        uow.commit()
        return item.id  # type: ignore[return-value]


def _check_extra_members(s: Session, case: Case, user_ids: list[int]) -> None:
    """An item's extra members are, by Act 23③, the vice-minister of each agency concerned
    and the head of the local government concerned: officials of the agencies consulted on
    (or named by) the case, and of its local government. No one else votes on it - not its
    applicant, not the secretariat, not another city."""
    active = set(s.scalars(select(col(User.id)).where(
        col(User.id).in_(user_ids), col(User.active).is_(True)
    )))
    missing = [u for u in user_ids if u not in active]
    if missing:
        raise Invalid.field("extra_members", f"활성 사용자가 아닙니다 / Not active users: {missing}")
    concerned = set(s.scalars(select(col(User.id)).where(
        col(User.id).in_(user_ids), officials_concerned(s, case))))
    strangers = [u for u in user_ids if u not in concerned]
    if strangers:
        raise Invalid.field(
            "extra_members",
            "이 안건의 관계 기관이나 해당 지방자치단체의 공무원이 아닙니다(법 제23조제3항). / "
            f"Not officials of an agency or the local government concerned (Act 23③): {strangers}",
        )


def open_meeting(rt: Runtime, actor: Actor, meeting_id: int) -> None:
    """scheduled → open; every enrolled member (art. 23②③) is told the voting has begun,
    and reminded before it closes of the items still awaiting their vote."""
    require_secretariat(actor, "open meetings")
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        meeting = move_meeting(s, meeting_id, "scheduled", "open",
                               "only a scheduled meeting can be opened", opened_at=now)
        items = list(s.scalars(select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id)))
        members = set(standing_members(s)) | extra_members_of(items)
        notify.send(s, users=members, cause=f"meeting:{meeting.id}:opened", case_id=None,
                    message=_opened_message(meeting, len(items)), now=now)
        documents.issue(s, "committee:meeting_opened", {
            "meeting": meeting, "items": items, "engine": rt.engine, "members": len(members),
        }, now)
        schedule_vote_reminders(s, rt.engine, meeting, now)
        uow.after_commit(rt.publish)
        uow.commit()


def _opened_message(meeting: Meeting, n_items: int) -> notify.Message:
    until = meeting.ends_at.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    how_ko = "서면 심의" if meeting.mode == "written" else "대면 회의"
    how_en = "written deliberation" if meeting.mode == "written" else "meeting"
    return notify.Message(
        kind="committee:meeting_opened",
        subject_ko=f"[국가스마트도시위원회] {how_ko} 개시: {meeting.title}",
        subject_en=f"[National Smart City Committee] {how_en} opened: {meeting.title}",
        body_ko=(f"안건 {n_items}건에 대한 의결이 시작되었습니다 ({until}까지). "
                 "이해충돌이 있으면 회피를 신청하세요."),
        body_en=(f"Voting on {n_items} agenda item(s) is open until {until}. "
                 "Declare any conflict of interest to be recused."),
    )


def record_attendance(rt: Runtime, actor: Actor, meeting_id: int, present: Any) -> None:
    """Replace who sat in the room (in-person meetings only): it counts toward quorum
    (Decree art. 26②) even for members who then do not vote."""
    require_secretariat(actor, "record attendance")
    if not isinstance(present, list) or not all(
        isinstance(u, int) and not isinstance(u, bool) for u in present
    ):
        raise Invalid.field("present", "사용자 id 목록 / A list of user ids.")
    with rt.uow() as uow:
        s = uow.session
        # Exclusive: two racing replacements must not interleave their delete and insert.
        meeting = lock_meeting(s, meeting_id, exclusive=True)
        if meeting.mode != "in_person":
            raise Conflict("a written deliberation has no attendance: those who vote are present")
        if meeting.status == "closed":
            raise Conflict("the meeting is closed")
        items = list(s.scalars(select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id)))
        allowed = set(standing_members(s)) | extra_members_of(items)
        strangers = sorted(set(present) - allowed)
        if strangers:
            raise Invalid.field(
                "present", f"이 회의의 위원이 아닙니다 / Not members of this meeting: {strangers}"
            )
        s.execute(delete(Attendance).where(col(Attendance.meeting_id) == meeting.id))
        if present:
            rows = [{"meeting_id": meeting.id, "user_id": u} for u in sorted(set(present))]
            s.execute(insert(Attendance), rows)
        uow.commit()
