"""SQLModel tables: the schema's single description (Alembic reads their metadata)."""

from sqlmodel import SQLModel

from .cases import Attachment, AuditEvent, Case, Comment, Consultation, Document
from .committee import AgendaItem, Attendance, Meeting, Recusal, Vote
from .exceptions import SpecialException
from .outbox import Notification
from .people import ApiToken, Organisation, User
from .timers import Timer
from .web import FilingDraft, LoginFailure

metadata = SQLModel.metadata

__all__ = [
    "AgendaItem",
    "ApiToken",
    "Attachment",
    "Attendance",
    "AuditEvent",
    "Case",
    "Comment",
    "Consultation",
    "Document",
    "FilingDraft",
    "Meeting",
    "Notification",
    "LoginFailure",
    "Organisation",
    "Recusal",
    "SpecialException",
    "Timer",
    "User",
    "Vote",
    "metadata",
]
