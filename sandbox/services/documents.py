"""Issued documents: rendered once after commit, then immutable; listed and downloaded.

The row was written with its facts by the transaction that issued it (engine/documents.py).
Rendering is safe to run twice and concurrently: both may typeset, only the first
conditional UPDATE stores a PDF, and a stored PDF is never replaced, so its SHA-256 keeps
proving it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col

from ..adapters.pdf import Renderer
from ..adapters.tables import Case, Document, Organisation, User
from ..adapters.templating import environment
from ..domain.errors import Conflict, NotFound
from ..engine.actors import Actor
from .runtime import Runtime
from .visibility import case_filter, visible_case

__all__ = [
    "item_documents",
    "render_document", "render_html", "resolve_parties", "list_documents", "get_document", "MAX_ATTEMPTS",
]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def render_html(context: dict[str, Any]) -> str:
    return environment().get_template(f"documents/{context['template']}").render(**context)


# The facts that name a party by its code (engine/documents: the door freezes codes, not
# names, so that a transition issuing a document costs no query).
PARTIES = ("filer", "local_government", "agency")


def resolve_parties(session: Any, context: dict[str, Any]) -> dict[str, Any]:
    """Name the parties a document's facts hold by code, as registered when it is rendered
    (once, right after the decision's commit; the PDF is then immutable)."""
    for key in PARTIES:
        party = context.get(key)
        if not isinstance(party, dict) or not party.get("code") or "name_ko" in party:
            continue
        org = session.get(Organisation, party["code"])
        named = {**party, "name_ko": org.name_ko if org else party["code"],
                 "name_en": org.name_en if org else party["code"]}
        if "user_id" in party:
            user = session.get(User, party["user_id"]) if party["user_id"] else None
            named["person"] = user.name if user else None
        context[key] = named
    return context


def _number(session: Any, doc: Document) -> str:
    """The document's number: its case's reference and its place among the case's
    documents (SB-2026-000001-03), fixed once issued since documents are never removed."""
    place = session.scalar(select(func.count()).select_from(Document).where(
        col(Document.case_id) == doc.case_id, col(Document.id) <= doc.id))
    return f"{doc.context.get('reference')}-{place:02d}"


def render_document(rt: Runtime, renderer: Renderer, document_id: int) -> str:
    """pending → issued. Returns what happened: issued, already, gone or failed."""
    with rt.uow() as uow:
        doc = uow.session.get(Document, document_id)
        if doc is None:
            return "gone"
        if doc.status != "pending":
            return "already"
        context = resolve_parties(uow.session, dict(doc.context))
        context["number"] = _number(uow.session, doc)
    try:
        pdf = renderer.render(render_html(context))
    except Exception as exc:
        with rt.uow() as uow:
            uow.session.execute(
                update(Document).where(col(Document.id) == document_id, col(Document.status) == "pending")
                .values(attempts=Document.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500])
            )
            uow.commit()
        raise
    digest = hashlib.sha256(pdf).hexdigest()
    with rt.uow() as uow:
        stored = uow.session.execute(
            update(Document)
            .where(col(Document.id) == document_id, col(Document.status) == "pending",
                   col(Document.sha256).is_(None))
            .values(status="issued", content=pdf, sha256=digest, rendered_at=rt.clock.now())
        ).rowcount  # type: ignore[attr-defined]
        uow.commit()
    return "issued" if stored else "already"


def _readable(actor: Actor, doc: Document) -> bool:
    # A consultation request goes to one agency: another agency on the same case does not
    # read it (deny by default, ARCHITECTURE rule 7).
    audience = (doc.context or {}).get("audience")
    return not (actor.role == "agency" and audience and audience != actor.org)


def list_documents(rt: Runtime, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    with rt.uow() as uow:
        visible_case(uow.session, actor, case_id)
        rows = uow.session.execute(
            select(Document.id, Document.kind, Document.created_at, Document.sha256, Document.status,
                   Document.rendered_at, Document.context)
            .where(col(Document.case_id) == case_id).order_by(col(Document.id))
        ).all()
    out = []
    for row in rows:
        doc = Document(kind=row.kind, case_id=case_id, key="", context=row.context)
        if not _readable(actor, doc):
            continue
        out.append({**_listed(row), "created_at": row.created_at, "sha256": row.sha256,
                    "rendered_at": row.rendered_at})
    return out


def _listed(row: Any) -> dict[str, Any]:
    """A document as a list shows it: its kind, state and title in both languages."""
    title = (row.context or {}).get("title") or {}
    return {"id": row.id, "kind": row.kind, "status": row.status,
            "title_ko": title.get("ko"), "title_en": title.get("en")}


# The documents of one agenda item, and where their context names the item.
ITEM_DOCUMENTS = {"committee_agenda": ("this_item",), "committee_resolution": ("item", "id")}


def item_documents(
    rt: Runtime, actor: Actor, items: list[tuple[int, int]]
) -> dict[int, list[dict[str, Any]]]:
    """The agenda and the resolution issued for each agenda item, given as (item id, case
    id), on the cases the reader may see: the meeting page links them where members vote.
    One query for the whole meeting."""
    wanted = {item_id for item_id, _case in items}
    if not wanted:
        return {}
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(Document.id, Document.kind, Document.status, Document.context)
            .join(Case, col(Case.id) == col(Document.case_id))
            .where(col(Document.case_id).in_(sorted({case for _item, case in items})),
                   col(Document.kind).in_(sorted(ITEM_DOCUMENTS)), case_filter(actor))
            .order_by(col(Document.id))
        ).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        named: Any = row.context or {}
        for step in ITEM_DOCUMENTS[row.kind]:
            named = named.get(step) if isinstance(named, dict) else None
        if named in wanted:
            found.setdefault(named, []).append(_listed(row))
    return found


def get_document(rt: Runtime, actor: Actor, document_id: int) -> tuple[bytes, str, str]:
    """The PDF, its SHA-256 and a file name; 404 when not visible, 409 while rendering."""
    with rt.uow() as uow:
        doc = uow.session.scalars(
            select(Document).join(Case, col(Case.id) == col(Document.case_id))
            .where(col(Document.id) == document_id, case_filter(actor))
        ).first()
        if doc is None or not _readable(actor, doc):
            raise NotFound("no such document")
        if doc.status != "issued" or doc.content is None or doc.sha256 is None:
            raise Conflict("the document is still being rendered; try again shortly")
        reference = (doc.context or {}).get("reference") or f"case-{doc.case_id}"
        return doc.content, doc.sha256, f"{reference}-{doc.kind}-{doc.id}.pdf"


def pending_documents(rt: Runtime, *, limit: int = 500) -> list[int]:
    with rt.uow() as uow:
        return list(uow.session.scalars(
            select(Document.id).where(col(Document.status) == "pending",
                                      col(Document.attempts) < MAX_ATTEMPTS)
            .order_by(col(Document.id)).limit(limit)
        ))
