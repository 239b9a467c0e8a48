"""The signed-in user's notifications: what the outbox told them, newest first (the same
rows as GET /api/v1/notifications, which mail also delivers)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import ngettext
from sqlalchemy.exc import SQLAlchemyError

from ..services import notifications
from .cases import SIGNED_IN
from .common import actor, page, page_number, roles, rt

bp = Blueprint("notification_pages", __name__)


@bp.app_context_processor
def _unread_in_the_navigation() -> dict[str, Any]:
    # A function, so only pages that show the navigation to a signed-in reader count.
    return {"unread_notifications": _unread}


def _unread() -> int | None:
    """The menu's count; never the reason a page fails (the error page of a database
    outage shows the menu too)."""
    try:
        return notifications.unread_count(rt(), actor())
    except SQLAlchemyError:
        current_app.logger.warning("unread count unavailable", exc_info=True)
        return None

PER_PAGE = 20


@bp.route("/notifications")
@roles(*SIGNED_IN)
def index() -> Any:
    page_no = page_number()
    unread_only = request.args.get("unread") == "1"
    rows = notifications.list_notifications(rt(), actor(), page=page_no, per_page=PER_PAGE,
                                            unread_only=unread_only)
    total, unread = notifications.counts(rt(), actor())
    return page("notifications/index.html", rows=rows, page_no=page_no, per_page=PER_PAGE,
                total=unread if unread_only else total, unread=unread, unread_only=unread_only)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@roles(*SIGNED_IN)
def mark_read(notification_id: int) -> Any:
    # Only the caller's own unread one changes; a second click, or someone else's id, just
    # comes back to the list (nothing is said about a notification that is not theirs).
    notifications.mark_read(rt(), actor(), notification_id)
    return redirect(url_for("notification_pages.index", page=page_number(),
                            unread="1" if request.args.get("unread") == "1" else None))


@bp.route("/notifications/read-all", methods=["POST"])
@roles(*SIGNED_IN)
def mark_all_read() -> Any:
    up_to = request.form.get("up_to", type=int)
    if up_to is not None and 0 < up_to < 2**63:
        marked = notifications.mark_all_read(rt(), actor(), up_to)
        flash(ngettext("%(num)d notification marked as read.",
                       "%(num)d notifications marked as read.", marked), "success")
    return redirect(url_for("notification_pages.index"))
