"""Reading one's notifications (the outbox rows addressed to the caller)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from ..adapters.tables import Notification
from ..engine.actors import Actor
from .runtime import Runtime

__all__ = ["list_notifications", "mark_read", "mark_all_read", "counts", "unread_count"]


def list_notifications(
    rt: Runtime, actor: Actor, *, page: int, per_page: int, unread_only: bool = False
) -> list[Notification]:
    with rt.uow() as uow:
        query = select(Notification).where(Notification.user_id == actor.user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))  # type: ignore[union-attr]
        query = query.order_by(Notification.id.desc()).offset((page - 1) * per_page)  # type: ignore[union-attr]
        return list(uow.session.scalars(query.limit(per_page)))


def mark_read(rt: Runtime, actor: Actor, notification_id: int) -> bool:
    with rt.uow() as uow:
        result = uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.user_id == actor.user_id,
                   Notification.read_at.is_(None))  # type: ignore[union-attr]
            .values(read_at=rt.clock.now())
        )
        uow.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_all_read(rt: Runtime, actor: Actor, up_to: int) -> int:
    """Every unread notification of the caller up to ``up_to``, the newest the reader's page
    showed: one that arrived after the page was drawn stays unread, since nobody saw it."""
    with rt.uow() as uow:
        result = uow.session.execute(
            update(Notification)
            .where(Notification.user_id == actor.user_id, Notification.id <= up_to,  # type: ignore[operator]
                   Notification.read_at.is_(None))  # type: ignore[union-attr]
            .values(read_at=rt.clock.now())
        )
        uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def counts(rt: Runtime, actor: Actor) -> tuple[int, int]:
    """How many notifications the caller has, and how many of them are unread."""
    with rt.uow() as uow:
        total = uow.session.scalar(select(func.count()).where(
            Notification.user_id == actor.user_id)) or 0
        return total, uow.session.scalar(_unread_of(actor)) or 0


def unread_count(rt: Runtime, actor: Actor) -> int:
    """How many of the caller's notifications are unread (the navigation shows it)."""
    with rt.uow() as uow:
        return uow.session.scalar(_unread_of(actor)) or 0


def _unread_of(actor: Actor) -> Any:
    """The count of the caller's unread notifications (the partial index ix_notification_unread)."""
    return select(func.count()).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
