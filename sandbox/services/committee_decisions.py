"""Closing a meeting: every agenda item is decided and recorded with its full tally.

Quorum is a majority of the enrolled members present; a resolution passes with a majority
of those present voting for (Enforcement Decree art. 26②), enrolled being the standing
members (Smart City Act art. 23②) plus the item's extra members (art. 23③), less the
recused. A passed item fires the case transition its proposal names, through the one door;
an item without quorum or not passed leaves the case where it is, for re-tabling.

All of it is one transaction. The conditional UPDATE on the meeting's status lets exactly
one of two racing closes through; the other gets 409 and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ..adapters.tables import AgendaItem, Case, Meeting
from ..domain.calendar import KST
from ..domain.tally import OUTCOME_PASSED, outcome_of
from ..engine import audit, documents, door, notify
from ..engine.actors import COMMITTEE, Actor
from ..engine.runtime import Engine
from .committee import move_meeting, require_secretariat
from .committee_reminders import cancel_vote_reminders
from .committee_views import standing_members, tally_of
from .exceptions import committee_subject
from .runtime import Runtime

__all__ = ["close_meeting"]

# outcome: (label ko, label en, sentence ko, sentence en)
OUTCOME_LABELS = {
    "passed": ("가결", "passed", "가결되었습니다", "passed"),
    "not_passed": ("부결", "not passed", "부결되었습니다", "not passed"),
    "no_quorum": ("정족수 미달", "no quorum", "의사정족수(재적 과반 출석) 미달로 의결되지 않았습니다",
                  "not decided: a majority of the enrolled members was not present"),
}
PROPOSAL_LABELS = {
    "approve": ("원안 의결", "approve"),
    "approve_with_conditions": ("조건부 의결", "approve with conditions"),
    "reject": ("불승인 의결", "reject"),
    "request_modification": ("보완·수정 요구 의결", "request modification"),
}


def close_meeting(rt: Runtime, actor: Actor, meeting_id: int) -> None:
    """open → closed, deciding every undecided item of the meeting."""
    require_secretariat(actor, "close meetings")
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        meeting = move_meeting(s, meeting_id, "open", "closed",
                               "only an open meeting can be closed", closed_at=now)
        standing = standing_members(s)
        items = s.scalars(
            select(AgendaItem)
            .where(col(AgendaItem.meeting_id) == meeting.id, col(AgendaItem.outcome).is_(None))
            .order_by(col(AgendaItem.id))
        ).all()
        for item in items:
            _decide(s, rt.engine, now, meeting, item, standing)
        cancel_vote_reminders(s, meeting.id)  # type: ignore[arg-type]
        uow.after_commit(rt.publish)
        uow.commit()


def _decide(
    s: Session, engine: Engine, now: datetime, meeting: Meeting, item: AgendaItem,
    standing: list[int],
) -> None:
    tally = tally_of(s, meeting, item, standing)
    outcome = outcome_of(tally)
    counted = tally.as_dict()
    item.tally, item.outcome, item.decided_at = counted, outcome, now
    s.add(item)
    s.flush()
    case = s.scalars(select(Case).where(col(Case.id) == item.case_id).with_for_update()).one()
    definition = engine.definition(case)
    resolution = {
        "item_id": item.id, "meeting_id": meeting.id, "proposal": item.proposal,
        "conditions": list(item.conditions or []), "extension_months": item.extension_months,
        "tally": counted,
    }
    # The item decides the case or its exception (an extension, a revocation).
    subject = committee_subject(s, engine, case, item.proposal)
    if outcome == OUTCOME_PASSED and subject is not None:
        door.fire(s, engine, now, COMMITTEE, subject, item.proposal, resolution, case=case)
    else:
        # Not passed or no quorum: the case stays for re-tabling. A passed item whose case
        # has meanwhile left the committee's hands is recorded but moves nothing.
        tag = f"case:committee:{outcome}" if outcome != OUTCOME_PASSED else "case:committee:moot"
        audit.append_event(
            s, case_id=case.id, at=now, actor=COMMITTEE, action="committee_decision",  # type: ignore[arg-type]
            tag=tag, subject=f"agenda_item:{item.id}", from_state=case.state, to_state=case.state,
            payload={**resolution, "outcome": outcome},
        )
    users = notify.recipients(s, ["filer", "secretariat"], case=case, filer_roles=definition.filer_roles)
    notify.send(s, users=users, cause=f"agenda_item:{item.id}:decided", case_id=case.id,
                message=_decision_message(case, meeting, item.proposal, outcome, counted), now=now)
    documents.issue(s, "committee:item_decided", {
        "meeting": meeting, "item": item, "case": case, "outcome": outcome, "engine": engine,
    }, now)


def _decision_message(
    case: Case, meeting: Meeting, proposal: str, outcome: str, t: dict[str, Any]
) -> notify.Message:
    ref = case.reference or f"#{case.id}"
    out_ko, out_en, said_ko, said_en = OUTCOME_LABELS[outcome]
    prop_ko, prop_en = PROPOSAL_LABELS.get(proposal, (proposal, proposal))
    on = (meeting.closed_at or meeting.ends_at).astimezone(KST).strftime("%Y-%m-%d")
    counts_ko = (f"재적 {t['enrolled']}, 회피 {t['recused']}, 출석 {t['present']}, "
                 f"찬성 {t['for']}, 반대 {t['against']}, 기권 {t['abstain']}")
    counts_en = (f"enrolled {t['enrolled']}, recused {t['recused']}, present {t['present']}, "
                 f"for {t['for']}, against {t['against']}, abstain {t['abstain']}")
    after_ko = " 재상정을 기다립니다." if outcome != OUTCOME_PASSED else ""
    after_en = " The case awaits re-tabling." if outcome != OUTCOME_PASSED else ""
    return notify.Message(
        kind=f"committee:{outcome}",
        subject_ko=f"[{ref}] 국가스마트도시위원회 심의 결과: {out_ko}",
        subject_en=f"[{ref}] National Smart City Committee decision: {out_en}",
        body_ko=(f"{on} '{meeting.title}'에서 {ref} 안건({prop_ko})이 {said_ko}. "
                 f"({counts_ko}; 스마트도시법 시행령 제26조제2항){after_ko}"),
        body_en=(f"At '{meeting.title}' ({on}) the item on {ref} (proposal: {prop_en}) was "
                 f"{said_en} ({counts_en}; Enforcement Decree art. 26(2)).{after_en}"),
    )
