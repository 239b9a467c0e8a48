"""What a filer must put in a case, per process (API.md "Cases"; Act 49③, Decree 52①)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ..domain.errors import Invalid
from ..domain.ids import MAX_ID

__all__ = ["SCHEMAS", "validate_data", "flatten_errors"]

_ID = validate.Range(min=1, max=MAX_ID)  # a case's id (sandbox.domain.ids)
_text = {"required": True, "validate": validate.Length(min=1, max=20_000)}
# A district lies within one local government's area, and the largest Korean municipality
# is under 2,000 km²: 10,000 stops only a figure no map could hold.
MAX_AREA_KM2 = 10_000


class DistrictData(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    local_government = fields.String(required=True, validate=validate.Length(min=1, max=40))
    area_description = fields.String(**_text)
    area_km2 = fields.Float(
        required=True, validate=validate.Range(min=0, max=MAX_AREA_KM2, min_inclusive=False)
    )
    plan_summary = fields.String(**_text)
    designation_end = fields.Date(load_default=None, allow_none=True)
    projects = fields.List(fields.Integer(validate=_ID), load_default=list)


class RequestedException(Schema):
    law = fields.String(required=True, validate=validate.Length(min=1, max=200))
    article = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(**_text)


class Operator(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ProjectData(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(["innovation", "demonstration"]))
    local_government = fields.String(required=True, validate=validate.Length(min=1, max=40))
    district_id = fields.Integer(load_default=None, allow_none=True, validate=_ID)
    summary = fields.String(**_text)
    requested_exceptions = fields.List(
        fields.Nested(RequestedException), required=True, validate=validate.Length(min=1)
    )
    safety_measures = fields.String(**_text)
    compensation_plan = fields.String(**_text)
    regulating_agencies = fields.List(
        fields.String(), required=True, validate=validate.Length(min=1)
    )
    operator = fields.Nested(Operator, required=True)


class RapidData(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(**_text)
    agencies = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


SCHEMAS: dict[str, type[Schema]] = {
    "district_designation": DistrictData,
    "project_approval": ProjectData,
    "rapid_confirmation": RapidData,
}


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"a.b.0.c": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                flat[name] = value
            else:
                flat.update(flatten_errors(value, name))
    elif isinstance(messages, list):
        flat[prefix or "_schema"] = [str(m) for m in messages]
    return flat


def validate_data(process: str, data: Any, *, partial: bool = False) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid.field("data", "객체여야 합니다. / an object is required")
    try:
        loaded = SCHEMAS[process]().load(data, partial=partial)
    except ValidationError as exc:
        raise Invalid(flatten_errors(exc.messages, "data")) from None
    return _jsonable(loaded)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
