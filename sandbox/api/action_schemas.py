"""What each action's payload holds, in openapi.json: read from the definitions, as the door
validates it (engine/payload).

One path fires every action (``POST /api/v1/cases/{case_id}/actions/{action}``), and what
its body may hold depends on the case's process and on the action. Each action people may
fire gets a schema of its own (``Action.<process>.<action>``): the fields its definition
declares, which of them are required, and nothing else (a field it does not declare is
422). The operation's body is any of them, and ``x-payload-by-action`` maps process and
action to the schema, so a client can look its action up instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apispec import BasePlugin

from ..domain.ids import MAX_ID
from ..engine.definitions import Definition, Registry
from ..engine.payload import MAX_LINE, MAX_TEXT, choices_of

__all__ = ["ActionSchemas", "action_schemas"]

ACTIONS_PATH = "/api/v1/cases/{case_id}/actions/{action}"
# Fired by the engine itself (a deadline, a committee's resolution), never through the API.
NOT_PEOPLE = frozenset({"system", "committee"})

FIELD_TYPES: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
    "line": {"type": "string", "minLength": 1, "maxLength": MAX_LINE,
             "description": "One line: a name or a number."},
    "int": {"type": "integer", "minimum": 1},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time",
                 "description": "ISO 8601 with an offset."},
    "agencies": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                 "description": "Agency codes (organisations of kind agency)."},
}
VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_ID,
           "description": "The version of the case (or its exception) the caller read: "
                          "a stale one is 409."}


def schema_name(process: str, action: str) -> str:
    return f"Action.{process}.{action}"


def action_schemas(definitions: Iterable[Definition]) -> dict[str, dict[str, dict[str, Any]]]:
    """process -> action -> the JSON schema of its payload, for every action people may fire
    on a case (processes with filers: a consultation's actions have their own paths)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for definition in definitions:
        if not definition.filer_roles:
            continue
        for action in sorted(definition.triggers):
            transitions = [t for t in definition.transitions if t.trigger == action]
            roles = sorted({r for t in transitions for r in t.roles} - NOT_PEOPLE)
            if roles:
                out.setdefault(definition.process, {})[action] = _schema(definition, action,
                                                                         transitions, roles)
    return out


def _schema(definition: Definition, action: str, transitions: list[Any],
            roles: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required_everywhere: set[str] | None = None
    for transition in transitions:
        required = set()
        for name, kind in transition.payload.items():
            options = choices_of(kind)
            properties[name] = ({"type": "string", "enum": list(options)} if options
                                else dict(FIELD_TYPES[kind.rstrip("?")]))
            if not kind.endswith("?"):
                required.add(name)
        required_everywhere = required if required_everywhere is None else required_everywhere & required
    schema: dict[str, Any] = {
        "type": "object",
        "title": f"{definition.process} {action}",
        "description": f"{definition.title.get('en', definition.process)}: '{action}', fired "
                       f"by {', '.join(roles)}, from {', '.join(_sources(transitions))}.",
        "properties": {**properties, "version": VERSION},
        "additionalProperties": False,
    }
    if required_everywhere:
        schema["required"] = sorted(required_everywhere)
    return schema


def _sources(transitions: list[Any]) -> list[str]:
    return sorted({s for t in transitions for s in t.sources})


class ActionSchemas(BasePlugin):
    """apispec plugin: the actions path's body as the definitions declare it."""

    def __init__(self, registry: Registry) -> None:
        self.schemas = action_schemas(registry.latest())
        self.spec: Any = None

    def init_spec(self, spec: Any) -> None:
        self.spec = spec

    def path_helper(self, path: str | None = None, operations: dict | None = None,
                    parameters: list[dict] | None = None, **kwargs: Any) -> None:
        if path != ACTIONS_PATH or parameters is None:
            return
        names = sorted({a for actions in self.schemas.values() for a in actions})
        for parameter in parameters:
            if parameter.get("name") == "action" and parameter.get("in") == "path":
                parameter["schema"] = {**parameter.get("schema", {}), "enum": names}

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        if path != ACTIONS_PATH or not operations or "post" not in operations:
            return
        refs: dict[str, dict[str, str]] = {}
        for process, actions in self.schemas.items():
            for action, schema in actions.items():
                name = schema_name(process, action)
                if name not in self.spec.components.schemas:
                    self.spec.components.schema(name, schema)
                refs.setdefault(process, {})[action] = f"#/components/schemas/{name}"
        body = {"anyOf": [{"$ref": ref} for actions in refs.values() for ref in actions.values()]}
        operations["post"]["requestBody"] = {
            "required": False,
            "description": "The action's fields: x-payload-by-action names the schema of each "
                           "process's action. A field the action does not declare is 422.",
            "content": {"application/json": {"schema": body}},
        }
        operations["post"]["x-payload-by-action"] = refs
