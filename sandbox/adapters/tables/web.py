"""What the web pages keep: failed sign-ins (throttling) and half-filled filings.

A filing is validated section by section, so until every section is done its answers do
not yet make a valid case; they wait here and become a case at "check your answers".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .columns import json_field, utc_field

__all__ = ["LoginFailure", "FilingDraft"]


class LoginFailure(SQLModel, table=True):
    """One failed sign-in; counted per e-mail and per client address over a window."""

    __table_args__ = (
        Index("ix_loginfailure_email_at", "email", "at"),
        Index("ix_loginfailure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)
    at: datetime = utc_field()


class FilingDraft(SQLModel, table=True):
    """The answers of a filing in progress, owned by one user (resumable)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    process: str = Field(max_length=40)
    data: dict[str, Any] = json_field()
    done: list[str] = json_field(default=list)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
