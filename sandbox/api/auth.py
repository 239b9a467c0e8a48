"""Bearer-token authentication for the API and the token endpoint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.errors import Unauthenticated
from ..engine.actors import Actor
from ..services import people, signin
from .problems import UNAUTHENTICATED, problem_response

__all__ = ["blp", "require_auth", "current_actor", "runtime"]

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens")
F = TypeVar("F", bound=Callable[..., Any])


def runtime() -> Any:
    return current_app.extensions["sandbox"]


def current_actor() -> Actor:
    return g.actor  # type: ignore[no-any-return]


def require_auth(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send Authorization: Bearer <token>")
        g.actor = people.actor_for_token(runtime(), token.strip())
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Credentials(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenOut(Schema):
    token = fields.String(required=True)


@blp.route("/token", methods=["POST"])
@blp.arguments(Credentials)
@blp.response(201, TokenOut)
@problem_response(blp, 401, "wrong e-mail or password")
@problem_response(blp, 429, "five failed sign-ins for this e-mail within 15 minutes, by the pages or "
                            "here: refused, even with the right password, for the rest of the window")
@blp.doc(security=[])  # the way to a token takes none
def create_token(body: dict[str, str]) -> dict[str, str]:
    """Exchange an e-mail and password for an API token.

    The same throttle as the sign-in page (``services.signin``): otherwise the token endpoint
    would be a way round it for anyone guessing passwords."""
    user = signin.sign_in(runtime(), body["email"], body["password"], request.remote_addr or "-")
    return {"token": people.issue_token(runtime(), user.id)}  # type: ignore[arg-type]


@blp.route("/token", methods=["DELETE"])
@require_auth
@blp.response(204)
@problem_response(blp, 401, UNAUTHENTICATED)
def revoke_token() -> None:
    """Revoke the token used for this request."""
    token = request.headers["Authorization"].partition(" ")[2].strip()
    people.revoke_token(runtime(), token)
