"""What a filing's ``data`` holds, per process, in openapi.json (services/case_data).

``POST /api/v1/cases`` takes ``{"process", "data"}``, and which fields ``data`` must hold
depends on the process. Each process's fields get a schema of their own
(``Data.<process>``), the filing's ``data`` is any of them, and ``x-data-by-process`` maps
each process to its schema. ``PATCH /api/v1/cases/{case_id}`` takes some of those fields:
they are merged into what was filed and the whole is checked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apispec import BasePlugin
from marshmallow import Schema

__all__ = ["CaseDataSchemas"]

FILING_PATH = "/api/v1/cases"
CASE_PATH = "/api/v1/cases/{case_id}"


def schema_name(process: str) -> str:
    return f"Data.{process}"


class CaseDataSchemas(BasePlugin):
    """apispec plugin: the filing's and the edit's ``data`` by process."""

    def __init__(self, schemas: Mapping[str, type[Schema]]) -> None:
        self.schemas = dict(schemas)
        self.spec: Any = None

    def init_spec(self, spec: Any) -> None:
        self.spec = spec

    def _refs(self) -> dict[str, str]:
        refs = {}
        for process, schema in self.schemas.items():
            name = schema_name(process)
            if name not in self.spec.components.schemas:
                self.spec.components.schema(name, schema=schema)
            refs[process] = f"#/components/schemas/{name}"
        return refs

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        if not operations:
            return
        if path == FILING_PATH and "post" in operations:
            refs = self._refs()
            operations["post"]["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {
                    "type": "object", "required": ["process", "data"], "additionalProperties": False,
                    "properties": {
                        "process": {"type": "string", "enum": sorted(refs)},
                        "data": {"anyOf": [{"$ref": ref} for ref in refs.values()],
                                 "description": "The process's fields: x-data-by-process names "
                                                "the schema of each."},
                    },
                }}}}
            operations["post"]["x-data-by-process"] = refs
        if path == CASE_PATH and "patch" in operations:
            patch = operations["patch"]
            patch["x-data-by-process"] = self._refs()
            said = ("`data` holds some of the fields x-data-by-process names for the case's "
                    "process: they are merged into what was filed, and the whole is checked again.")
            patch["description"] = f"{patch['description']}\n\n{said}" if patch.get("description") else said
