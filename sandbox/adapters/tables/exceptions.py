"""The special exception (규제 특례) an approved business plan holds, and its life."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .columns import json_field, utc_field

__all__ = ["SpecialException"]


class SpecialException(SQLModel, table=True):
    """One per approved plan; its state machine is ``workflows/special_exception.yaml``.

    The dates are KST calendar days. ``ends_on`` is the last day of the original term
    (4 years, Act 51②, 53-3①); ``extended_until`` the last day after the one extension
    (Decree 54); neither is set while a 2021 deemed extension runs (no end date).
    """

    __tablename__ = "special_exception"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", unique=True)
    process: str = Field(default="special_exception", max_length=40)
    definition_version: int
    state: str = Field(max_length=40, index=True)
    version: int = 1
    kind: str = Field(max_length=20)  # innovation | demonstration
    approved_on: date
    effective_on: date
    started_on: date | None = None
    ends_on: date | None = None
    extended_until: date | None = None
    extension_used: bool = False
    extension_months: int | None = None
    deemed_extension: bool = False
    # Conditions of approval (Act 49⑦) and the exceptions granted (law, article, reason).
    conditions: list[Any] = json_field(default=list)
    exceptions: list[Any] = json_field(default=list)
    # Insurance, correction orders, revocation, incidents, reports, law amendment: facts
    # recorded by the transitions' effects, shown on the case and in documents.
    record: dict[str, Any] = json_field()
    flags: dict[str, Any] = json_field()
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
