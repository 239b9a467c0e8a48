"""Pages for everyone, signed in or not: the register (filterable, CSV) and the
resident-opinion comment form for districts in their public notice period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain.errors import Conflict, Invalid, NotFound
from ..services import public, worklists
from ..services.register_csv import as_csv
from ..vocabulary import state_label
from .common import org_names, page, page_number, rt
from .i18n import lang

bp = Blueprint("public_pages", __name__)
FILTERS = ("kind", "status", "local_government", "q")


def _filtered() -> tuple[list[dict[str, Any]], dict[str, str], list[dict[str, Any]]]:
    everything = public.register_entries(rt())
    chosen = {k: (request.args.get(k) or "").strip() for k in FILTERS}
    rows = everything
    for key in ("kind", "status", "local_government"):
        if chosen[key]:
            rows = [r for r in rows if str(r.get(key) or "") == chosen[key]]
    if chosen["q"]:
        q = chosen["q"].lower()
        rows = [r for r in rows if q in " ".join(str(r.get(k) or "") for k in
                                                   ("name", "operator", "area", "reference")).lower()]
    return rows, chosen, everything


REGISTER_PER_PAGE = 50  # a page, not the whole register, however many entries it holds


@bp.route("/register")
def register() -> Any:
    rows, chosen, everything = _filtered()
    options = {k: sorted({str(r.get(k)) for r in everything if r.get(k)}) for k in
               ("kind", "status", "local_government")}
    page_no = page_number()
    shown = rows[(page_no - 1) * REGISTER_PER_PAGE: page_no * REGISTER_PER_PAGE]
    return page("public/register.html", rows=shown, total=len(rows), page_no=page_no,
                per_page=REGISTER_PER_PAGE, chosen=chosen, options=options, orgs=org_names(),
                statuses=_status_labels(everything), query={k: v for k, v in chosen.items() if v})


# A district's status is its case's state, a project's that of its special exception.
_STATUS_PROCESS = {"district": "district_designation", "project": "special_exception"}


def _status_labels(entries: list[dict[str, Any]]) -> dict[str, str]:
    engine = rt().engine
    return {str(e["status"]): state_label(engine, _STATUS_PROCESS[e["kind"]], e["status"], lang())
            for e in entries if e.get("status")}


@bp.route("/register/export.csv")
def register_csv() -> Response:
    """The rows the filters select, as CSV (UTF-8 with BOM, for Korean spreadsheets)."""
    rows, _chosen, _all = _filtered()
    return Response(as_csv(rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=register.csv"})


@bp.route("/opinions")
def opinions() -> Any:
    return page("public/opinions.html", districts=worklists.open_for_comment(rt()), orgs=org_names())


@bp.route("/opinions/<int:case_id>", methods=["GET", "POST"])
def comment(case_id: int) -> Any:
    district = worklists.public_case(rt(), case_id)
    if district is None:
        abort(404)
    if request.method == "GET":
        return page("public/comment.html", district=district, orgs=org_names(), values={})
    try:
        public.add_comment(rt(), case_id, request.form.get("name", ""), request.form.get("body", ""))
    except Invalid as exc:
        return page("public/comment.html", district=district, orgs=org_names(), values=request.form,
                    errors=exc.errors)
    except (NotFound, Conflict):
        abort(404)
    flash(_("Thank you. Your opinion is attached to the district's file."), "success")
    return redirect(url_for("public_pages.comment", case_id=case_id, sent=1))
