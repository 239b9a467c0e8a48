"""Durable timers: every deadline and reminder is a row (ARCHITECTURE rule 3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .columns import json_field, utc_field

__all__ = ["Timer"]


class Timer(SQLModel, table=True):
    # The sweep reads "pending and due" through this index, so its cost does not grow
    # with the number of pending timers.
    __table_args__ = (
        Index("ix_timer_status_due_at", "status", "due_at"),
        Index("ix_timer_subject", "subject_type", "subject_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for a meeting's timers (a meeting deliberates several cases).
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    subject_type: str = Field(max_length=20)  # case | consultation | exception | meeting
    subject_id: int
    kind: str = Field(max_length=60)
    # pending | paused | fired | cancelled
    status: str = Field(default="pending", max_length=20)
    due_at: datetime = utc_field()
    last_day: date | None = None
    counted_from: datetime = utc_field()
    period: dict[str, Any] = json_field()
    extra_days: int = 0
    paused_at: datetime | None = utc_field(nullable=True)
    trigger: str | None = Field(default=None, max_length=60)
    parent_id: int | None = Field(default=None, foreign_key="timer.id")
    reminder_days: int | None = None
    created_at: datetime = utc_field()
    fired_at: datetime | None = utc_field(nullable=True)
    attempts: int = 0
    last_error: str | None = None
