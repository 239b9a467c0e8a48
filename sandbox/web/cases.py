"""The case page (for everyone allowed to see the case) and the forms of its actions.

What a person may do comes from the engine (``actions`` of the case); each action's form
comes from the payload its transition declares. Seams: ``ACTION_TEMPLATES`` gives an action
a form of its own, ``PANELS`` adds per-process panels (the exception countdown of an
approved plan) to the case page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, request
from flask_babel import gettext as _
from markupsafe import Markup

from ..domain.calendar import KST
from ..domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..domain.particles import attach
from ..engine.actors import COMMITTEE, RESIDENT, SYSTEM
from ..services import attachments, cases, consultations, documents, worklists
from ..services.case_data import SCHEMAS
from ..services.case_views import describe_case
from ..vocabulary import OWN_ACTORS, action_label
from .attachments import KINDS
from .common import actor, back_to_case, choices, flash_error, org_names, page, page_number, roles, rt
from .diagram import render_svg
from .filing import answer_specs
from .forms import error_list, parse, payload_fields, posted_rows
from .i18n import format_time, lang
from .i18n import last_day as _last_day

bp = Blueprint("case_pages", __name__)
SIGNED_IN = ("applicant", "local_government", "agency", "committee_member", "secretariat")

# Seams for process-specific pages: an action's own form template, and panels on the page.
ACTION_TEMPLATES: dict[tuple[str, str], str] = {}
PANELS: dict[str, list[str]] = {
    "project_approval": ["cases/panels/exception.html"],
}


def _describe(case_id: int) -> dict[str, Any]:
    try:
        return describe_case(rt(), actor(), case_id)
    except NotFound:
        abort(404)


def _subject(case: dict[str, Any], action: str) -> tuple[str, str, int]:
    """(process, state, version) of what ``action`` moves: the case, or its special
    exception when the action is the exception's (as services.exceptions.subject_for
    routes it), so the form posts the exception's own version."""
    ex = case.get("exception")
    if ex is not None:
        definition = rt().engine.registry.get("special_exception")
        if action in definition.triggers:
            return "special_exception", ex["state"], ex["version"]
    return case["process"], case["state"], case["version"]


def _transition(case: dict[str, Any], action: str) -> Any:
    process, state, _version = _subject(case, action)
    found = rt().engine.registry.get(process).candidates(action, state)
    return found[0] if found else None


def action_specs(case: dict[str, Any], action: str) -> list[Any]:
    t = _transition(case, action)
    return payload_fields(dict(t.payload), choices()) if t is not None else []


def days_left(last_day: Any) -> dict[str, int] | None:
    """Calendar days and working days from today (KST) to a deadline's last day."""
    if last_day is None:
        return None
    day = _last_day(last_day)
    if day is None:
        return None
    today = rt().clock.now().astimezone(KST).date()
    calendar = rt().engine.calendar
    if day < today:
        return {"calendar": (day - today).days, "working": -calendar.working_days_between(day, today)}
    return {"calendar": (day - today).days, "working": calendar.working_days_between(today, day)}


@bp.app_template_global()
def left(last_day: Any) -> dict[str, int] | None:
    return days_left(last_day)


@bp.app_template_global()
def insurance_gap(exception: dict[str, Any]) -> str | None:
    """"expired", or "ends_before" the exception's end, when the liability insurance on file
    does not cover the rest of a term still running (Decree 57: the cover is a condition of
    running the service); None when it does, or nothing needs it any more."""
    until = (exception.get("insurance") or {}).get("valid_until")
    definition = rt().engine.registry.get("special_exception")
    term = next((t for t in definition.timers if t.kind == "term_end"), None)
    if not until or term is None or exception["state"] not in term.runs_in:
        return None
    left_on_cover = days_left(until)
    if left_on_cover is not None and left_on_cover["calendar"] < 0:
        return "expired"
    end = exception.get("extended_until") or exception.get("ends_on")
    return "ends_before" if end and until < end else None


@bp.app_template_global()
def actor_name(label: str) -> str:
    """Who, as the history table shows it: the audit trail's label (hash-chained, so kept
    as written, in English for the engine's own actors) in the reader's language, without
    the e-mail address."""
    if label == SYSTEM.label:
        return str(OWN_ACTORS[SYSTEM.role])
    if label == COMMITTEE.label:
        return str(OWN_ACTORS[COMMITTEE.role])
    if label.startswith(RESIDENT):
        return str(_("%(name)s (resident)", name=label.removeprefix(RESIDENT)))
    return label.split(" <")[0]


@bp.route("/cases")
@roles(*SIGNED_IN)
def index() -> Any:
    page_no = page_number()
    process = request.args.get("process") or None
    state = request.args.get("state") or None
    if process and process not in rt().engine.registry.processes():
        process = None
    rows, total = worklists.case_rows(rt(), actor(), process=process, state=state,
                                      page=page_no, per_page=20)
    return page("cases/index.html", rows=rows, total=total, page_no=page_no, per_page=20,
                process=process, state=state, processes=sorted(rt().engine.registry.processes()))


@bp.route("/cases/<int:case_id>")
@roles(*SIGNED_IN)
def show(case_id: int) -> Any:
    return render_case(case_id)


def _deadline_rows(case: dict[str, Any], definition: Any) -> list[dict[str, Any]]:
    """The deadlines table of the case page, as the lists count them: those running or
    paused, soonest first (an insurance's last day before the term's end); when none runs,
    the state's own deadline that has passed (the lists show it as overdue too); and each
    open consultation's reply deadline, by agency."""
    running = [{**d, "agency": None} for d in case["deadlines"] if d["status"] in ("pending", "paused")]
    rows = sorted(running, key=lambda d: d["due_at"] or "")
    if not rows:
        own = {t.kind for t in definition.timers if case["state"] in t.starts_in}
        passed = [d for d in case["deadlines"] if d["status"] == "fired" and d["kind"] in own]
        rows += [{**d, "agency": None} for d in passed[-1:]]
    for c in case["consultations"]:
        if c["state"] in ("open", "awaiting_supplement", "overdue") and c["due_at"]:
            # due_at is 00:00 KST after the last day (domain.periods.deadline_instant)
            last = (datetime.fromisoformat(c["due_at"]).astimezone(KST) - timedelta(days=1)).date()
            status = "paused" if c["paused"] else "fired" if c["state"] == "overdue" else "pending"
            rows.append({"kind": "reply_due", "last_day": last.isoformat(), "due_at": c["due_at"],
                         "status": status, "agency": c["agency"]})
    return rows


def render_case(case_id: int, status: int = 200, **extra: Any) -> Any:
    """The case page; ``extra`` carries the upload form's errors when it is shown again."""
    case = _describe(case_id)
    uploaded = error_list(extra.pop("upload_errors", {}))
    definition = rt().engine.registry.get(case["process"], None)
    events = cases.history(rt(), actor(), case_id)
    forms = {a: action_specs(case, a) for a in case["actions"]}
    versions = {a: _subject(case, a)[2] for a in case["actions"]}
    latest = _latest_step(events)
    asked = latest if latest is not None and latest.to_state == case["state"] and latest.payload else None
    specs = answer_specs(case["process"], case["data"])
    # A district's page lists the plans filed for it (combined filings, and plans in a
    # designated district under the 2020 rule set) that the reader may see.
    plans, plans_total = ([], 0)
    if case["process"] == "district_designation":
        plans, plans_total = worklists.case_rows(rt(), actor(), district_id=case_id, per_page=50)
    return page(
        "cases/show.html", case=case, events=events, forms=forms, versions=versions,
        latest=asked, specs=specs, attachments=attachments.list_attachments(rt(), actor(), case_id),
        documents=documents.list_documents(rt(), actor(), case_id),
        may_attach=attachments.may_attach(rt(), actor(), case_id), attachment_kinds=KINDS,
        upload_errors=uploaded[0], upload_summary=uploaded[1],
        upload_values=extra.pop("upload_values", {}), status=status,
        orgs=org_names(), definition=definition, deadline_rows=_deadline_rows(case, definition),
        diagram=Markup(render_svg(definition, case["state"], lang())),  # noqa: S704 - escaped in render_svg
        editable=case["state"] in cases.EDITABLE and actor().role in definition.filer_roles
        and actor().org == case["filer_org"],
        panels=PANELS.get(case["process"], []),
        comments=[e for e in events if e.action == "comment"],
        plans=plans, plans_total=plans_total,
    )


@bp.route("/cases/<int:case_id>/actions/<action>", methods=["GET", "POST"])
@roles(*SIGNED_IN)
def act(case_id: int, action: str) -> Any:
    case = _describe(case_id)
    if action not in case["actions"]:
        flash(_gone_message(case, action), "error")
        return redirect(back_to_case(case_id))
    specs = action_specs(case, action)
    version = _subject(case, action)[2]
    template = ACTION_TEMPLATES.get((case["process"], action), "cases/action.html")
    shown = {"case": case, "action": action, "specs": specs, "version": version}
    if request.method == "GET":
        return page(template, values={}, **shown)
    payload, errors = parse(specs, request.form, typed=True)
    if errors:
        return page(template, values=request.form, errors=errors, **shown)
    payload["version"] = request.form.get("version", type=int)
    try:
        cases.fire_action(rt(), actor(), case_id, action, payload)
    except Invalid as exc:
        return page(template, values=request.form, errors=exc.errors, **shown)
    except (Conflict, Forbidden) as exc:
        return flash_error(exc, back_to_case(case_id))
    flash(_("Done: %(action)s", action=action_label(action)), "success")
    return redirect(back_to_case(case_id))


def _latest_step(events: list[Any]) -> Any:
    """The latest step is the latest transition: an attachment, a comment or an agenda
    placement recorded since does not replace what that step asked."""
    triggers = {t for d in rt().engine.registry.all() for t in d.triggers}
    return next((e for e in reversed(events) if e.action in triggers), None)


def _gone_message(case: dict[str, Any], action: str) -> str:
    """Why the form's action is no longer offered. When the form was filled in on an older
    version (two people working on one case), say who moved the case meanwhile and to what,
    so the second person knows why their form did not go through."""
    posted = request.form.get("version", type=int) if request.method == "POST" else None
    latest = None
    if posted is not None and posted != _subject(case, action)[2]:
        latest = _latest_step(cases.history(rt(), actor(), case["id"]))
    if latest is None:
        return str(_("That action is not possible now."))
    return attach(str(_(
        "The case changed after you opened the form: %(step)s by %(who)s at %(when)s. "
        "%(action)s is no longer possible; check the case below.",
        step=action_label(latest.action), who=actor_name(latest.actor_label),
        when=format_time(latest.at), action=action_label(action))))


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@roles("applicant", "local_government", "secretariat")
def edit(case_id: int) -> Any:
    case = _describe(case_id)
    if case["process"] not in SCHEMAS:
        abort(404)
    schema = SCHEMAS[case["process"]]
    if request.method == "GET":
        specs = answer_specs(case["process"], case["data"])
        return page("cases/edit.html", case=case, specs=specs, values=case["data"])
    shape = posted_rows(request.form, case["data"])
    data, errors = parse(answer_specs(case["process"], shape), request.form)
    adding = request.form.get("add")
    if adding:
        grown = {**case["data"], **data}
        grown[adding] = [*(grown.get(adding) or [{}]), {}]
        specs = answer_specs(case["process"], grown)
        return page("cases/edit.html", case=case, specs=specs, values=grown)
    try:
        cases.update_case(rt(), actor(), case_id, request.form.get("version", type=int),
                          {**_cleared(schema, case["data"]), **data})
    except Invalid as exc:
        specs = answer_specs(case["process"], {**case["data"], **data})
        return page("cases/edit.html", case=case, specs=specs, values=data, errors={**exc.errors, **errors})
    except DomainError as exc:
        return flash_error(exc, back_to_case(case_id))
    flash(_("Your changes are saved."), "success")
    return redirect(back_to_case(case_id))


def _cleared(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Optional fields emptied on the form must be emptied in the case too."""
    return {n: None for n, f in schema().fields.items() if not f.required and f.allow_none and n in data}


@bp.route("/cases/<int:case_id>/consultations/<int:consultation_id>/answer", methods=["POST"])
@roles("applicant", "local_government", "secretariat")
def answer(case_id: int, consultation_id: int) -> Any:
    text = (request.form.get("answer") or "").strip()
    try:
        consultations.answer_supplement(rt(), actor(), consultation_id, {"answer": text})
    except Invalid as exc:
        case = _describe(case_id)
        return page("cases/answer.html", case=case, consultation_id=consultation_id,
                    values=request.form, errors=exc.errors)
    except NotFound:
        abort(404)
    except DomainError as exc:
        return flash_error(exc, back_to_case(case_id))
    flash(_("Your answer was sent to the agency."), "success")
    return redirect(back_to_case(case_id))
