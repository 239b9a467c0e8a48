"""Every operation of openapi.json, fuzzed by Schemathesis, on SQLite and PostgreSQL.

For each operation Hypothesis builds requests from the published schema (in range and out,
strange strings, missing fields, methods the path does not have) and Schemathesis checks
each answer against that same schema: never a 5xx, only status codes and content types
the operation documents, bodies that match their documented schemas, a schema-valid
request not refused as invalid, ``Allow`` on a 405. So ``openapi.json`` is held to
describing what the server really does (issue 2, point 10), and bad input is never a 500.

Callers: the secretariat (who sees the most) and an applicant (who sees the least but
what is theirs); each call has a fresh token, since one operation revokes the token it is
called with. ``derandomize`` makes every run try the same requests, so CI cannot flake;
``SANDBOX_FUZZ_EXAMPLES=200`` runs a deeper, random search by hand.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from sandbox import create_app
from sandbox.input_guard import fields_with_nul
from sandbox.services.people import issue_token
from tests.conftest import _truncate_postgres, make_app, need_service
from tests.support.api import ApiClient
from tests.support.cast import APPLICANT, SECRETARIAT, make_cast
from tests.support.flows import district_in_resident_opinion
from tests.support.people import People
from tests.support.plans import filed_plan

# The schema is needed when tests are collected, before any fixture exists; it is the
# same document whatever database the app is on, so an app on an empty in-memory
# database serves it (it touches no table).
_SPEC_APP = create_app({"DATABASE_URL": "sqlite://", "TESTING": True, "SECRET_KEY": "spec",
                        "SANDBOX_TIMER_LOOP": "0"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _SPEC_APP)


DEEP = os.environ.get("SANDBOX_FUZZ_EXAMPLES")

# Operations whose bodies obey rules across fields, or rules of the process definitions,
# that a JSON schema cannot state: a schema-valid body may still be 422 there.
BEYOND_THE_SCHEMA = {
    "POST /api/v1/cases": "data is checked against the process's own fields and the rule set's features",
    "POST /api/v1/meetings": "ends_at must be after starts_at",
    "POST /api/v1/meetings/{meeting_id}/items": "conditions go with some proposals only",
    "POST /api/v1/cases/{case_id}/actions/{action}": "the body is any action's schema, while the "
    "path names one; and effects check more (months 1-24, insurance minimums)",
}


def carries_nul(case: Any) -> bool:
    """A NUL in any text is refused before any view (sandbox.input_guard): PostgreSQL stores
    none, and JSON Schema could say so only with a pattern on every string."""
    sent = {"body": case.body, "query": case.query, "path": case.path_parameters}
    return any(True for _ in fields_with_nul(json.loads(json.dumps(sent, default=str))))


def excluded_checks(case: Any) -> list[Any]:
    excluded = []
    if case.operation.label in BEYOND_THE_SCHEMA or carries_nul(case):
        excluded.append(positive_data_acceptance)
    if case.operation.method.upper() == "GET":
        # GETs take query parameters only, and unknown ones are ignored on purpose (a
        # client's cache-buster is not an error); Schemathesis counts them as invalid.
        excluded.append(negative_data_rejection)
    return excluded


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           sqlite_template: Any) -> Iterator[tuple[Any, People]]:
    """An app with a district in its resident-opinion period and a plan being drafted, so
    that small ids (which Hypothesis tries first) find real objects."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "sandbox.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        pg = request.getfixturevalue("postgres_url")
        need_service("PostgreSQL", pg is not None)
        _truncate_postgres(pg)
        url = pg
    app = make_app(url)
    people = People(app.extensions["sandbox"])
    make_cast(people)
    api = ApiClient(app.test_client(), people)
    district_in_resident_opinion(api)
    filed_plan(api)
    yield app, people
    app.extensions["sandbox.db"].dispose()


@pytest.mark.parametrize("who", [SECRETARIAT, APPLICANT])
@schema.parametrize()
@settings(max_examples=int(DEEP or 12), deadline=None, derandomize=not DEEP, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(case: Any, fuzzed: tuple[Any, People], who: str) -> None:
    app, people = fuzzed
    token = issue_token(app.extensions["sandbox"], people.id(who))
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=excluded_checks(case))
