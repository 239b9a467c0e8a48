"""Pages for everyone, signed in or not: the register (filterable, CSV) and the
resident-opinion comment form for districts in their public notice period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain.errors import Conflict, Invalid, NotFound, TooMany
from ..services import public, worklists
from ..services.register_csv import as_csv
from ..vocabulary import state_label
from .common import org_names, page, page_number, rt
from .i18n import bilingual, lang

bp = Blueprint("public_pages", __name__)
FILTERS = ("kind", "status", "local_government", "q")
REGISTER_PER_PAGE = 50  # a page, not the whole register, however many entries it holds
OPINIONS_PER_PAGE = 50


def _chosen() -> public.RegisterFilter:
    return public.RegisterFilter(**{k: (request.args.get(k) or "").strip() for k in FILTERS})


@bp.route("/register")
def register() -> Any:
    chosen = _chosen()
    page_no = page_number()
    rows, total = public.register_page(rt(), chosen, page_no, REGISTER_PER_PAGE)
    held = public.register_options(rt())
    statuses = {status: state_label(rt().engine, _STATUS_PROCESS[kind], status, lang())
                for kind, status in (k.split(":", 1) for k in held["status"])}
    options = {"kind": held["kind"], "local_government": held["local_government"],
               "status": sorted(statuses)}
    values = {k: getattr(chosen, k) for k in FILTERS}
    return page("public/register.html", rows=rows, total=total, page_no=page_no,
                per_page=REGISTER_PER_PAGE, chosen=values, options=options, orgs=org_names(),
                statuses=statuses, query={k: v for k, v in values.items() if v})


@bp.route("/register/<int:case_id>")
def register_entry(case_id: int) -> Any:
    """Everything the register publishes of one entry (DOMAIN "The public register"): the
    list shows the main columns, this page the exceptions with their target articles, the
    agencies, the start day and the operator's address too."""
    try:
        entry = public.register_entry(rt(), case_id)
    except NotFound:
        abort(404)
    shown_status = state_label(rt().engine, _STATUS_PROCESS[entry["kind"]], entry["status"], lang())
    return page("public/register_entry.html", entry=entry, shown_status=shown_status,
                exception_type=bilingual(entry.get("exception_type") or ""), orgs=org_names())


# A district's status is its case's state, a project's that of its special exception.
_STATUS_PROCESS = {"district": "district_designation", "project": "special_exception"}


@bp.route("/register/export.csv")
def register_csv() -> Response:
    """The rows the filters select, as CSV (UTF-8 with BOM, for Korean spreadsheets)."""
    return Response(as_csv(public.register_entries(rt(), _chosen())), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=register.csv"})


@bp.route("/opinions")
def opinions() -> Any:
    page_no = page_number()
    districts, total = worklists.open_for_comment(rt(), OPINIONS_PER_PAGE, page_no)
    return page("public/opinions.html", districts=districts, total=total, page_no=page_no,
                per_page=OPINIONS_PER_PAGE, orgs=org_names())


@bp.route("/opinions/<int:case_id>", methods=["GET", "POST"])
def comment(case_id: int) -> Any:
    district = worklists.public_case(rt(), case_id)
    if district is None:
        abort(404)
    if request.method == "GET":
        return page("public/comment.html", district=district, orgs=org_names(), values={})
    source = public.comment_source(request.remote_addr or "-", current_app.config["SECRET_KEY"])
    try:
        public.add_comment(rt(), case_id, request.form.get("name", ""), request.form.get("body", ""), source)
    except Invalid as exc:
        return page("public/comment.html", district=district, orgs=org_names(), values=request.form,
                    errors=exc.errors)
    except TooMany as exc:  # the text stays in the form, to send later
        return page("public/comment.html", 429, district=district, orgs=org_names(), values=request.form,
                    errors={"body": [exc.detail]})
    except (NotFound, Conflict):
        abort(404)
    flash(_("Thank you. Your opinion is attached to the district's file."), "success")
    return redirect(url_for("public_pages.comment", case_id=case_id, sent=1))
