"""The machine face: REST over /api/v1 with an OpenAPI description (API.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError
from ..services.case_data import SCHEMAS
from .action_schemas import ActionSchemas
from .data_schemas import CaseDataSchemas
from .problems import PROBLEM, ProblemSchema, problem, problem_from_domain, problem_from_http

__all__ = ["init_api"]


class ProblemApi(Api):
    """flask-smorest, with errors answered - and described - as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        # flask-smorest describes its error responses with the success content type; ours
        # are problem documents (api/problems), and openapi.json must say what is sent.
        success = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM
        try:
            super()._register_responses()  # type: ignore[misc]
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = success

    def handle_http_exception(self, error: HTTPException) -> Any:
        return problem_from_http(error)


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "Regulatory sandbox")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    registry = app.extensions["sandbox"].engine.registry
    api = ProblemApi(app, spec_kwargs={
        "extra_plugins": [ActionSchemas(registry), CaseDataSchemas(SCHEMAS)],
        "info": {"description": "Smart-city regulatory sandbox workflow engine (API.md). No text, "
                                "in a query, a form or a JSON body, may hold a NUL character "
                                "(U+0000): a request with one is 422, its fields named."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]

    from . import attachments, auth, cases, committee, consultations, documents, misc, public

    for module in (auth, cases, attachments, consultations, committee, misc, public, documents):
        api.register_blueprint(module.blp)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        return problem_from_domain(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return problem_from_http(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal error", "Something went wrong on our side.")

    return api
