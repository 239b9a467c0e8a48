"""The people's face: server-rendered pages over the same services as the API.

Blueprints per role (``auth``, ``home``, ``filing``, ``cases``, ``agency``, ``committee``,
``public``); each view parses a form, calls one service and renders, never committing
itself. Security (sessions, CSRF, headers) is ``security``; languages are ``i18n``.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_web", "WEB_BLUEPRINTS"]

# The pages' blueprints: CSRF is checked and errors are pages for these (security, errors).
WEB_BLUEPRINTS = ("signin", "home", "filing", "case_pages", "attachment_pages", "agency", "committee_pages",
                  "public_pages", "notification_pages", "calendar_pages")


def init_web(app: Flask) -> None:
    from . import (
        agency,
        attachments,
        auth,
        calendar_feed,
        cases,
        committee,
        errors,
        filing,
        home,
        i18n,
        notifications,
        public,
        security,
    )

    security.init(app)
    i18n.init(app)
    pages = (auth, home, filing, cases, attachments, agency, committee, public, notifications, calendar_feed)
    unguarded = sorted({module.bp.name for module in pages} - set(WEB_BLUEPRINTS))
    if unguarded:  # a page module not listed above would take forms without a CSRF check
        raise RuntimeError(f"page blueprints missing from WEB_BLUEPRINTS: {unguarded}")
    for module in pages:
        app.register_blueprint(module.bp)
    errors.init(app)
