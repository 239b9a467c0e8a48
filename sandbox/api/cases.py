"""/api/v1/cases: file, read, edit and act on cases."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ..services import cases
from ..services.case_views import case_summary, describe_case
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, documenter
from .schemas import ActionPayload, CaseIn, CaseListArgs, CaseOut, CasePage, CasePatch, EventOut

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases")

ERRORS = {
    401: UNAUTHENTICATED,
    403: "your role may not do this",
    404: "absent or not visible to you",
    409: "not allowed in the current state, or a stale version",
    422: "invalid input",
}


_document = documenter(blp, ERRORS)


@blp.route("", methods=["POST"])
@require_auth
@blp.arguments(CaseIn)
@blp.response(201, CaseOut)
@_document(401, 403, 422)
def file_case(body: dict[str, Any]) -> dict[str, Any]:
    """File a new case; it starts in ``draft``."""
    case_id = cases.file_case(runtime(), current_actor(), body["process"], body["data"])
    return describe_case(runtime(), current_actor(), case_id)


@blp.route("", methods=["GET"])
@require_auth
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePage)
@_document(401, 422)
def list_cases(args: dict[str, Any]) -> dict[str, Any]:
    """The cases visible to the caller, newest first."""
    rows, total = cases.list_cases(
        runtime(), current_actor(), process=args["process"], state=args["state"],
        page=args["page"], per_page=args["per_page"],
    )
    return {"items": [case_summary(c) for c in rows], "page": args["page"],
            "per_page": args["per_page"], "total": total}


@blp.route("/<int:case_id>", methods=["GET"])
@require_auth
@blp.response(200, CaseOut)
@_document(401, 404)
def get_case(case_id: int) -> dict[str, Any]:
    """One case, with the actions the caller may fire now."""
    return describe_case(runtime(), current_actor(), case_id)


@blp.route("/<int:case_id>", methods=["PATCH"])
@require_auth
@blp.arguments(CasePatch)
@blp.response(200, CaseOut)
@_document(401, 403, 404, 409, 422)
def patch_case(body: dict[str, Any], case_id: int) -> dict[str, Any]:
    """Change what was filed, while ``draft``, ``supplement_requested`` or
    ``modification_requested``."""
    cases.update_case(runtime(), current_actor(), case_id, body["version"], body["data"])
    return describe_case(runtime(), current_actor(), case_id)


@blp.route("/<int:case_id>/actions/<action>", methods=["POST"])
@require_auth
@blp.arguments(ActionPayload)
@blp.response(200, CaseOut)
@_document(401, 403, 404, 409, 422)
def fire_action(body: dict[str, Any], case_id: int, action: str) -> dict[str, Any]:
    """Fire an action (see the action table of API.md)."""
    cases.fire_action(runtime(), current_actor(), case_id, action, dict(body))
    return describe_case(runtime(), current_actor(), case_id)


@blp.route("/<int:case_id>/history", methods=["GET"])
@require_auth
@blp.response(200, EventOut(many=True))
@_document(401, 404)
def history(case_id: int) -> list[Any]:
    """The case's audit events, oldest first."""
    return cases.history(runtime(), current_actor(), case_id)
