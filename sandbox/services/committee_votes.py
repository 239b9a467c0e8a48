"""Use cases of a committee member on one agenda item: recusal and the vote.

A member with a conflict of interest declares it before voting and is recused: neither
enrolled nor present for that item (Smart City Act art. 23②③, Enforcement Decree art. 26②).
A member votes ``for``, ``against`` or ``abstain`` while the meeting is open; a second vote
replaces the first (one row per member and item, written by an upsert so two racing votes
of the same member leave exactly one row).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from ..adapters.tables import AgendaItem, Recusal, Vote
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.tally import CHOICES
from ..engine.actors import Actor
from .committee import lock_meeting
from .committee_views import is_member
from .runtime import Runtime

__all__ = ["declare_recusal", "cast_vote"]


def _member_item(s: Session, actor: Actor, item_id: int) -> tuple[Any, AgendaItem]:
    """The meeting (held FOR SHARE) and the item (held FOR UPDATE: one member's recusal and
    vote on it cannot cross), once the actor is known to be a member for it."""
    item = s.get(AgendaItem, item_id)
    if item is None:
        raise NotFound("no such agenda item")
    if not is_member(actor, item):
        raise Forbidden("only the members enrolled for this item may recuse or vote on it")
    meeting = lock_meeting(s, item.meeting_id)
    item = s.scalars(
        select(AgendaItem).where(col(AgendaItem.id) == item_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return meeting, item


def _recused(s: Session, item_id: int | None, user_id: int | None) -> bool:
    return s.get(Recusal, (item_id, user_id)) is not None


def declare_recusal(rt: Runtime, actor: Actor, item_id: int, reason: Any) -> None:
    """Declare a conflict of interest on one item, before voting on it."""
    with rt.uow() as uow:
        s = uow.session
        meeting, item = _member_item(s, actor, item_id)
        if meeting.status == "closed" or item.outcome is not None:
            raise Conflict("the meeting is closed")
        if s.get(Vote, (item.id, actor.user_id)) is not None:
            raise Conflict("you have voted on this item; recusal must come before the vote")
        if not isinstance(reason, str) or not reason.strip():
            raise Invalid.field("reason", "회피 사유를 입력하세요. / Give the reason for recusal.")
        if _recused(s, item.id, actor.user_id):
            raise Conflict("you are already recused from this item")
        s.execute(insert(Recusal).values(
            item_id=item.id, user_id=actor.user_id, reason=reason.strip()[:2000],
            created_at=rt.clock.now(),
        ))
        uow.commit()


def cast_vote(rt: Runtime, actor: Actor, item_id: int, choice: Any) -> None:
    """Vote on one item of an open meeting; a second vote replaces the first."""
    if choice not in CHOICES:
        raise Invalid.field("choice", "for, against 또는 abstain / One of: for, against, abstain.")
    with rt.uow() as uow:
        s = uow.session
        meeting, item = _member_item(s, actor, item_id)
        if meeting.status != "open" or item.outcome is not None:
            raise Conflict(f"votes are taken only while the meeting is open (it is {meeting.status})")
        if _recused(s, item.id, actor.user_id):
            raise Conflict("you are recused from this item")
        now = rt.clock.now()
        values = {"item_id": item.id, "user_id": actor.user_id, "choice": choice, "cast_at": now}
        dialect = s.get_bind().dialect.name
        upsert: Any = pg_insert(Vote) if dialect == "postgresql" else sqlite_insert(Vote)
        s.execute(
            upsert.values(**values).on_conflict_do_update(
                index_elements=["item_id", "user_id"], set_={"choice": choice, "cast_at": now},
            )
        )
        uow.commit()
