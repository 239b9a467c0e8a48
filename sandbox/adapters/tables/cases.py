"""Cases and what hangs off them: audit events, consultations, comments, files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from .columns import json_field, utc_field

__all__ = ["Case", "AuditEvent", "Consultation", "Comment", "Attachment", "Document"]


class Case(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=30, unique=True)
    process: str = Field(max_length=40, index=True)
    definition_version: int
    rule_set: str = Field(max_length=10)
    state: str = Field(max_length=40, index=True)
    version: int = 1
    data: dict[str, Any] = json_field()
    filer_user_id: int = Field(foreign_key="user.id")
    filer_org: str = Field(foreign_key="organisation.code", max_length=40, index=True)
    local_government: str | None = Field(default=None, max_length=40, index=True)
    district_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
    # Head of the case's hash chain; bumped under the row lock by every audit append.
    decision: dict[str, Any] = json_field()
    # Facts that do not change the state: a review flagged overdue, a late close (Act 49②).
    flags: dict[str, Any] = json_field()
    audit_seq: int = 0
    audit_head: str = Field(default="", max_length=64)


class AuditEvent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    seq: int
    at: datetime = utc_field()
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=200)
    action: str = Field(max_length=60)
    tag: str = Field(max_length=100)
    subject: str = Field(max_length=60)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str | None = Field(default=None, max_length=40)
    payload: dict[str, Any] = json_field()
    payload_digest: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Consultation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    agency: str = Field(foreign_key="organisation.code", max_length=40, index=True)
    process: str = Field(default="consultation", max_length=40)
    definition_version: int
    state: str = Field(max_length=40, index=True)
    version: int = 1
    opened_at: datetime = utc_field()
    extended: bool = False
    extension_days: int = 0
    position: str | None = Field(default=None, max_length=40)
    comment: str | None = None
    conditions: str | None = None
    requirements: str | None = None
    questions: str | None = None
    answer: str | None = None
    replied_at: datetime | None = utc_field(nullable=True)
    deemed: bool = False
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class Comment(SQLModel, table=True):
    """A resident's opinion on a district during the public notice period."""

    __table_args__ = (Index("ix_comment_source_created_at", "source", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    name: str = Field(max_length=100)
    body: str
    created_at: datetime = utc_field()
    # Where it came from, as a keyed digest of the client's address (services.public): enough
    # to count one source's comments, not the address itself (a resident's personal data).
    source: str | None = Field(default=None, max_length=64)


class Attachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=40)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: int = Field(foreign_key="user.id")
    created_at: datetime = utc_field()


class Document(SQLModel, table=True):
    """An issued document: rendered once, then immutable (its SHA-256 proves it).

    The row (with its ``context``, the facts frozen in the causing transaction) is written
    with the decision; the PDF is rendered after commit (services/documents.py).
    """

    __table_args__ = (UniqueConstraint("key"), Index("ix_document_status", "status", "id"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=40)
    status: str = Field(default="pending", max_length=20)
    context: dict[str, Any] = json_field()
    sha256: str | None = Field(default=None, max_length=64)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = utc_field()
    rendered_at: datetime | None = utc_field(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
