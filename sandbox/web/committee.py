"""The committee's pages: meetings, the agenda with each item's file and the agencies'
opinions, recusal and voting for members; scheduling, the agenda, attendance, opening and
closing for the secretariat. Quorum and majority are the services' (Decree 26②)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..domain.calendar import KST
from ..domain.errors import DomainError, Invalid, NotFound
from ..domain.tally import Tally, outcome_of
from ..services import committee, committee_decisions, committee_votes, documents, worklists
from ..services.case_views import describe_case
from ..services.committee_views import (
    describe_meeting,
    list_meetings,
    list_officials_concerned,
    meeting_roll,
    meetings_sitting_on,
)
from .common import actor, flash_error, org_names, page, page_number, roles, rt

bp = Blueprint("committee_pages", __name__)
BOTH = ("committee_member", "secretariat")
# Act 23③: for an item, officials of the agencies and the local government concerned sit
# as extra members; they see the meetings and items they sit on, and vote there.
SITTING = (*BOTH, "agency", "local_government")


@bp.route("/committee")
@roles(*SITTING)
def meetings() -> Any:
    page_no = page_number()
    if actor().role in BOTH:
        rows = list_meetings(rt(), actor(), page=page_no, per_page=20)
        return page("committee/meetings.html", meetings=rows, page_no=page_no, extra_member=False)
    return page("committee/meetings.html", meetings=meetings_sitting_on(rt(), actor()), page_no=1,
                extra_member=True)


def _local(value: str | None) -> datetime | str | None:
    """A ``datetime-local`` input is Korean time."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=KST)
    except ValueError:
        return value


@bp.route("/committee/meetings/new", methods=["GET", "POST"])
@roles("secretariat")
def new_meeting() -> Any:
    if request.method == "GET":
        return page("committee/new.html", values={"mode": "in_person"})
    f = request.form
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at"):
        if not f.get(name):
            errors[name] = [_("Enter a date and time")]
    if not errors:
        try:
            meeting_id = committee.create_meeting(rt(), actor(), f.get("title", ""), f.get("mode"),
                                                  _local(f.get("starts_at")), _local(f.get("ends_at")))
            return redirect(url_for("committee_pages.meeting", meeting_id=meeting_id))
        except Invalid as exc:
            errors = exc.errors
    if not (f.get("title") or "").strip():
        errors["title"] = [_("Enter a title")]
    return page("committee/new.html", values=f, errors=errors)


def _meeting_page(meeting_id: int, status: int = 200, **extra: Any) -> Any:
    try:
        meeting = describe_meeting(rt(), actor(), meeting_id)
    except NotFound:
        abort(404)
    files = _case_files(meeting)
    is_sec = actor().role == "secretariat"
    ready = worklists.committee_ready(rt(), actor())[0] if is_sec else []
    values = extra.pop("values", None) or MultiDict()
    return page(
        "committee/meeting.html", status, meeting=meeting, files=files, orgs=org_names(),
        item_docs=documents.item_documents(rt(), actor(), [(i["id"], i["case_id"]) for i in meeting["items"]
                                                            if i["id"] in files]),
        mine=worklists.my_votes(rt(), actor(), [i["id"] for i in meeting["items"]]),
        ready=ready, members=meeting_roll(rt(), actor(), meeting_id) if is_sec else [],
        officials={c["id"]: list_officials_concerned(rt(), actor(), c["id"]) for c in ready},
        chosen_extra=_ids(values.getlist("extra_members")),
        values=values, **extra,
    )


def _case_files(meeting: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Each item's case as the reader may see it (an extra member may not see every case)."""
    files = {}
    for item in meeting["items"]:
        try:
            files[item["id"]] = describe_case(rt(), actor(), item["case_id"])
        except NotFound:
            continue
    return files


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit()})


@bp.route("/committee/meetings/<int:meeting_id>")
@roles(*SITTING)
def meeting(meeting_id: int) -> Any:
    return _meeting_page(meeting_id)


def _done(meeting_id: int, message: str) -> Any:
    flash(message, "success")
    return redirect(url_for("committee_pages.meeting", meeting_id=meeting_id))


@bp.route("/committee/meetings/<int:meeting_id>/<what>", methods=["POST"])
@roles("secretariat")
def manage(meeting_id: int, what: str) -> Any:
    f = request.form
    back = url_for("committee_pages.meeting", meeting_id=meeting_id)
    try:
        if what == "items":
            conditions = [c.strip() for c in (f.get("conditions") or "").splitlines() if c.strip()]
            months = f.get("extension_months", type=int)
            committee.add_item(rt(), actor(), meeting_id, f.get("case_id", type=int), f.get("proposal"),
                               conditions, months, _ids(f.getlist("extra_members")))
            return _done(meeting_id, _("The case is on the agenda."))
        if what == "open":
            committee.open_meeting(rt(), actor(), meeting_id)
            return _done(meeting_id, _("The meeting is open: members can vote."))
        if what == "attendance":
            present = _ids(f.getlist("present"))
            committee.record_attendance(rt(), actor(), meeting_id, present)
            return _done(meeting_id, _("Attendance recorded."))
    except Invalid as exc:
        return _meeting_page(meeting_id, values=f, errors=exc.errors)
    except NotFound:
        abort(404)
    except DomainError as exc:
        return flash_error(exc, back)
    abort(404)


@bp.route("/committee/meetings/<int:meeting_id>/close", methods=["GET", "POST"])
@roles("secretariat")
def close(meeting_id: int) -> Any:
    """Closing decides every item and moves its case, and cannot be undone: the button
    first shows what the votes cast so far would decide (Decree art. 26②), then closes."""
    back = url_for("committee_pages.meeting", meeting_id=meeting_id)
    try:
        if request.method == "GET":
            meeting = describe_meeting(rt(), actor(), meeting_id)
            if meeting["status"] != "open":
                flash(_("Only an open meeting can be closed."), "error")
                return redirect(back)
            # What closing now would record for each undecided item, from its live tally.
            would = {item["id"]: outcome_of(Tally.from_dict(item["tally"]))
                     for item in meeting["items"] if not item["outcome"]}
            return page("committee/close.html", meeting=meeting, would=would, files=_case_files(meeting))
        committee_decisions.close_meeting(rt(), actor(), meeting_id)
    except NotFound:
        abort(404)
    except DomainError as exc:
        return flash_error(exc, back)
    return _done(meeting_id, _("The meeting is closed and every item decided."))


@bp.route("/committee/items/<int:item_id>/<what>", methods=["POST"])
@roles(*SITTING)
def member(item_id: int, what: str) -> Any:
    meeting_id = request.form.get("meeting_id", type=int) or 0
    back = url_for("committee_pages.meeting", meeting_id=meeting_id)
    try:
        if what == "vote":
            choice = request.form.get("choice")
            if not choice:
                return _meeting_page(meeting_id, errors={f"choice-{item_id}": [_("Choose your vote")]})
            committee_votes.cast_vote(rt(), actor(), item_id, choice)
            return _done(meeting_id, _("Your vote is recorded."))
        if what == "recusal":
            committee_votes.declare_recusal(rt(), actor(), item_id, request.form.get("reason", ""))
            return _done(meeting_id, _("You are recused from this item."))
    except Invalid as exc:
        key = f"reason-{item_id}" if what == "recusal" else f"choice-{item_id}"
        return _meeting_page(meeting_id, errors={key: next(iter(exc.errors.values()))})
    except NotFound:
        abort(404)
    except DomainError as exc:
        return flash_error(exc, back)
    abort(404)
