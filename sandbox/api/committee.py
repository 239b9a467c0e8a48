"""/api/v1/meetings and /api/v1/items: the National Smart City Committee (API.md, Committee).

Members are the standing members (Smart City Act art. 23②) plus each item's extra members
(art. 23③); quorum and passing follow Enforcement Decree art. 26②. Views parse, call one
service and describe the result; they never commit.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.tally import CHOICES, MODES
from ..services import committee, committee_decisions, committee_votes
from ..services.committee_views import (
    describe_item,
    describe_meeting,
    list_meetings,
    list_members,
    list_officials_concerned,
)
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, documenter
from .schemas import PageArgs, row_id

blp = Blueprint("committee", __name__, url_prefix="/api/v1", description="Committee")

ERRORS = {
    401: UNAUTHENTICATED,
    403: "your role may not do this",
    404: "absent or not visible to you",
    409: "not allowed in the current state",
    422: "invalid input",
}
PROPOSALS = committee.PROPOSALS


_document = documenter(blp, ERRORS)


class MeetingIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    mode = fields.String(required=True, validate=validate.OneOf(sorted(MODES)))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "after starts_at"})


class ItemIn(Schema):
    case_id = row_id(required=True)
    proposal = fields.String(required=True, validate=validate.OneOf(PROPOSALS))
    conditions = fields.List(
        fields.String(metadata={"minLength": 1, "pattern": r"\S"}), load_default=list,
        metadata={"description": "required for approve_with_conditions; allowed only with it "
                                 "or request_modification"})
    extension_months = fields.Integer(strict=True, allow_none=True, load_default=None,
                                      validate=validate.Range(min=1, max=24))
    extra_members = fields.List(row_id(), load_default=list, metadata={
        "description": "user ids joining for this item only (Act art. 23③)"})


class AttendanceIn(Schema):
    present = fields.List(row_id(), required=True)


class RecusalIn(Schema):
    reason = fields.String(required=True)


class VoteIn(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(sorted(CHOICES)))


class TallyOut(Schema):
    enrolled = fields.Integer()
    recused = fields.Integer()
    present = fields.Integer()
    for_ = fields.Integer(data_key="for", attribute="for")
    against = fields.Integer()
    abstain = fields.Integer()
    quorum_met = fields.Boolean()
    passed = fields.Boolean()


class ItemOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_reference = fields.String(allow_none=True)
    meeting_id = fields.Integer()
    proposal = fields.String()
    conditions = fields.List(fields.String())
    extension_months = fields.Integer(allow_none=True)
    extra_members = fields.List(fields.Integer())
    outcome = fields.String(allow_none=True, metadata={
        "description": "passed, not_passed or no_quorum; null until the meeting closes"})
    decided_at = fields.String(allow_none=True)
    tally = fields.Nested(TallyOut, metadata={"description": "live until the meeting closes"})


class MeetingSummary(Schema):
    id = fields.Integer()
    title = fields.String()
    mode = fields.String()
    status = fields.String(metadata={"description": "scheduled, open or closed"})
    starts_at = fields.String()
    ends_at = fields.String()
    opened_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    created_at = fields.String()


class MeetingOut(MeetingSummary):
    present = fields.List(fields.Integer(), allow_none=True,
                          metadata={"description": "attendance (in-person meetings)"})
    items = fields.List(fields.Nested(ItemOut))


@blp.route("/meetings", methods=["POST"])
@require_auth
@blp.arguments(MeetingIn)
@blp.response(201, MeetingOut)
@_document(401, 403, 422)
def create_meeting(body: dict[str, Any]) -> dict[str, Any]:
    """Schedule a meeting (``in_person``) or a written deliberation (``written``)."""
    meeting_id = committee.create_meeting(
        runtime(), current_actor(), body["title"], body["mode"], body["starts_at"], body["ends_at"]
    )
    return describe_meeting(runtime(), current_actor(), meeting_id)


class MemberOut(Schema):
    id = fields.Integer()
    name = fields.String()


@blp.route("/committee/members", methods=["GET"])
@require_auth
@blp.response(200, MemberOut(many=True))
@_document(401, 403)
def members() -> list[dict[str, Any]]:
    """The standing committee members (Act 23②), whose ids attendance takes (secretariat
    and committee members)."""
    return list_members(runtime(), current_actor())


class OfficialOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(metadata={"description": "agency or local_government"})
    org = fields.String(metadata={"description": "organisation code"})


@blp.route("/cases/<int:case_id>/officials", methods=["GET"])
@require_auth
@blp.response(200, OfficialOut(many=True))
@_document(401, 403, 404)
def officials(case_id: int) -> list[dict[str, Any]]:
    """Who an agenda item on this case may take as ``extra_members`` (Act 23③): the active
    officials of the agencies consulted on or named by the case, and of its local
    government (secretariat)."""
    return list_officials_concerned(runtime(), current_actor(), case_id)


@blp.route("/meetings", methods=["GET"])
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, MeetingSummary(many=True))
@_document(401, 403, 422)
def meetings(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Meetings, newest first (secretariat and committee members)."""
    return list_meetings(runtime(), current_actor(), page=args["page"], per_page=args["per_page"])


@blp.route("/meetings/<int:meeting_id>", methods=["GET"])
@require_auth
@blp.response(200, MeetingOut)
@_document(401, 404)
def meeting(meeting_id: int) -> dict[str, Any]:
    """One meeting with the agenda items the caller may see."""
    return describe_meeting(runtime(), current_actor(), meeting_id)


@blp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@require_auth
@blp.arguments(ItemIn)
@blp.response(201, ItemOut)
@_document(401, 403, 404, 409, 422)
def add_item(body: dict[str, Any], meeting_id: int) -> dict[str, Any]:
    """Put a tabled case on the agenda with its proposed resolution."""
    item_id = committee.add_item(
        runtime(), current_actor(), meeting_id, body["case_id"], body["proposal"],
        body["conditions"], body["extension_months"], body["extra_members"],
    )
    return describe_item(runtime(), current_actor(), item_id)


@blp.route("/meetings/<int:meeting_id>/open", methods=["POST"])
@require_auth
@blp.response(200, MeetingOut)
@_document(401, 403, 404, 409)
def open_meeting(meeting_id: int) -> dict[str, Any]:
    """scheduled → open: voting starts and every enrolled member is notified."""
    committee.open_meeting(runtime(), current_actor(), meeting_id)
    return describe_meeting(runtime(), current_actor(), meeting_id)


@blp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@require_auth
@blp.response(200, MeetingOut)
@_document(401, 403, 404, 409)
def close_meeting(meeting_id: int) -> dict[str, Any]:
    """open → closed: every item is decided (Decree art. 26②) and its case moves on."""
    committee_decisions.close_meeting(runtime(), current_actor(), meeting_id)
    return describe_meeting(runtime(), current_actor(), meeting_id)


@blp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@require_auth
@blp.arguments(AttendanceIn)
@blp.response(200, MeetingOut)
@_document(401, 403, 404, 409, 422)
def attendance(body: dict[str, Any], meeting_id: int) -> dict[str, Any]:
    """Replace who is present at an in-person meeting."""
    committee.record_attendance(runtime(), current_actor(), meeting_id, body["present"])
    return describe_meeting(runtime(), current_actor(), meeting_id)


@blp.route("/items/<int:item_id>", methods=["GET"])
@require_auth
@blp.response(200, ItemOut)
@_document(401, 404)
def item(item_id: int) -> dict[str, Any]:
    """One agenda item with its tally (live until the meeting closes)."""
    return describe_item(runtime(), current_actor(), item_id)


@blp.route("/items/<int:item_id>/recusal", methods=["POST"])
@require_auth
@blp.arguments(RecusalIn)
@blp.response(200, ItemOut)
@_document(401, 403, 404, 409, 422)
def recusal(body: dict[str, Any], item_id: int) -> dict[str, Any]:
    """Declare a conflict of interest on this item, before voting on it."""
    committee_votes.declare_recusal(runtime(), current_actor(), item_id, body["reason"])
    return describe_item(runtime(), current_actor(), item_id)


@blp.route("/items/<int:item_id>/vote", methods=["POST"])
@require_auth
@blp.arguments(VoteIn)
@blp.response(200, ItemOut)
@_document(401, 403, 404, 409, 422)
def vote(body: dict[str, Any], item_id: int) -> dict[str, Any]:
    """Vote ``for``, ``against`` or ``abstain``; a second vote replaces the first."""
    committee_votes.cast_vote(runtime(), current_actor(), item_id, body["choice"])
    return describe_item(runtime(), current_actor(), item_id)
