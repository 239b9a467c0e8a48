"""Documents into the outbox, in the transaction that issued them (ARCHITECTURE rule 4).

Which document an event issues is data (``workflows/documents.yaml``): this module loads
that registry, asks the named context builder for the facts, and writes one ``Document``
row per document with a unique key and the facts frozen in its ``context``. The PDF is
rendered after commit (services/documents.py), so a slow renderer never holds a decision's
transaction, and what the PDF says is what was true when the decision was taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ..adapters.tables import Document
from .notify import stash

__all__ = [
    "DocumentSpec", "Issue", "CONTEXTS", "PURE", "context_builder", "registry", "issue",
    "load_registry", "rows_for", "insert_rows", "prepare",
]

REGISTRY_FILE = Path(__file__).resolve().parents[2] / "workflows" / "documents.yaml"


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: Mapping[str, str]
    on: tuple[str, ...]
    template: str
    context: str
    law: Mapping[str, str]
    # The law a document cites may depend on the process that issued it (a receipt for a
    # plan rests on Act 49, for a district on Act 48-2): {process: {ko, en}}.
    law_by_process: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Only these transitions issue it (a trigger shared by two paths, e.g. ``approve``).
    from_states: tuple[str, ...] = ()
    to_states: tuple[str, ...] = ()

    def law_for(self, event: str) -> dict[str, str]:
        return dict(self.law_by_process.get(event.split(":", 1)[0]) or self.law)

    def applies(self, facts: Mapping[str, Any]) -> bool:
        if self.from_states and facts.get("from_state") not in self.from_states:
            return False
        return not (self.to_states and facts.get("to_state") not in self.to_states)


@dataclass(frozen=True)
class Issue:
    """What a context builder hands back: one document, keyed within its event."""

    key: str
    case_id: int
    facts: dict[str, Any]
    # Who may read it besides the case's usual readers' filter: an agency code, say.
    audience: str | None = None


# A builder gets (session, event facts, the spec, now) and returns the documents to issue.
ContextBuilder = Callable[[Session, Mapping[str, Any], DocumentSpec, datetime], Iterable[Issue]]
CONTEXTS: dict[str, ContextBuilder] = {}
# Builders that read only the event's facts, never the database: their documents can be
# written by the statement that moves the case (engine/combined.py), before it runs.
PURE: set[str] = set()


def context_builder(name: str, *, pure: bool = False) -> Callable[[ContextBuilder], ContextBuilder]:
    def register(fn: ContextBuilder) -> ContextBuilder:
        CONTEXTS[name] = fn
        if pure:
            PURE.add(name)
        return fn

    return register


def load_registry(path: Path = REGISTRY_FILE) -> dict[str, DocumentSpec]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs: dict[str, DocumentSpec] = {}
    for entry in raw["documents"]:
        spec = DocumentSpec(
            kind=entry["kind"], title=entry["title"], on=tuple(entry["events"]),
            template=entry["template"], context=entry["context"], law=entry["law"],
            law_by_process=entry.get("law_by_process") or {},
            from_states=tuple(entry.get("from_states") or ()),
            to_states=tuple(entry.get("to_states") or ()),
        )
        if spec.kind in specs:
            raise ValueError(f"documents.yaml: {spec.kind} listed twice")
        specs[spec.kind] = spec
    return specs


@cache
def registry() -> dict[str, DocumentSpec]:
    return load_registry()


@cache
def specs_for(event: str) -> tuple[DocumentSpec, ...]:
    return tuple(s for s in registry().values() if event in s.on)


def rows_for(session: Session, event: str, facts: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The document rows ``event`` issues (none, usually), facts frozen in ``context``."""
    from . import hook_modules  # noqa: F401  (registers the context builders)

    rows = []
    for spec in specs_for(event):
        if not spec.applies(facts):
            continue
        for found in CONTEXTS[spec.context](session, facts, spec, now):
            context = {
                **found.facts,
                "kind": spec.kind, "title": dict(spec.title), "law": spec.law_for(event),
                "template": spec.template, "event": event, "audience": found.audience,
                "issued_at": now.isoformat(),
            }
            rows.append({
                "key": f"{spec.kind}:{found.key}"[:200], "case_id": found.case_id,
                "kind": spec.kind, "status": "pending", "context": context, "created_at": now,
                "attempts": 0,
            })
    return rows


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Write document rows; keys make it idempotent (a replayed event issues nothing new)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(Document).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite_insert(Document).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(Document)
    ids = list(session.scalars(stmt.returning(Document.id), rows).all())
    stash(session, "document", ids)
    return ids


def issue(session: Session, event: str, facts: Mapping[str, Any], now: datetime) -> list[int]:
    """Write the documents ``event`` issues; returns the new rows' ids."""
    return insert_rows(session, rows_for(session, event, facts, now))


def _event(ctx: Any) -> str:
    return f"{ctx.definition.process}:{ctx.transition.trigger}"


def _transition_facts(ctx: Any, cause: str) -> dict[str, Any]:
    return {
        "case": ctx.case, "subject": ctx.subject, "subject_type": ctx.subject_type,
        "definition": ctx.definition, "engine": ctx.engine, "actor": ctx.actor,
        "payload": dict(ctx.payload), "raw_payload": dict(ctx.raw_payload),
        "from_state": ctx.from_state, "to_state": ctx.to_state,
        "started": dict(ctx.started), "cause": cause,
    }


def prepare(ctx: Any, cause: str) -> list[dict[str, Any]] | None:
    """The rows a transition issues, computed before it is written, when every builder
    involved is pure; ``None`` when one needs the database as the move leaves it."""
    event = _event(ctx)
    specs = specs_for(event)
    if any(spec.context not in PURE for spec in specs):
        return None
    return rows_for(ctx.session, event, _transition_facts(ctx, cause), ctx.now) if specs else []


def on_transition(session: Session, ctx: Any, cause: str) -> None:
    """The door's hook: documents issued by ``<process>:<trigger>`` of a case, consultation or
    exception."""
    event = _event(ctx)
    if specs_for(event):
        issue(session, event, _transition_facts(ctx, cause), ctx.now)
