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
        # The state filters and per-process laws name states and processes that exist.
        processes = {event.split(":", 1)[0] for event in spec.on}
        states = {s for d in engine.registry.all() if d.process in processes for s in d.states}
        assert set(spec.from_states) | set(spec.to_states) <= states, spec.kind
        assert set(spec.law_by_process) <= processes, spec.kind
        assert all(law.get("ko") and law.get("en") for law in spec.law_by_process.values())


def test_the_district_and_committee_documents_are_there():
    assert {"receipt", "supplement_request", "return_notice", "consultation_request",
            "committee_agenda", "committee_resolution", "designation_notice"} <= set(registry())


def test_the_plan_exception_and_rapid_documents_are_there():
    assert {"approval_certificate", "extension_certificate", "deemed_extension_certificate",
            "rapid_reply", "correction_order", "revocation_notice", "expiry_notice"} <= set(registry())
    specs = registry()
    # special_exception:approve from revocation_committee is a revocation, not an extension.
    assert specs["extension_certificate"].from_states == ("extension_requested",)
    assert not specs["extension_certificate"].applies({"from_state": "revocation_committee"})
    assert specs["expiry_notice"].applies({"to_state": "expired"})
    assert not specs["expiry_notice"].applies({"to_state": "pending_law_amendment"})
    assert "제49조의2" in specs["receipt"].law_for("rapid_confirmation:submit")["ko"]
    assert "제49조(" in specs["receipt"].law_for("project_approval:submit")["ko"]
    assert "제48조의2" in specs["receipt"].law_for("district_designation:submit")["ko"]
