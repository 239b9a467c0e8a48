"""Organisations, users and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .columns import utc_field

__all__ = ["Organisation", "User", "ApiToken"]


class Organisation(SQLModel, table=True):
    # kind: ministry, agency, local_government, company
    code: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=20)
    name_ko: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=30, index=True)
    org_code: str = Field(foreign_key="organisation.code", max_length=40, index=True)
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = utc_field()


class ApiToken(SQLModel, table=True):
    """Only the SHA-256 of a token is kept; revoking sets ``revoked_at``."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(default="api", max_length=20)
    created_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True)
