"""Public endpoints: the register, resident comments and the health check."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from ..services import public
from ..services.register_csv import as_csv
from .auth import runtime
from .problems import problem_response

blp = Blueprint("public", __name__, description="Public register and resident comments")


def _non_blank(longest: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": longest, "pattern": r"\S"}


class CommentIn(Schema):
    # Checked by services.public.add_comment, after the case (a closed notice is 404 or
    # 409 whatever text was sent), with bilingual messages; described here as what it
    # accepts. A null is refused here, as openapi.json says (not nullable).
    name = fields.Raw(required=True, metadata=_non_blank(public.NAME_MAX))
    body = fields.Raw(required=True, metadata=_non_blank(public.BODY_MAX))


class CommentOut(Schema):
    id = fields.Integer()


class RegisterEntry(Schema):
    id = fields.Integer()
    reference = fields.String()
    kind = fields.String(metadata={"description": "district | project"})
    project_kind = fields.String(metadata={"description": "innovation | demonstration"})
    exception_type = fields.String()
    name = fields.String(allow_none=True)
    operator = fields.String(allow_none=True)
    operator_address = fields.String(allow_none=True)
    extended = fields.Boolean()
    local_government = fields.String(allow_none=True)
    area = fields.String(allow_none=True)
    area_km2 = fields.Float(allow_none=True)
    approval_date = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    conditions = fields.List(fields.String())
    exceptions = fields.List(fields.Dict())
    lead_agency = fields.String(allow_none=True)
    regulating_agencies = fields.List(fields.String())
    status = fields.String()


@blp.route("/api/v1/register", methods=["GET"])
@blp.response(200, RegisterEntry(many=True))
@blp.doc(security=[])
def register() -> list[dict[str, Any]]:
    """Designated districts and approved projects (public)."""
    return public.register_entries(runtime())




@blp.route("/register.csv", methods=["GET"])
@blp.doc(security=[], responses={200: {"description": "the register as CSV (UTF-8 with BOM)"}})
def register_csv() -> Response:
    """The register as CSV, opened correctly by Korean spreadsheet software."""
    return Response(as_csv(public.register_entries(runtime())), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=register.csv"})


@blp.route("/api/v1/cases/<int:case_id>/comments", methods=["POST"])
@blp.arguments(CommentIn)
@blp.response(201, CommentOut)
@problem_response(blp, 404, "no district under this id is taking resident opinions")
@problem_response(blp, 409, "the resident opinion period has ended")
@problem_response(blp, 413, "the body is larger than the server accepts")
@problem_response(blp, 429, f"more than {public.COMMENTS_PER_SOURCE} opinions from this client address "
                            "within the last hour")
@blp.doc(security=[])
def comment(body: dict[str, Any], case_id: int) -> dict[str, int]:
    """A resident's opinion on a district in its public notice period (no sign-in)."""
    source = public.comment_source(request.remote_addr or "-", current_app.config["SECRET_KEY"])
    return {"id": public.add_comment(runtime(), case_id, body["name"], body["body"], source)}


class HealthOut(Schema):
    status = fields.String(metadata={"description": "ok, or degraded (then the answer is 503)"})
    database = fields.String(metadata={"description": "ok, or error: <kind>"})
    redis = fields.String(metadata={"description": "ok, error: <kind>, or not configured"})


@blp.route("/healthz", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut, description="the database or Redis does not answer")
def healthz() -> Any:
    """Database (and Redis, where configured) status."""
    status: dict[str, Any] = {"database": "ok"}
    code = 200
    try:
        with current_app.extensions["sandbox.db"].connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        status["database"] = f"error: {type(exc).__name__}"
        code = 503
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_timeout=1).ping()
            status["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["redis"] = f"error: {type(exc).__name__}"
            code = 503
    else:
        status["redis"] = "not configured"
    status["status"] = "ok" if code == 200 else "degraded"
    return status, code
