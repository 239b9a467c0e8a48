"""Use cases on a case's attachments: add, list, download.

Who may add: the filer while it may still change what it filed (draft, supplement or
modification requested), and the local government of a business plan while it pre-reviews
it (Act 49②: its opinion and required measures come with the plan). Everyone who may see
the case may read its attachments; anyone else is told it does not exist (404). The type is
judged by content (sandbox.domain.filetypes), never by the name or the client's word.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import defer

from ..adapters.tables import Attachment, Case
from ..domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..domain.filetypes import safe_filename, sniff
from ..engine import audit
from ..engine.access import holds
from ..engine.actors import Actor
from .cases import EDITABLE, FILER_ROLES
from .runtime import Runtime
from .visibility import case_filter, visible_case

__all__ = ["TooLarge", "UnsupportedType", "add_attachment", "list_attachments", "get_attachment",
           "may_attach"]

KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ACCEPTED = "PDF, PNG, JPEG, GIF, WebP, HWP/HWPX, DOC/DOCX, XLS/XLSX, PPT/PPTX"
# A local government attaches its pre-review of a business plan (Act 49②).
LOCAL_REVIEW = ("project_approval", "local_government_review")


class TooLarge(DomainError):
    status = 413
    title = "Payload too large"


class UnsupportedType(DomainError):
    status = 415
    title = "Unsupported media type"


def _check_may_add(actor: Actor, case: Case) -> None:
    is_filer = holds("filer", actor, case, None, FILER_ROLES.get(case.process, ()))
    reviews = (holds("local_government", actor, case, None, ())
               and case.process == LOCAL_REVIEW[0])
    if not (is_filer or reviews):
        raise Forbidden("only the filer (or the reviewing local government) may attach files")
    if is_filer and case.state in EDITABLE:
        return
    if reviews and case.state == LOCAL_REVIEW[1]:
        return
    raise Conflict(f"files cannot be attached while the case is '{case.state}'")


def may_attach(rt: Runtime, actor: Actor, case_id: int) -> bool:
    """Whether ``add_attachment`` would accept a file from the caller now (pages offer the
    upload form only then); the same rule, not a copy of it."""
    with rt.uow() as uow:
        try:
            _check_may_add(actor, visible_case(uow.session, actor, case_id))
        except DomainError:
            return False
        return True


def too_large(max_bytes: int) -> TooLarge:
    """The refusal of a file over ``max_bytes``, in the size people read (20 MB), the exact
    bytes beside it."""
    size = (f"{max_bytes / 2**20:.3g} MB" if max_bytes >= 2**20 else
            f"{max_bytes / 2**10:.3g} KB" if max_bytes >= 2**10 else f"{max_bytes} B")
    return TooLarge(f"파일은 {size}({max_bytes:,}바이트) 이하여야 합니다. / "
                    f"A file may be at most {size} ({max_bytes:,} bytes).")


def _check_content(kind: Any, data: bytes, max_bytes: int) -> Any:
    if not isinstance(kind, str) or not KIND.match(kind):
        raise Invalid.field("kind", "영문 소문자, 숫자, _ (40자 이하) / Lowercase letters, digits "
                                    "and _ (at most 40), e.g. plan, safety_evidence, local_review.")
    if not data:
        raise Invalid.field("file", "빈 파일입니다. / The file is empty.")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    found = sniff(data)
    if found is None:
        raise UnsupportedType(f"허용되지 않는 파일 형식입니다 ({ACCEPTED}). / "
                              f"This file type is not accepted ({ACCEPTED}); the content decides, "
                              "not the name.")
    return found


def _as_dict(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "case_id": a.case_id, "kind": a.kind, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "created_at": a.created_at.isoformat()}


def add_attachment(
    rt: Runtime, actor: Actor, case_id: int, *, kind: Any, filename: str | None, data: bytes,
    max_bytes: int,
) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        case = visible_case(s, actor, case_id)
        _check_may_add(actor, case)
        found = _check_content(kind, data, max_bytes)
        attachment = Attachment(
            case_id=case.id, kind=kind, filename=safe_filename(filename, found),  # type: ignore[arg-type]
            content_type=found.content_type, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), content=data,
            uploaded_by=actor.user_id, created_at=now,  # type: ignore[arg-type]
        )
        s.add(attachment)
        s.flush()
        result = _as_dict(attachment)
        audit.append_event(
            s, case_id=case.id, at=now, actor=actor, action="attach",  # type: ignore[arg-type]
            tag="case:attachment:added", subject=f"attachment:{attachment.id}",
            from_state=case.state, to_state=case.state,
            payload={k: v for k, v in result.items() if k not in ("case_id", "created_at")},
        )
        uow.commit()
        return result


def list_attachments(rt: Runtime, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    with rt.uow() as uow:
        s = uow.session
        visible_case(s, actor, case_id)
        rows = s.scalars(
            select(Attachment).options(defer(Attachment.content))  # type: ignore[arg-type]
            .where(Attachment.case_id == case_id).order_by(Attachment.id)  # type: ignore[arg-type]
        ).all()
        return [_as_dict(a) for a in rows]


def get_attachment(rt: Runtime, actor: Actor, attachment_id: int) -> dict[str, Any]:
    """One attachment with its content, if the caller may see its case (else 404)."""
    with rt.uow() as uow:
        attachment = uow.session.scalars(
            select(Attachment).where(
                Attachment.id == attachment_id,
                exists().where(Case.id == Attachment.case_id, case_filter(actor)),
            )
        ).first()
        if attachment is None:
            raise NotFound("no such attachment")
        return {**_as_dict(attachment), "content": attachment.content}
