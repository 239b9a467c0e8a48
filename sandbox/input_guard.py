"""Input no part of the product can hold is refused at the door of every request.

Two kinds, each answered 422 before any view runs, so nothing is saved and nothing already
saved changes:

- A JSON body no parser should take: nested deeper than any of our schemas goes (Python's
  parser and marshmallow recurse, and a deep enough body exhausts the stack), a number past
  Python's integer conversion limit, or an infinite or NaN number (which no JSON answer can
  carry back). Each of these was a 500 when left to the views.
- A NUL character (U+0000), which PostgreSQL stores in neither ``text`` nor ``jsonb``: a
  NUL anywhere in a query string, a form or a JSON body would reach the database as an
  error. No one types one, so the request is answered naming the fields.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from .domain.errors import Invalid

__all__ = ["init_input_guard", "fields_with_nul", "MAX_JSON_DEPTH"]

NUL = "\x00"
MESSAGE = "허용되지 않는 문자(NUL)가 있습니다. / Contains a NUL character, which text may not hold."

# Our deepest schema (a plan's exceptions in its data) is four levels down; 32 leaves room
# for any client's envelope and stays far from the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
NOT_JSON = "본문이 올바른 JSON이 아닙니다. / The body is not valid JSON."
TOO_DEEP = (f"JSON이 {MAX_JSON_DEPTH}단계보다 깊게 중첩되어 있습니다. / "
            f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
NOT_FINITE = ("숫자가 너무 크거나 숫자가 아닙니다. / A number is too large, infinite or not a number.")


class _Unfit(ValueError):
    """A body that parses as JSON but holds what no schema of ours may take."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unfit(NOT_FINITE)
    return value


def _refuse_constant(text: str) -> None:
    raise _Unfit(NOT_FINITE)  # NaN, Infinity, -Infinity: not JSON (RFC 8259, 6)


def _depth(value: Any) -> int:
    """How deep a parsed JSON value nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def json_body_problem(raw: bytes) -> str | None:
    """Why a request's JSON body may go no further, or None when it may."""
    if not raw.strip():
        return None  # no body: the view says what it needed
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_refuse_constant)
    except _Unfit as unfit:
        return unfit.message
    except RecursionError:
        return TOO_DEEP
    except (ValueError, UnicodeDecodeError):
        return NOT_JSON  # malformed, or an integer past Python's conversion limit
    return TOO_DEEP if _depth(value) > MAX_JSON_DEPTH else None


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


def _request_fields_with_nul(api: bool) -> list[str]:
    bad = _pairs_with_nul(request.args)
    if request.is_json:
        if api:  # pages never read a JSON body; the API's has passed json_body_problem
            bad += fields_with_nul(request.get_json(silent=True))
    elif request.method in ("POST", "PUT", "PATCH"):
        bad += _pairs_with_nul(request.form)
    return sorted(set(bad))


def init_input_guard(app: Flask) -> None:
    from .api.problems import problem_from_domain
    from .web.errors import error_page, is_api

    @app.before_request
    def _refuse_unfit_input() -> Any:
        api = is_api()
        if request.is_json and api:
            why = json_body_problem(request.get_data(cache=True))
            if why:
                return problem_from_domain(Invalid({"_body": [why]}))
        bad = _request_fields_with_nul(api)
        if not bad:
            return None
        if api:
            return problem_from_domain(Invalid({f.replace(NUL, "\\u0000"): [MESSAGE] for f in bad}))
        return error_page(422, "nul")
