"""Errors as ``application/problem+json`` (RFC 9457), with per-field messages on 422."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError, Invalid
from ..domain.field_messages import bilingual_errors

__all__ = [
    "problem", "problem_from_http", "problem_from_domain", "PROBLEM", "ProblemSchema",
    "problem_response", "documenter", "UNAUTHENTICATED",
]  # fmt: skip

PROBLEM = "application/problem+json"

TYPES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


class ProblemSchema(Schema):
    """What ``problem`` answers, as openapi.json describes every error."""

    type = fields.String(required=True, metadata={"description": "a URI naming the kind of error"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "messages per field, on 422"})


def problem(
    status: int, title: str, detail: str, errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://sandbox.example/problems/{TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status,
        mimetype=PROBLEM,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def problem_from_domain(error: DomainError) -> Response:
    errors = bilingual_errors(error.errors) if isinstance(error, Invalid) else None
    return problem(error.status, error.title, error.detail, errors)


def _strip_locations(messages: Any) -> dict[str, list[str]]:
    """webargs nests messages by location (``{"json": {...}}``); clients want the fields."""
    from ..services.case_data import flatten_errors

    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for location, fields in messages.items():
            if location in ("json", "query", "form", "files", "headers", "view_args"):
                flat.update(flatten_errors(fields))
            else:
                flat.update(flatten_errors({location: fields}))
    return bilingual_errors(flat)


def problem_from_http(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data or "errors" in data:
        errors = _strip_locations(data.get("errors") or data.get("messages"))
        status = 422
    elif status == 400:
        # A body that is not JSON at all is invalid input too (never a 500).
        status, errors = 422, {"_body": ["본문이 올바른 JSON이 아닙니다. / The body is not valid JSON."]}
    title = {422: "Invalid input"}.get(status, error.name if status == error.code else "Error")
    if errors:  # worded as the product's own 422s (domain.errors.Invalid): which fields
        detail = "The input has errors: " + ", ".join(sorted(errors))
    else:
        detail = error.description if status == error.code else "The input has errors."
    if status >= 500:
        detail = "Something went wrong on our side; nothing you sent was lost."
    headers = http_headers(error) if status == error.code else None
    return problem(status, title, detail or title, errors, headers)


def http_headers(error: HTTPException) -> dict[str, str]:
    """The headers an HTTP error owes the client besides its body: ``Allow`` on a 405
    (RFC 9110, 15.5.6), ``Retry-After`` where one is set."""
    return {k: v for k, v in error.get_headers() if k.lower() != "content-type"}


UNAUTHENTICATED = "no or invalid token"


def problem_response(blp: Any, code: int, description: str) -> Any:
    """An error response in openapi.json as ``problem`` sends it: a problem document."""
    return blp.alt_response(code, schema=ProblemSchema, content_type=PROBLEM, description=description)


def documenter(blp: Any, errors: dict[int, str]) -> Any:
    """``document(401, 404)``: the error responses a view may give, in the OpenAPI spec,
    with the blueprint's descriptions of them."""

    def document(*codes: int) -> Any:
        def decorate(view: Any) -> Any:
            for code in codes:
                view = problem_response(blp, code, errors[code])(view)
            return view

        return decorate

    return document
