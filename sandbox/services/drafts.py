"""Filings in progress: answers saved section by section, then filed as one case.

The per-process data schemas (``case_data.SCHEMAS``) validate both each section (only its
fields) and, at the end, the whole; filing goes through ``cases.file_case`` and the
``submit`` action like any other client, so no rule lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlmodel import col

from ..adapters.tables import FilingDraft
from ..domain.errors import DomainError, Forbidden, Invalid, NotFound
from ..engine.actors import Actor
from . import cases
from .case_data import SCHEMAS, flatten_errors
from .runtime import Runtime

__all__ = ["start", "get", "mine", "save_section", "discard", "file_draft", "validate_section"]


def _own(s: Any, actor: Actor, draft_id: int) -> FilingDraft:
    draft = s.get(FilingDraft, draft_id)
    if draft is None or draft.user_id != actor.user_id:
        raise NotFound("no such draft")
    return draft


def may_file(rt: Runtime, actor: Actor, process: str) -> bool:
    if process not in rt.engine.registry.processes() or process not in SCHEMAS:
        return False
    return actor.role in rt.engine.registry.get(process).filer_roles


def start(rt: Runtime, actor: Actor, process: str, initial: dict[str, Any] | None = None) -> int:
    if not may_file(rt, actor, process):
        raise Forbidden(f"a {actor.role} may not file a {process}")
    now = rt.clock.now()
    with rt.uow() as uow:
        draft = FilingDraft(user_id=actor.user_id, process=process, data=dict(initial or {}),  # type: ignore[arg-type]
                            done=[], created_at=now, updated_at=now)
        uow.session.add(draft)
        uow.commit()
        return draft.id  # type: ignore[return-value]


def get(rt: Runtime, actor: Actor, draft_id: int) -> FilingDraft:
    with rt.uow() as uow:
        return _own(uow.session, actor, draft_id)


def mine(rt: Runtime, actor: Actor) -> list[FilingDraft]:
    with rt.uow() as uow:
        return list(uow.session.scalars(
            select(FilingDraft).where(col(FilingDraft.user_id) == actor.user_id)
            .order_by(col(FilingDraft.updated_at).desc()).limit(50)
        ))


def validate_section(process: str, fields: Iterable[str], data: dict[str, Any]) -> dict[str, Any]:
    """Only the section's fields, each with its schema's rules (required ones included)."""
    names = tuple(fields)
    schema = SCHEMAS[process](only=names)
    try:
        loaded = schema.load({k: v for k, v in data.items() if k in names})
    except ValidationError as exc:
        raise Invalid(flatten_errors(exc.messages, "data")) from None
    return schema.dump(loaded)  # type: ignore[no-any-return]


def save_section(
    rt: Runtime, actor: Actor, draft_id: int, section: str, fields: Iterable[str], data: dict[str, Any]
) -> None:
    """Keep what was typed even when it is invalid (nothing typed is lost), then validate;
    the section counts as done only once it is valid."""
    names = tuple(fields)
    with rt.uow() as uow:
        draft = _own(uow.session, actor, draft_id)
        merged = {**draft.data, **{k: data.get(k) for k in names}}
        done = [d for d in draft.done if d != section]
        error: Invalid | None = None
        try:
            merged.update(validate_section(draft.process, names, data))
            done.append(section)
        except Invalid as exc:
            error = exc
        draft.data, draft.done, draft.updated_at = merged, done, rt.clock.now()
        uow.session.add(draft)
        uow.commit()
    if error is not None:
        raise error


def forget(rt: Runtime, actor: Actor, draft_id: int, section: str, fields: Iterable[str]) -> None:
    """Clear answers that no longer hold (a district of another area, once the local
    government changed); their section is to be answered again."""
    names = set(fields)
    with rt.uow() as uow:
        draft = _own(uow.session, actor, draft_id)
        draft.data = {k: v for k, v in draft.data.items() if k not in names}
        draft.done = [d for d in draft.done if d != section]
        draft.updated_at = rt.clock.now()
        uow.session.add(draft)
        uow.commit()


def discard(rt: Runtime, actor: Actor, draft_id: int) -> None:
    with rt.uow() as uow:
        uow.session.delete(_own(uow.session, actor, draft_id))
        uow.commit()


def file_draft(rt: Runtime, actor: Actor, draft_id: int, *, submit: bool = True) -> int:
    """File the draft as a case and submit it; the draft is gone once the case exists.

    A case whose ``submit`` is refused (a direct designation, say) stays in ``draft`` and
    its page offers the actions that are possible. ``submit=False`` keeps the case in
    ``draft`` on purpose: files are attached to a case, so a filer who has files to attach
    (a plan, drawings) files first, attaches them on the case's page and submits there.
    """
    draft = get(rt, actor, draft_id)
    case_id = cases.file_case(rt, actor, draft.process, draft.data)
    discard(rt, actor, draft_id)
    definition = rt.engine.registry.get(draft.process)
    if submit and "submit" in definition.triggers:
        try:
            cases.fire_action(rt, actor, case_id, "submit", {})
        except DomainError:
            pass  # the case is filed; its page shows what can happen next
    return case_id
