"""/api/v1/notifications: the caller's in-app notifications."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.errors import NotFound
from ..services import notifications
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, problem_response
from .schemas import PageArgs

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="In-app notifications")


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    case_id = fields.Integer(allow_none=True)
    subject_ko = fields.String()
    subject_en = fields.String()
    body_ko = fields.String()
    body_en = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


@blp.route("", methods=["GET"])
@require_auth
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationOut(many=True))
@problem_response(blp, 401, UNAUTHENTICATED)
def list_notifications(args: dict[str, Any]) -> list[Any]:
    """The caller's notifications, newest first."""
    return notifications.list_notifications(
        runtime(), current_actor(), page=args["page"], per_page=args["per_page"],
        unread_only=args["unread"],
    )


@blp.route("/<int:notification_id>/read", methods=["POST"])
@require_auth
@blp.response(204)
@problem_response(blp, 401, UNAUTHENTICATED)
@problem_response(blp, 404, "absent, already read, or not yours")
def mark_read(notification_id: int) -> None:
    """Mark one notification read."""
    if not notifications.mark_read(runtime(), current_actor(), notification_id):
        raise NotFound("no such unread notification")
