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
    return page("home/index.html", open_districts=worklists.open_for_comment(rt(), limit=5)[0])


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
    reviews, more_reviews = worklists.awaiting(rt(), actor(), "local_government", limit=50) \
        if role == "local_government" else ([], False)
    return page(
        "home/filer.html", rows=rows, total=total, page_no=page_no, per_page=20, reviews=reviews,
        more_reviews=more_reviews,
        asked=[r for r in rows if r["asked"]], drafts=drafts.mine(rt(), actor()),
        filable=_filable(),
        sitting=meetings_awaiting_my_vote(rt(), actor()) if role == "local_government" else [],
    )


SHOWN = 20  # of each of the secretariat's queues; their counts are of all


def _secretariat() -> Any:
    a = actor()
    awaiting, awaiting_more = worklists.awaiting(rt(), a, "secretariat", limit=SHOWN)
    overdue, overdue_total = consultations.list_consultations(rt(), a, "overdue", 1, per_page=SHOWN)
    ready, ready_total = worklists.committee_ready(rt(), a, limit=SHOWN)
    return page(
        "home/secretariat.html",
        awaiting=awaiting, awaiting_more=awaiting_more,
        overdue=overdue, overdue_total=overdue_total,
        refs=worklists.consultation_cases(rt(), [c["case_id"] for c in overdue]),
        orgs=org_names(),
        ready=ready, ready_total=ready_total,
        meetings=list_meetings(rt(), a, page=1, per_page=5),
        upcoming=worklists.upcoming_deadlines(rt(), a, days=90, limit=20),
        filable=_filable(),
        drafts=drafts.mine(rt(), a),
    )
