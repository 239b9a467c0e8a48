"""/api/v1/consultations: an agency's written opinion on a case (Act 49④⑤).

Thin edges: parse the body, call one service, return the consultation. Roles, states and
the rules of positions and extensions are the engine's and the definition's.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services import consultations
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, documenter
from .schemas import CONSULTATION_STATES, ID_RANGE, ConsultationOut, PageArgs

blp = Blueprint("consultations", __name__, url_prefix="/api/v1/consultations",
                description="Agency consultations")

ERRORS = {
    401: UNAUTHENTICATED,
    403: "your role may not do this",
    404: "absent or not visible to you",
    409: "not allowed in the current state, already extended, or a stale version",
    422: "invalid input",
}
TEXT = validate.Length(max=20_000)


_document = documenter(blp, ERRORS)


class ConsultationListArgs(PageArgs):
    # Checked by services.consultations.list_consultations: an unknown state is 422.
    state = fields.String(load_default=None, metadata={"enum": CONSULTATION_STATES})


class Versioned(Schema):
    """An optional ``version``: a stale one is refused with 409."""

    version = fields.Integer(strict=True, load_default=None, validate=ID_RANGE)


class ReplyIn(Versioned):
    position = fields.String(
        required=True,
        metadata={"description": "consent, consent_with_conditions (conditions required), "
                                 "object (comment required), not_applicable; for a rapid "
                                 "confirmation permit_required (requirements required) or "
                                 "no_permit_required"},
    )
    comment = fields.String(allow_none=True, load_default=None, validate=TEXT)
    conditions = fields.String(allow_none=True, load_default=None, validate=TEXT)
    requirements = fields.String(allow_none=True, load_default=None, validate=TEXT)


class SupplementRequestIn(Versioned):
    questions = fields.String(required=True, validate=TEXT)


class SupplementAnswerIn(Versioned):
    answer = fields.String(required=True, validate=TEXT)


class ExtendIn(Versioned):
    days = fields.Integer(
        required=True, strict=True,
        metadata={"description": "1 to the rule set's limit (30); once per consultation"},
    )


@blp.route("", methods=["GET"])
@require_auth
@blp.arguments(ConsultationListArgs, location="query")
@blp.response(200, ConsultationOut(many=True),
              headers={"X-Total-Count": {"description": "matching consultations",
                                         "schema": {"type": "integer"}}})
@_document(401, 422)
def list_consultations(args: dict[str, Any]) -> Any:
    """The caller's consultations (an agency sees its own, the secretariat all, a filer
    those on its cases): those still running first, soonest deadline first, then the
    settled ones, newest first."""
    items, total = consultations.list_consultations(
        runtime(), current_actor(), args["state"], args["page"], per_page=args["per_page"]
    )
    return items, {"X-Total-Count": str(total)}


@blp.route("/<int:consultation_id>", methods=["GET"])
@require_auth
@blp.response(200, ConsultationOut)
@_document(401, 404)
def get_consultation(consultation_id: int) -> dict[str, Any]:
    """One consultation, with its reply deadline and the 90-day cap (``hard_due_at``)."""
    return consultations.get_consultation(runtime(), current_actor(), consultation_id)


@blp.route("/<int:consultation_id>/reply", methods=["POST"])
@require_auth
@blp.arguments(ReplyIn)
@blp.response(200, ConsultationOut)
@_document(401, 403, 404, 409, 422)
def reply(body: dict[str, Any], consultation_id: int) -> dict[str, Any]:
    """The agency's written opinion (silence is never consent)."""
    return consultations.reply(runtime(), current_actor(), consultation_id, body)


@blp.route("/<int:consultation_id>/request-supplement", methods=["POST"])
@require_auth
@blp.arguments(SupplementRequestIn)
@blp.response(200, ConsultationOut)
@_document(401, 403, 404, 409, 422)
def request_supplement(body: dict[str, Any], consultation_id: int) -> dict[str, Any]:
    """The agency asks the filer for material; the reply clock stops meanwhile (Act 49⑤),
    the 90-day cap does not."""
    return consultations.request_supplement(runtime(), current_actor(), consultation_id, body)


@blp.route("/<int:consultation_id>/answer-supplement", methods=["POST"])
@require_auth
@blp.arguments(SupplementAnswerIn)
@blp.response(200, ConsultationOut)
@_document(401, 403, 404, 409, 422)
def answer_supplement(body: dict[str, Any], consultation_id: int) -> dict[str, Any]:
    """The case's filer answers; the reply deadline moves by the days spent."""
    return consultations.answer_supplement(runtime(), current_actor(), consultation_id, body)


@blp.route("/<int:consultation_id>/extend", methods=["POST"])
@require_auth
@blp.arguments(ExtendIn)
@blp.response(200, ConsultationOut)
@_document(401, 403, 404, 409, 422)
def extend(body: dict[str, Any], consultation_id: int) -> dict[str, Any]:
    """Extend the reply period once, by up to 30 days; the cap moves with it."""
    return consultations.extend(runtime(), current_actor(), consultation_id, body)
