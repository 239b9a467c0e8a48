"""Text no column can hold is refused at the door of every request, API and pages alike.

PostgreSQL stores no NUL character (U+0000) in ``text`` or ``jsonb``: a NUL anywhere in a
query string, a form or a JSON body would reach the database as an error (a 500). No one
types one, so a request carrying one is answered 422, naming the fields, before any view
runs; nothing is saved, nothing already saved changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from .domain.errors import Invalid

__all__ = ["init_text_guard", "fields_with_nul"]

NUL = "\x00"
MESSAGE = "허용되지 않는 문자(NUL)가 있습니다. / Contains a NUL character, which text may not hold."


def fields_with_nul(value: Any, path: str = "") -> Iterator[str]:
    """The dotted paths (``data.name``, ``conditions.0``) of a JSON value's texts with a NUL,
    in keys as in values."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "_body"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield where
            else:
                yield from fields_with_nul(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from fields_with_nul(item, f"{path}.{i}" if path else str(i))


def _pairs_with_nul(pairs: Any) -> list[str]:
    return [k for k, v in pairs.items(multi=True) if NUL in k or NUL in v]


def _request_fields_with_nul() -> list[str]:
    bad = _pairs_with_nul(request.args)
    if request.mimetype == "application/json":
        bad += fields_with_nul(request.get_json(silent=True))
    elif request.method in ("POST", "PUT", "PATCH"):
        bad += _pairs_with_nul(request.form)
    return sorted(set(bad))


def init_text_guard(app: Flask) -> None:
    from .api.problems import problem_from_domain
    from .web.errors import error_page, is_api

    @app.before_request
    def _refuse_nul() -> Any:
        bad = _request_fields_with_nul()
        if not bad:
            return None
        if is_api():
            return problem_from_domain(Invalid({f.replace(NUL, "\\u0000"): [MESSAGE] for f in bad}))
        return error_page(422, "nul")
