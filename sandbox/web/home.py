"""The front page and each role's main page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from ..services import consultations, drafts, worklists
from ..services.committee_views import list_meetings, meetings_awaiting_my_vote
from .common import actor, org_names, page, page_number, rt

bp = Blueprint("home", __name__)


@bp.route("/")
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    return page("home/index.html", open_districts=worklists.open_for_comment(rt(), limit=5))


def _filable() -> list[str]:
    return sorted(p for p in rt().engine.registry.processes() if drafts.may_file(rt(), actor(), p))


@bp.route("/dashboard")
@login_required
def dashboard() -> Any:
    role = current_user.role
    if role == "agency":
        return redirect(url_for("agency.inbox"))
    if role == "committee_member":
        return redirect(url_for("committee_pages.meetings"))
    if role == "secretariat":
        return _secretariat()
    page_no = page_number()
    rows, total = worklists.case_rows(rt(), actor(), page=page_no, per_page=20)
    # A local government's inbox: business plans of its area awaiting its pre-review (Act 49②).
    reviews = worklists.awaiting(rt(), actor(), "local_government", per_page=50)[0] \
        if role == "local_government" else []
    return page(
        "home/filer.html", rows=rows, total=total, page_no=page_no, per_page=20, reviews=reviews,
        asked=[r for r in rows if r["asked"]], drafts=drafts.mine(rt(), actor()),
        filable=_filable(),
        sitting=meetings_awaiting_my_vote(rt(), actor()) if role == "local_government" else [],
    )


def _secretariat() -> Any:
    a = actor()
    awaiting, _total = worklists.awaiting(rt(), a, "secretariat", per_page=20)
    overdue, _n = consultations.list_consultations(rt(), a, "overdue", 1, per_page=20)
    return page(
        "home/secretariat.html",
        awaiting=awaiting,
        overdue=overdue,
        refs=worklists.consultation_cases(rt(), [c["case_id"] for c in overdue]),
        orgs=org_names(),
        ready=worklists.committee_ready(rt(), a, limit=20),
        meetings=list_meetings(rt(), a, page=1, per_page=5),
        upcoming=worklists.upcoming_deadlines(rt(), a, days=90, limit=20),
        filable=_filable(),
        drafts=drafts.mine(rt(), a),
    )
