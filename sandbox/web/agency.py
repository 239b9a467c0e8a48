"""A central agency's pages: its consultations by due date, the case file, the reply with
its four positions, supplement requests and the one extension (Act 49④⑤)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain.errors import DomainError, Invalid, NotFound
from ..services import consultations, worklists
from ..services.case_views import describe_case
from ..services.committee_views import meetings_awaiting_my_vote
from .common import actor, flash_error, org_names, page, page_number, roles, rt
from .filing import answer_specs

bp = Blueprint("agency", __name__)
# Positions per process of the consulted case; a rapid confirmation asks about permits.
POSITIONS = {
    "rapid_confirmation": ["permit_required", "no_permit_required"],
}
DEFAULT_POSITIONS = ["consent", "consent_with_conditions", "object", "not_applicable"]


@bp.route("/agency/consultations")
@roles("agency", "secretariat")
def inbox() -> Any:
    state = request.args.get("state") or None
    page_no = page_number()
    items, total = consultations.list_consultations(rt(), actor(), state, page_no, per_page=30)
    return page("agency/inbox.html", items=items, total=total, page_no=page_no, per_page=30,
                state=state, refs=worklists.consultation_cases(rt(), [c["case_id"] for c in items]),
                orgs=org_names(), sitting=meetings_awaiting_my_vote(rt(), actor()))


def _load(consultation_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        c = consultations.get_consultation(rt(), actor(), consultation_id)
        return c, describe_case(rt(), actor(), c["case_id"])
    except NotFound:
        abort(404)


def _show(consultation_id: int, status: int = 200, **extra: Any) -> Any:
    c, case = _load(consultation_id)
    return page("agency/consultation.html", status, c=c, case=case,
                specs=answer_specs(case["process"], case["data"]), orgs=org_names(),
                positions=POSITIONS.get(case["process"], DEFAULT_POSITIONS),
                values=extra.pop("values", {}), form=extra.pop("form", None), **extra)


@bp.route("/consultations/<int:consultation_id>")
@roles("agency", "secretariat")
def show(consultation_id: int) -> Any:
    return _show(consultation_id)


ACTIONS = {
    "reply": (consultations.reply, ("position", "comment", "conditions", "requirements")),
    "request-supplement": (consultations.request_supplement, ("questions",)),
    "extend": (consultations.extend, ("days",)),
}


@bp.route("/consultations/<int:consultation_id>/<what>", methods=["POST"])
@roles("agency")
def act(consultation_id: int, what: str) -> Any:
    if what not in ACTIONS:
        abort(404)
    service, names = ACTIONS[what]
    body: dict[str, Any] = {n: (request.form.get(n) or "").strip() or None for n in names}
    errors: dict[str, list[str]] = {}
    if what == "reply" and not body["position"]:
        errors["position"] = [_("Choose your position")]
    if what == "extend":
        try:
            body["days"] = int(body["days"]) if body["days"] else None
        except ValueError:
            errors["days"] = [_("Enter a whole number of days")]
    body["version"] = request.form.get("version", type=int)
    if not errors:
        try:
            service(rt(), actor(), consultation_id, body)
        except Invalid as exc:
            errors = exc.errors
        except NotFound:
            abort(404)
        except DomainError as exc:
            return flash_error(exc, url_for("agency.show", consultation_id=consultation_id))
    if errors:
        return _show(consultation_id, values=request.form, form=what, errors=errors)
    flash(_("Sent."), "success")
    return redirect(url_for("agency.show", consultation_id=consultation_id))
