"""The people's face: server-rendered pages over the same services as the API.

Blueprints per role (``auth``, ``home``, ``filing``, ``cases``, ``agency``, ``committee``,
``public``); each view parses a form, calls one service and renders, never committing
itself. Security (sessions, CSRF, headers) is ``security``; languages are ``i18n``.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_web", "WEB_BLUEPRINTS"]

WEB_BLUEPRINTS = ("signin", "home", "filing", "case_pages", "attachment_pages", "agency", "committee_pages",
                  "public_pages", "notification_pages")


def init_web(app: Flask) -> None:
    from . import (
        agency,
        attachments,
        auth,
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
    for module in (auth, home, filing, cases, attachments, agency, committee, public, notifications):
        app.register_blueprint(module.bp)
    errors.init(app)
