"""Small helpers so table modules read as lists of fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from ..types import UTCDateTime

__all__ = ["json_field", "utc_field"]


def utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def json_field(*, default: Any = dict) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))
