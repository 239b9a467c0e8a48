"""The National Smart City Committee's meetings, agenda items, attendance and votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .columns import json_field, utc_field

__all__ = ["Meeting", "AgendaItem", "Attendance", "Recusal", "Vote"]


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    mode: str = Field(max_length=20)  # in_person | written
    status: str = Field(default="scheduled", max_length=20, index=True)
    starts_at: datetime = utc_field()
    ends_at: datetime = utc_field()
    created_at: datetime = utc_field()
    opened_at: datetime | None = utc_field(nullable=True)
    closed_at: datetime | None = utc_field(nullable=True)


class AgendaItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    proposal: str = Field(max_length=40)
    conditions: list[str] = json_field(default=list)
    extension_months: int | None = None
    extra_members: list[int] = json_field(default=list)
    outcome: str | None = Field(default=None, max_length=20)
    tally: dict[str, Any] = json_field()
    decided_at: datetime | None = utc_field(nullable=True)


class Attendance(SQLModel, table=True):
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class Recusal(SQLModel, table=True):
    item_id: int = Field(foreign_key="agendaitem.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    reason: str
    created_at: datetime = utc_field()


class Vote(SQLModel, table=True):
    """One row per member and item: a second vote replaces the first."""

    item_id: int = Field(foreign_key="agendaitem.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    choice: str = Field(max_length=10)
    cast_at: datetime = utc_field()
