"""Response and request schemas shared by the API blueprints (they make openapi.json)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from ..domain.ids import MAX_ID
from ..engine.definitions import load_registry
from ..engine.runtime import WORKFLOWS_DIR
from ..services.cases import FILER_ROLES, UNKNOWN_PROCESS, known_states
from ..services.consultations import CONSULTATION_PROCESSES

# The definitions as data, read once for the spec's enums (the service checks the same).
_REGISTRY = load_registry(WORKFLOWS_DIR)
CASE_STATES = known_states(_REGISTRY, FILER_ROLES)
CONSULTATION_STATES = known_states(_REGISTRY, CONSULTATION_PROCESSES)

__all__ = [
    "ActionPayload",
    "CaseIn",
    "CaseOut",
    "CasePatch",
    "CaseSummary",
    "ConsultationOut",
    "DeadlineOut",
    "EventOut",
    "PageArgs",
    "CaseListArgs",
    "ID_RANGE",
    "row_id",
]

# An id or a version the database can hold (sandbox.domain.ids): beyond it, a 422.
ID_RANGE = validate.Range(min=1, max=MAX_ID)


def row_id(**kwargs: object) -> fields.Integer:
    """A request's reference to a row by its id."""
    return fields.Integer(strict=True, validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


class Loose(Schema):
    class Meta:
        unknown = INCLUDE


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CaseListArgs(PageArgs):
    # Checked by services.cases.check_list_filters: an unknown process or state is 422.
    process = fields.String(load_default=None, metadata={"enum": list(FILER_ROLES)})
    state = fields.String(load_default=None, metadata={"enum": CASE_STATES})


class CaseIn(Schema):
    # Also checked here, so that an unknown process is told together with the other
    # fields' errors; services.cases.file_case checks it again with the rule set's features.
    process = fields.String(required=True, metadata={"enum": list(FILER_ROLES)},
                            validate=validate.OneOf(FILER_ROLES, error=UNKNOWN_PROCESS))
    data = fields.Dict(required=True)


class CasePatch(Schema):
    version = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    data = fields.Dict(required=True)


class ActionPayload(Loose):
    """The action's fields (see API.md's action table), plus an optional ``version``."""

    version = fields.Integer(strict=True, load_default=None, validate=ID_RANGE)


class DeadlineOut(Schema):
    kind = fields.String()
    due_at = fields.String()
    last_day = fields.String(allow_none=True)
    status = fields.String()


class ConsultationOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    agency = fields.String()
    state = fields.String()
    version = fields.Integer()
    opened_at = fields.String()
    due_at = fields.String(allow_none=True)
    hard_due_at = fields.String(allow_none=True)
    paused = fields.Boolean()
    extended = fields.Boolean()
    extension_days = fields.Integer()
    position = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    conditions = fields.String(allow_none=True)
    requirements = fields.String(allow_none=True)
    questions = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    replied_at = fields.String(allow_none=True)


class CaseSummary(Schema):
    id = fields.Integer()
    reference = fields.String()
    process = fields.String()
    rule_set = fields.String()
    state = fields.String()
    version = fields.Integer()
    title = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class ExceptionOut(Schema):
    """The special exception of an approved plan (its own state and version)."""

    id = fields.Integer()
    state = fields.String()
    version = fields.Integer(metadata={"description": "send it with the exception's actions"})
    kind = fields.String()
    approved_on = fields.String()
    starts_on = fields.String(metadata={"description": "first day of the term (effective day)"})
    started_on = fields.String(allow_none=True)
    ends_on = fields.String(allow_none=True, metadata={"description": "last day of the 4-year term"})
    extended_until = fields.String(allow_none=True)
    extension_used = fields.Boolean()
    extension_months = fields.Integer(allow_none=True)
    deemed_extension = fields.Boolean(metadata={"description": "2021: runs until the law is amended"})
    conditions = fields.List(fields.String())
    exceptions = fields.List(fields.Dict())
    insurance = fields.Dict(allow_none=True)
    correction = fields.Dict(allow_none=True)
    revocation = fields.Dict(allow_none=True)
    incidents = fields.List(fields.Dict())
    results_report = fields.Dict(allow_none=True)
    law_amendment = fields.Dict(allow_none=True)
    flags = fields.Dict()


class CaseOut(CaseSummary):
    data = fields.Dict()
    local_government = fields.String(allow_none=True)
    filer_org = fields.String()
    decision = fields.Dict()
    actions = fields.List(fields.String())
    deadlines = fields.List(fields.Nested(DeadlineOut))
    consultations = fields.List(fields.Nested(ConsultationOut))
    flags = fields.Dict(metadata={"description": "facts such as a review flagged overdue"})
    exception = fields.Nested(ExceptionOut, allow_none=True)


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseSummary))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class EventOut(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(attribute="actor_label")
    action = fields.String()
    tag = fields.String()
    subject = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    payload = fields.Dict()
    hash = fields.String()
    prev_hash = fields.String()
