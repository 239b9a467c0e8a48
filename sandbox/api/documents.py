"""Issued documents (API.md): a case's list, one document's PDF, and the iCalendar feed."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..routing import calendar_feed_url
from ..services import calendar, documents
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, problem_response

blp = Blueprint("documents", __name__, description="Issued documents and the deadline calendar")


class DocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    sha256 = fields.String(allow_none=True, metadata={"description": "null until rendered"})
    status = fields.String(metadata={"description": "pending (rendering) or issued"})
    rendered_at = fields.DateTime(allow_none=True)
    title_ko = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True)


class CalendarTokenOut(Schema):
    token = fields.String()
    url = fields.String()


@blp.route("/api/v1/cases/<int:case_id>/documents", methods=["GET"])
@require_auth
@blp.response(200, DocumentOut(many=True))
@problem_response(blp, 401, UNAUTHENTICATED)
@problem_response(blp, 404, "absent or not visible to you")
def list_documents(case_id: int) -> list[dict[str, Any]]:
    """The documents issued on a case, oldest first."""
    return documents.list_documents(runtime(), current_actor(), case_id)


@blp.route("/api/v1/documents/<int:document_id>", methods=["GET"])
@require_auth
@blp.response(200, description="the PDF", content_type="application/pdf")
@problem_response(blp, 401, UNAUTHENTICATED)
@problem_response(blp, 404, "absent or not visible to you")
@problem_response(blp, 409, "still being rendered")
def get_document(document_id: int) -> Response:
    """One issued document as ``application/pdf`` (its SHA-256 in ``X-Content-SHA256``)."""
    content, sha256, filename = documents.get_document(runtime(), current_actor(), document_id)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "X-Content-SHA256": sha256,
        "ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable",
    })


@blp.route("/api/v1/calendar/token", methods=["POST"])
@require_auth
@blp.response(201, CalendarTokenOut)
@problem_response(blp, 401, UNAUTHENTICATED)
def calendar_token() -> dict[str, str]:
    """A new feed URL for the caller's deadlines (a token that reads the calendar only)."""
    token = calendar.issue_calendar_token(runtime(), current_actor())
    return {"token": token, "url": calendar_feed_url(token)}


@blp.route("/calendar/<token>.ics", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, description="iCalendar (RFC 5545)", content_type="text/calendar")
@problem_response(blp, 401, "unknown or revoked calendar token")
def calendar_feed(token: str) -> Response:
    """The token owner's upcoming deadlines as iCalendar."""
    body = calendar.calendar_feed(runtime(), token, host=request.host.split(":")[0])
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
