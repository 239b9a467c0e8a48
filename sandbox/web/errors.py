"""Error pages. A page never shows a stack trace or a 500 for bad input; the API keeps
its problem+json answers (paths under /api/)."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..api.problems import http_headers, problem, problem_from_domain, problem_from_http
from ..domain.errors import DomainError

__all__ = ["init", "is_api", "error_page"]

PAGE_CODES = (400, 401, 403, 404, 405, 409, 413, 422, 429)


def is_api() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/register.csv")


def error_page(code: int, reason: str = "") -> Any:
    return render_template("errors/error.html", code=code, reason=reason), code


def init(app: Flask) -> None:
    def http_error(error: HTTPException) -> Any:
        if error.code == 413:
            # A body far past the limit, refused before it was read: say what the limit
            # is, as a file just over it is told (services.attachments.too_large).
            from ..services.attachments import too_large

            told = too_large(app.config["MAX_ATTACHMENT_BYTES"]).detail
            if is_api():
                return problem_from_http(RequestEntityTooLarge(description=told))
            from .attachments import too_large_on_the_case_page

            shown = too_large_on_the_case_page(told)
            if shown is not None:
                return shown
        if is_api():
            return problem_from_http(error)
        page, code = error_page(error.code or 500)
        return page, code, http_headers(error)

    for code in PAGE_CODES:
        app.register_error_handler(code, http_error)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        return error_page(400, "csrf")

    from . import WEB_BLUEPRINTS

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        if is_api() or request.blueprint not in WEB_BLUEPRINTS:
            return problem_from_domain(error)
        return error_page(404 if error.status in (403, 404) else error.status)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api() or request.blueprint not in WEB_BLUEPRINTS:
            return problem(500, "Internal error", "Something went wrong on our side.")
        return error_page(500)
