"""The filing flow: a task list of sections, each validated on its own, saved as it goes
(resume any time), then "check your answers", then the case reference.

Sections come from ``SECTIONS`` per process; a process without an entry gets one section
with every field of its data schema, so a new process can be filed before anyone designs
its sections.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.errors import DomainError, Invalid, NotFound
from ..services import drafts, worklists
from ..services.case_data import SCHEMAS
from ..services.case_views import describe_case
from .common import actor, choices, flash_error, org_names, page, roles, rt
from .forms import Field, parse, posted_rows, schema_fields
from .i18n import lang

bp = Blueprint("filing", __name__)
FILERS = ("applicant", "local_government", "secretariat")

# (key, title, fields). Seam: the plan process's sections are ready for when it lands.
SECTIONS: dict[str, list[tuple[str, Any, list[str]]]] = {
    "district_designation": [
        ("about", _l("About the district"), ["name", "local_government", "designation_end"]),
        ("area", _l("Area"), ["area_description", "area_km2"]),
        ("plan", _l("The plan"), ["plan_summary"]),
    ],
    "project_approval": [
        ("about", _l("About the project"), ["title", "kind", "local_government"]),
        # 2020 only: the district of the chosen local government (DOMAIN 1, 2).
        ("district", _l("District"), ["district_id"]),
        ("summary", _l("What the service does"), ["summary"]),
        ("exceptions", _l("Exceptions requested"), ["requested_exceptions"]),
        ("safety", _l("Safety and compensation"), ["safety_measures", "compensation_plan"]),
        ("agencies", _l("Regulating agencies"), ["regulating_agencies"]),
        ("operator", _l("Operator"), ["operator"]),
    ],
    "rapid_confirmation": [
        ("about", _l("The question"), ["title", "description"]),
        ("agencies", _l("Agencies to ask"), ["agencies"]),
    ],
}
# Fields filed elsewhere (combined filing of plans with a district comes with the plans).
HIDDEN = {"projects"}


def has_districts() -> bool:
    return bool(rt().engine.rules(rt().rule_set).has("districts"))


def answered_fields(schema: Any) -> list[str]:
    """The fields a filer answers. Under the 2021 rule set there are no districts: a plan
    is nationwide (Act 49 as amended)."""
    hidden = HIDDEN if has_districts() else {*HIDDEN, "district_id"}
    return [n for n in schema().fields if n not in hidden]


def answer_specs(process: str, data: dict[str, Any]) -> list[Any]:
    """A case's answers as people read them, on its page and on an agency's consultation
    page alike: the fields the filer answered, the district by name."""
    schema = SCHEMAS.get(process)
    if schema is None:
        return []
    return with_district_choice(schema_fields(schema, answered_fields(schema), choices(), data), data)


def sections(process: str) -> list[tuple[str, Any, list[str]]]:
    declared = answered_fields(SCHEMAS[process])
    listed = SECTIONS.get(process, [])
    covered = {f for _, _, names in listed for f in names}
    rest = [n for n in declared if n not in covered]
    out = [(k, t, [n for n in names if n in declared]) for k, t, names in listed]
    out = [s for s in out if s[2]]
    if rest:
        out.append(("details", _l("Details"), rest))
    return out


def _specs(process: str, names: list[str] | None, data: dict[str, Any]) -> list[Any]:
    return with_district_choice(schema_fields(SCHEMAS[process], names, choices(), data), data)


def with_district_choice(specs: list[Any], data: dict[str, Any]) -> list[Any]:
    """A plan's district is a choice among its area's districts (designated or on the way),
    shown by name wherever the plan's answers are shown."""
    districts = rt().engine.registry.get("district_designation")
    for i, f in enumerate(specs):
        if f.name == "district_id":
            found = worklists.district_choices(rt(), data.get("local_government"))
            options = [(str(d["id"]), f'{d["name"]} ({d["reference"]}, '
                                      f'{districts.label(d["state"], lang())})') for d in found]
            hint = _l("Districts of the local government you chose that are designated or "
                      "under review") if options else _l(
                "The local government you chose has no district designated or under review: "
                "a plan needs one under the 2020 rules (ask the local government to file one).")
            specs[i] = Field(f.name, "select", f.label, True, hint, choices=options)
    return specs


def _section(process: str, key: str) -> tuple[str, Any, list[str]]:
    for s in sections(process):
        if s[0] == key:
            return s
    abort(404)


def _draft(draft_id: int) -> Any:
    try:
        return drafts.get(rt(), actor(), draft_id)
    except NotFound:
        abort(404)


@bp.route("/file")
@roles(*FILERS)
def choose() -> Any:
    filable = sorted(p for p in rt().engine.registry.processes() if drafts.may_file(rt(), actor(), p))
    return page("filing/choose.html", filable=filable, drafts=drafts.mine(rt(), actor()))


@bp.route("/file/<process>", methods=["POST"])
@roles(*FILERS)
def start(process: str) -> Any:
    if not drafts.may_file(rt(), actor(), process):
        abort(404)
    initial = {"local_government": actor().org} if actor().role == "local_government" else {}
    draft_id = drafts.start(rt(), actor(), process, initial)
    return redirect(url_for("filing.tasks", draft_id=draft_id))


@bp.route("/drafts/<int:draft_id>")
@roles(*FILERS)
def tasks(draft_id: int) -> Any:
    draft = _draft(draft_id)
    secs = sections(draft.process)
    complete = all(k in draft.done for k, _, _ in secs)
    return page("filing/tasks.html", draft=draft, sections=secs, complete=complete)


@bp.route("/drafts/<int:draft_id>/<key>", methods=["GET", "POST"])
@roles(*FILERS)
def section(draft_id: int, key: str) -> Any:
    draft = _draft(draft_id)
    skey, title, names = _section(draft.process, key)
    if request.method == "GET":
        specs = _specs(draft.process, names, draft.data)
        return page("filing/section.html", draft=draft, key=skey, title=title, specs=specs,
                    values=draft.data)
    data, errors = parse(_specs(draft.process, names, posted_rows(request.form, draft.data)),
                         request.form)
    adding = request.form.get("add")
    if adding:  # "add another" row of a repeating group: keep what was typed, show one more
        grown = {**draft.data, **data}
        grown[adding] = [*(grown.get(adding) or [{}]), {}]
        specs = _specs(draft.process, names, grown)
        return page("filing/section.html", draft=draft, key=skey, title=title, specs=specs, values=grown)
    if "district_id" in names and not data.get("district_id") and not request.form.get("later"):
        errors["district_id"] = [str(_l("Choose the district"))]
    try:
        if errors:
            raise Invalid(errors)
        drafts.save_section(rt(), actor(), draft_id, skey, names, data)
    except Invalid as exc:
        if request.form.get("later"):
            return redirect(url_for("filing.tasks", draft_id=draft_id))
        specs = _specs(draft.process, names, data)
        return page("filing/section.html", draft=draft, key=skey, title=title, specs=specs,
                    values={**draft.data, **data}, errors={**exc.errors, **errors})
    _forget_a_district_of_another_area(draft, names, data)
    if request.form.get("later") or request.args.get("back") == "check":
        target = "filing.check" if request.args.get("back") == "check" else "filing.tasks"
        return redirect(url_for(target, draft_id=draft_id))
    following = [k for k, _, _ in sections(draft.process)]
    after = following[following.index(skey) + 1:] if skey in following else []
    fresh = drafts.get(rt(), actor(), draft_id)
    nxt = next((k for k in after if k not in fresh.done), None)
    if nxt:
        return redirect(url_for("filing.section", draft_id=draft_id, key=nxt))
    return redirect(url_for("filing.tasks", draft_id=draft_id))


def _forget_a_district_of_another_area(draft: Any, names: list[str], data: dict[str, Any]) -> None:
    """Under the 2020 rule set a plan runs in a district of its own local government: when
    the local government changes, a district of the old one is cleared and its step asked
    again, instead of being refused only at the check page."""
    chosen = draft.data.get("district_id")
    area = data.get("local_government")
    if "local_government" not in names or not chosen or area == draft.data.get("local_government"):
        return
    if str(chosen) not in {str(d["id"]) for d in worklists.district_choices(rt(), area)}:
        drafts.forget(rt(), actor(), draft.id, "district", ["district_id"])


@bp.route("/drafts/<int:draft_id>/check", methods=["GET", "POST"])
@roles(*FILERS)
def check(draft_id: int) -> Any:
    draft = _draft(draft_id)
    secs = sections(draft.process)
    missing = [k for k, _, _ in secs if k not in draft.done]
    if missing:
        return redirect(url_for("filing.section", draft_id=draft_id, key=missing[0]))
    if request.method == "POST":
        attach_first = request.form.get("then") == "attach"
        try:
            case_id = drafts.file_draft(rt(), actor(), draft_id, submit=not attach_first)
        except Invalid as exc:
            return page("filing/check.html", draft=draft, sections=secs, orgs=org_names(),
                        specs_of=_specs_of(draft), errors=exc.errors)
        except DomainError as exc:
            return flash_error(exc, url_for("filing.check", draft_id=draft_id))
        if attach_first:
            flash(_("Saved as a draft case. Attach your files below, then submit it from this page."))
            return redirect(url_for("case_pages.show", case_id=case_id) + "#attachments-title")
        return redirect(url_for("filing.confirmation", case_id=case_id))
    return page("filing/check.html", draft=draft, sections=secs, orgs=org_names(), specs_of=_specs_of(draft))


def _specs_of(draft: Any) -> dict[str, Any]:
    return {k: _specs(draft.process, names, draft.data)
            for k, _, names in sections(draft.process)}


@bp.route("/drafts/<int:draft_id>/delete", methods=["GET", "POST"])
@roles(*FILERS)
def delete(draft_id: int) -> Any:
    """A draft's answers cannot be brought back: the button asks first, on a page of its
    own (no script needed), and only the POST from that page deletes."""
    draft = _draft(draft_id)
    if request.method == "GET":
        return page("filing/delete.html", draft=draft)
    drafts.discard(rt(), actor(), draft_id)
    flash(_("The draft filing is deleted."), "success")
    return redirect(url_for("home.dashboard"))


@bp.route("/cases/<int:case_id>/filed")
@roles(*FILERS)
def confirmation(case_id: int) -> Any:
    case = describe_case(rt(), actor(), case_id)
    return page("filing/confirmation.html", case=case)
