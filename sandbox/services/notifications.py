"""Reading one's notifications (the outbox rows addressed to the caller)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..adapters.tables import Notification
from ..engine.actors import Actor
from .runtime import Runtime

__all__ = ["list_notifications", "mark_read", "counts", "unread_count"]


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


def counts(rt: Runtime, actor: Actor) -> tuple[int, int]:
    """How many notifications the caller has, and how many of them are unread."""
    with rt.uow() as uow:
        mine = Notification.user_id == actor.user_id
        total = uow.session.scalar(select(func.count()).where(mine)) or 0
        unread = uow.session.scalar(select(func.count()).where(
            mine, Notification.read_at.is_(None))) or 0  # type: ignore[union-attr]
        return total, unread


def unread_count(rt: Runtime, actor: Actor) -> int:
    """How many of the caller's notifications are unread (the navigation shows it)."""
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).where(
            Notification.user_id == actor.user_id,
            Notification.read_at.is_(None))) or 0  # type: ignore[union-attr]
