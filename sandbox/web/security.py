"""Sessions, CSRF and security headers for the pages.

* Flask-Login keeps the signed-in user in Flask's signed session cookie, which is
  ``HttpOnly`` and ``SameSite=Lax`` always and ``Secure`` unless the product is served over
  plain http (the embedded run on http://127.0.0.1); ``SANDBOX_SECURE_COOKIES=1|0`` decides explicitly.
* Signing in clears the old session first (no fixation) and starts a new CSRF token.
* Every POST to a page needs the Flask-WTF CSRF token; the API (bearer tokens, no cookies)
  is not a page and is left alone.
* Headers: a CSP that allows no inline script or style, ``nosniff``, frame denial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from ..adapters.tables import User
from ..engine.actors import Actor

__all__ = ["init", "WebUser", "csrf", "login_manager", "CSP"]

csrf = CSRFProtect()
login_manager = LoginManager()
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@dataclass
class WebUser(UserMixin):  # type: ignore[misc]
    user_id: int
    email: str
    name: str
    role: str
    org: str

    def get_id(self) -> str:
        return str(self.user_id)

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.role, self.org, self.name)


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def init(app: Flask) -> None:
    secure = app.config.get("SANDBOX_SECURE_COOKIES")
    if secure is None or secure == "":
        secure = not str(app.config.get("SANDBOX_PUBLIC_URL", "")).startswith("http://")
        secure = secure or app.config.get("SANDBOX_ENV") == "production"
    app.config.update(
        SESSION_COOKIE_SECURE=_flag(secure),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=_flag(secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,  # checked for the pages' blueprints below
        WTF_CSRF_TIME_LIMIT=None,      # bound to the session, which ends at sign-out
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "signin.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    from . import WEB_BLUEPRINTS

    @app.before_request
    def _csrf() -> None:
        if request.blueprint in WEB_BLUEPRINTS:
            csrf.protect()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint in WEB_BLUEPRINTS and response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    if not user_id.isdigit():
        return None
    rt = current_app.extensions["sandbox"]
    with rt.uow() as uow:
        user = uow.session.scalars(
            select(User).where(User.id == int(user_id), User.active == True)  # noqa: E712
        ).first()
        return None if user is None else web_user(user)


def web_user(user: User) -> WebUser:
    return WebUser(user.id, user.email, user.name, user.role, user.org_code)  # type: ignore[arg-type]
