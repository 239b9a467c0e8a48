"""Signing in and out. The session is cleared at sign-in (a new session, a new CSRF
token) and at sign-out; repeated failures are throttled (``services.signin``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..domain.errors import Unauthenticated
from ..services import signin
from .common import page, rt
from .i18n import _safe_next
from .security import web_user

bp = Blueprint("signin", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("home.dashboard"))
        return page("auth/login.html", email="", next=request.args.get("next", ""))
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = [_("Enter your e-mail address")]
    if not password:
        errors["password"] = [_("Enter your password")]
    if errors:
        return page("auth/login.html", errors=errors, email=email, next=target)
    try:
        user = signin.sign_in(rt(), email, password, request.remote_addr or "-")
    except signin.Throttled:
        return page("auth/login.html", 429, email=email, next=target,
                    errors={"email": [_("Too many failed attempts. Wait 15 minutes and try again.")]})
    except Unauthenticated:
        return page("auth/login.html", 401, email=email, next=target,
                    errors={"email": [_("The e-mail address or the password is wrong")]})
    language = session.get("lang")
    session.clear()  # a new session at sign-in: nothing of the old one survives
    if language:
        session["lang"] = language
    login_user(web_user(user), fresh=True)
    return redirect(_safe_next(target) if target else url_for("home.dashboard"))


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    return redirect(url_for("home.index"))
