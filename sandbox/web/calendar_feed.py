"""The signed-in user's deadlines in their own calendar app: the page that makes, shows
once and stops the feed address (the feed itself is ``/calendar/{token}.ics``, API.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from ..routing import calendar_feed_url
from ..services import calendar
from .cases import SIGNED_IN
from .common import actor, page, roles, rt

bp = Blueprint("calendar_pages", __name__)


@bp.route("/calendar")
@roles(*SIGNED_IN)
def index() -> Any:
    return page("calendar/index.html", live=calendar.live_calendar_feeds(rt(), actor()), url=None)


@bp.route("/calendar/new", methods=["POST"])
@roles(*SIGNED_IN)
def new() -> Any:
    # The address carries its token and only its hash is kept, so it is shown on this one
    # answer and never again; a reload asks again rather than showing it twice.
    token = calendar.renew_calendar_feed(rt(), actor())
    return page("calendar/index.html", live=1, url=calendar_feed_url(token))


@bp.route("/calendar/stop", methods=["POST"])
@roles(*SIGNED_IN)
def stop() -> Any:
    calendar.stop_calendar_feeds(rt(), actor())
    flash(_("Your calendar address is stopped: calendar apps get nothing from it any more."), "success")
    return redirect(url_for("calendar_pages.index"))
