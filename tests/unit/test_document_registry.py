"""workflows/documents.yaml is sound: every event exists, every template and builder too."""

from __future__ import annotations

from sandbox.adapters.templating import TEMPLATES_DIR
from sandbox.engine import hook_modules  # noqa: F401  (registers the context builders)
from sandbox.engine.documents import CONTEXTS, registry
from sandbox.engine.runtime import load_engine

COMMITTEE_EVENTS = {"committee:meeting_opened", "committee:item_decided"}


def test_every_document_names_real_events_templates_and_builders():
    engine = load_engine()
    triggers = {f"{d.process}:{t.trigger}" for d in engine.registry.all() for t in d.transitions}
    for spec in registry().values():
        assert (TEMPLATES_DIR / "documents" / spec.template).is_file(), spec.template
        assert spec.context in CONTEXTS, spec.context
        assert spec.title.get("ko") and spec.title.get("en") and spec.law.get("ko")
        unknown = set(spec.on) - triggers - COMMITTEE_EVENTS
        assert not unknown, f"{spec.kind}: no such event {unknown}"


def test_the_district_and_committee_documents_are_there():
    assert {"receipt", "supplement_request", "return_notice", "consultation_request",
            "committee_agenda", "committee_resolution", "designation_notice"} <= set(registry())
