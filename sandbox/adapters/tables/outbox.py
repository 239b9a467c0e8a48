"""The outbox: notifications written in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from .columns import utc_field

__all__ = ["Notification"]


class Notification(SQLModel, table=True):
    __table_args__ = (
        Index("ix_notification_user", "user_id", "id"),
        Index("ix_notification_mail", "mail_status", "id"),
        # The unread count every signed-in page shows: only the unread rows, however many a
        # reader has read.
        Index("ix_notification_unread", "user_id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    # One notification per event and recipient, however often the cause is retried.
    key: str = Field(max_length=200, unique=True)
    user_id: int = Field(foreign_key="user.id")
    case_id: int | None = Field(default=None, foreign_key="case.id")
    kind: str = Field(max_length=60)
    subject_ko: str = Field(max_length=300)
    subject_en: str = Field(max_length=300)
    body_ko: str
    body_en: str
    created_at: datetime = utc_field()
    read_at: datetime | None = utc_field(nullable=True)
    # pending | sending | sent | failed | skipped: e-mail delivery state, driven by the
    # outbox worker (services/outbox.py). ``sending`` is a claim with a lease: a worker
    # killed mid-send leaves it, and the outbox sweep takes it back once the lease is over.
    mail_status: str = Field(default="pending", max_length=20)
    mail_attempts: int = 0
    mailed_at: datetime | None = utc_field(nullable=True)
    mail_claimed_at: datetime | None = utc_field(nullable=True)
    mail_error: str | None = Field(default=None, max_length=500)
