"""The API's contract for bad input, authentication and the OpenAPI description."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time

from sandbox.services import people as people_service
from tests.conftest import make_app
from tests.support.api import ApiClient
from tests.support.cast import APPLICANT, KNPA, SECRETARIAT, SEJONG, make_cast
from tests.support.flows import DISTRICT, filed_district, ok
from tests.support.people import People
from tests.support.plans import filed_plan
from tests.support.web import post

PROBLEM = "application/problem+json"


def test_token_endpoint_issues_and_revokes(api, cast, app):
    from tests.support.people import PASSWORD

    wrong = api.post("/api/v1/auth/token", {"email": SEJONG, "password": "nope"})
    assert wrong.status == 401 and wrong.content_type == PROBLEM
    token = ok(api.post("/api/v1/auth/token", {"email": SEJONG, "password": PASSWORD}), 201)["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 200
    assert api.client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 401


def test_the_token_endpoint_is_throttled_with_the_sign_in_page(api, cast, app):
    """Five failures lock the e-mail for 15 minutes wherever they were made; the token
    endpoint is no way round the sign-in page's lock, nor the page round the endpoint's."""
    from tests.support.people import PASSWORD
    from tests.support.web import sign_in

    for _ in range(3):
        assert api.post("/api/v1/auth/token", {"email": SEJONG, "password": "guess"}).status == 401
    for _ in range(2):
        assert sign_in(app.test_client(), SEJONG, "guess").status_code == 401
    locked = api.post("/api/v1/auth/token", {"email": SEJONG, "password": PASSWORD})
    assert locked.status == 429 and locked.content_type == PROBLEM, locked
    assert sign_in(app.test_client(), SEJONG).status_code == 429
    assert api.post("/api/v1/auth/token", {"email": KNPA, "password": PASSWORD}).status == 201


def test_tokens_are_stored_hashed(app, cast):
    from sqlalchemy import select

    from sandbox.adapters.tables import ApiToken

    rt = app.extensions["sandbox"]
    token = people_service.issue_token(rt, cast.people.id(SEJONG))
    with rt.uow() as uow:
        stored = list(uow.session.scalars(select(ApiToken.token_hash)))
    assert token not in stored and len(stored[0]) == 64


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_no_or_bad_token_is_401(api, cast, header):
    headers = {"Authorization": header} if header else {}
    raw = api.client.get("/api/v1/cases", headers=headers)
    assert raw.status_code == 401
    assert raw.content_type == PROBLEM
    assert raw.get_json()["status"] == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": DISTRICT}, "process"),
        ({"process": "district_designation"}, "data"),
        ({"process": "nonsense", "data": {}}, "process"),
        ({"process": "district_designation", "data": {**DISTRICT, "area_km2": "big"}}, "data.area_km2"),
        ({"process": "district_designation", "data": {**DISTRICT, "local_government": "busan"}},
         "data.local_government"),
        ({"process": "district_designation", "data": "not an object"}, "data"),
    ],
)
def test_bad_filings_are_422_with_field_messages(api, cast, body, field):
    r = api.post("/api/v1/cases", body, SEJONG)
    assert r.status == 422, r
    assert r.content_type == PROBLEM
    assert field in r.json["errors"], r.json
    assert set(r.json) >= {"type", "title", "status", "detail", "errors"}


def test_an_unknown_process_is_told_with_the_other_fields_at_once(api, cast):
    r = api.post("/api/v1/cases", {"process": "nonsense"}, SEJONG)
    assert r.status == 422, r
    assert set(r.json["errors"]) == {"process", "data"}
    assert r.json["errors"]["process"] == [
        "알 수 없는 절차입니다. / One of: district_designation, project_approval, rapid_confirmation"]


def test_field_messages_are_in_korean_and_english(api, cast):
    """marshmallow's own messages too, like the product's: "한국어 / English"."""
    r = api.post("/api/v1/cases", {"data": {**DISTRICT, "area_km2": "big"}, "extra": 1}, SEJONG)
    assert r.status == 422, r
    errors = r.json["errors"]
    assert errors["process"] == ["필수 항목입니다. / Missing data for required field."]
    assert errors["extra"] == ["알 수 없는 항목입니다. / Unknown field."]
    r = api.post("/api/v1/cases", {"process": "district_designation",
                                   "data": {**DISTRICT, "area_km2": "big"}}, SEJONG)
    assert r.json["errors"]["data.area_km2"] == ["숫자가 아닙니다. / Not a valid number."]
    # Messages with values keep them in both halves; the product's own stay as they were.
    from sandbox.domain.field_messages import in_both_languages
    assert in_both_languages("Must be one of: a, b.") == (
        "다음 중 하나여야 합니다: a, b. / Must be one of: a, b.")
    assert in_both_languages("Longer than maximum length 200.") == (
        "최대 200자까지 입력할 수 있습니다. / Longer than maximum length 200.")
    assert in_both_languages("Must be greater than or equal to 1 and less than or equal to 30.") == (
        "1 이상 30 이하여야 합니다. / Must be greater than or equal to 1 and less than or equal to 30.")
    assert in_both_languages("기한이 지났습니다. / Too late.") == "기한이 지났습니다. / Too late."
    # Each bound of a range inclusive or not; the ending follows the last word.
    assert in_both_languages("Must be greater than 0.") == "0 초과여야 합니다. / Must be greater than 0."
    assert in_both_languages("Must be less than 5.") == "5 미만이어야 합니다. / Must be less than 5."
    r = api.post("/api/v1/cases", {"process": "district_designation",
                                   "data": {**DISTRICT, "area_km2": -3}}, SEJONG)
    assert r.json["errors"]["data.area_km2"] == [
        "0 초과 10000 이하여야 합니다. / Must be greater than 0 and less than or equal to 10000."]


def test_malformed_json_is_422_not_500(api, cast):
    raw = api.client.post("/api/v1/cases", data="{not json", content_type="application/json",
                          headers={"Authorization": f"Bearer {cast.people.token(SEJONG)}"})
    assert raw.status_code == 422
    assert raw.content_type == PROBLEM


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's parser can recurse
        '{"email": ' + '{"a": ' * 3_000 + "1" + "}" * 3_000 + "}",  # parses, but no schema goes there
        '{"email": ' + "9" * 5_000 + ', "password": "x"}',  # past the int conversion limit
        '{"email": "a@b.kr", "password": 1e999}',  # infinity, which no JSON can carry back
    ],
    ids=["nested-100000", "nested-3000", "int-5000-digits", "infinity"],
)
@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/cases"])
def test_json_no_parser_should_take_is_422_on_the_body_not_500(api, cast, path, body):
    raw = api.client.post(path, data=body, content_type="application/json",
                          headers={"Authorization": f"Bearer {cast.people.token(SEJONG)}"})
    assert raw.status_code == 422, raw.get_data(as_text=True)[:300]
    assert raw.content_type == PROBLEM and list(raw.get_json()["errors"]) == ["_body"]


@pytest.mark.parametrize("query, field", [
    ("/api/v1/cases?process=bogus", "process"),
    ("/api/v1/cases?state=bogus", "state"),
    ("/api/v1/consultations?state=designated", "state"),
])
def test_a_filter_naming_nothing_that_exists_is_422(api, cast, query, field):
    r = api.get(query, SECRETARIAT)
    assert r.status == 422 and list(r.json["errors"]) == [field], r
    listed = ok(api.get("/api/v1/cases?process=district_designation&state=designated", SECRETARIAT))
    assert listed["total"] == 0
    assert ok(api.get("/api/v1/consultations?state=overdue", SECRETARIAT)) == []


def test_a_patch_that_changes_nothing_makes_no_new_version(api, cast):
    case = filed_district(api)
    same = ok(api.patch(f"/api/v1/cases/{case['id']}", {"version": case["version"], "data": {}}, SEJONG))
    same = ok(api.patch(f"/api/v1/cases/{case['id']}", {"version": same["version"],
                                                        "data": {"name": DISTRICT["name"]}}, SEJONG))
    assert same["version"] == case["version"]
    assert [e["action"] for e in ok(api.get(f"/api/v1/cases/{case['id']}/history", SEJONG))] == ["file"]
    ok(api.patch(f"/api/v1/cases/{case['id']}", {"version": case["version"], "data": {"area_km2": 3.3}},
                 SEJONG))
    stale = api.patch(f"/api/v1/cases/{case['id']}", {"version": case["version"], "data": {}}, SEJONG)
    assert stale.status == 409


def test_a_designation_end_already_past_is_422(api, cast):
    with freeze_time("2026-12-03 03:00:00+00:00"):
        for end in ("2020-01-01", "2026-12-03"):
            r = api.post("/api/v1/cases", {"process": "district_designation",
                                           "data": {**DISTRICT, "designation_end": end}}, SEJONG)
            assert r.status == 422 and list(r.json["errors"]) == ["data.designation_end"], r
        case = filed_district(api, designation_end="2030-12-31")
        r = api.patch(f"/api/v1/cases/{case['id']}", {"version": case["version"],
                                                      "data": {"designation_end": "2026-01-01"}}, SEJONG)
        assert r.status == 422 and "data.designation_end" in r.json["errors"]


def test_a_number_no_column_should_hold_is_422_on_its_field(api, cast):
    for area in (1e300, 10**30):
        r = api.post("/api/v1/cases", {"process": "district_designation",
                                       "data": {**DISTRICT, "area_km2": area}}, SEJONG)
        assert r.status == 422 and "data.area_km2" in r.json["errors"], r
    assert ok(api.get("/api/v1/cases", SEJONG))["total"] == 0


def test_a_method_the_path_does_not_have_is_405_with_allow(api, cast, app):
    raw = api.client.put("/api/v1/cases", headers={"Authorization": f"Bearer {cast.people.token(SEJONG)}"})
    assert raw.status_code == 405 and raw.content_type == PROBLEM
    assert set(raw.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}  # RFC 9110, 15.5.6
    page = app.test_client().put("/login")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_a_nul_character_anywhere_is_422_on_its_field_not_a_database_error(api, cast, app):
    body = {"process": "district_designation", "data": {**DISTRICT, "name": "세종\x00지구"}}
    r = api.post("/api/v1/cases", body, SEJONG)
    assert r.status == 422 and list(r.json["errors"]) == ["data.name"], r
    assert ok(api.get("/api/v1/cases", SEJONG))["total"] == 0  # nothing was filed
    r = api.get("/api/v1/cases?state=%00", SEJONG)
    assert r.status == 422 and "state" in r.json["errors"]
    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT))
    blank = api.post(f"/api/v1/cases/{case['id']}/comments", {"name": " ", "body": "의견"})
    assert blank.status == 422 and blank.json["errors"]["name"] == ["이름을 입력하세요. / Enter your name."]
    comment = api.post(f"/api/v1/cases/{case['id']}/comments", {"name": "홍\x00길동", "body": "의견"})
    assert comment.status == 422 and list(comment.json["errors"]) == ["name"]
    page = post(app.test_client(), f"/opinions/{case['id']}", {"name": "a\x00", "body": "b"})
    assert page.status_code == 422 and "NUL" in page.get_data(as_text=True)


def test_action_payload_is_validated(api, cast):
    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    r = api.action(case["id"], "return", SECRETARIAT)
    assert r.status == 422 and "reason" in r.json["errors"]
    r = api.action(case["id"], "return", SECRETARIAT, reason="   ")
    assert r.status == 422
    r = api.action(case["id"], "open_resident_opinion", SECRETARIAT, days="many")
    assert r.status == 422 and "days" in r.json["errors"]
    assert ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"] == "submitted"


def test_a_field_the_action_does_not_declare_is_422_and_nothing_moves(api, cast):
    """A misspelt field ("item" for "items") is named, not silently dropped."""
    case = filed_district(api)
    submitted = ok(api.action(case["id"], "submit", SEJONG))
    r = api.action(case["id"], "request_supplement", SECRETARIAT, version=submitted["version"],
                   item="사업계획서 보완")
    assert r.status == 422
    assert r.json["errors"] == {"item": ["알 수 없는 항목입니다. / Unknown field."],
                                "items": ["필수 항목입니다. / This field is required."]}
    r = api.action(case["id"], "resubmit", SEJONG, note="no payload is declared")
    assert r.status == 409  # not allowed in this state: the state check comes first
    r = api.action(case["id"], "request_supplement", SECRETARIAT, items="보완", due="tomorrow")
    assert r.status == 422 and list(r.json["errors"]) == ["due"]
    after = ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))
    assert (after["state"], after["version"]) == ("submitted", submitted["version"])
    history = ok(api.get(f"/api/v1/cases/{case['id']}/history", SECRETARIAT))
    assert [e["action"] for e in history].count("request_supplement") == 0
    ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="보완",
                  version=submitted["version"]))


def test_unknown_action_is_404_and_stale_version_409(api, cast):
    case = filed_district(api)
    assert api.action(case["id"], "teleport", SEJONG).status == 404
    r = api.action(case["id"], "submit", SEJONG, version=case["version"] + 5)
    assert r.status == 409
    ok(api.action(case["id"], "submit", SEJONG, version=case["version"]))


def test_roles_may_not_file_what_is_not_theirs(api, cast):
    r = api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT}, APPLICANT)
    assert r.status == 403
    r = api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT}, KNPA)
    assert r.status == 403


def test_rapid_confirmation_needs_the_2021_rule_set(api, cast):
    body = {"process": "rapid_confirmation",
            "data": {"title": "t", "description": "d", "agencies": ["KNPA"]}}
    r = api.post("/api/v1/cases", body, APPLICANT)
    assert r.status == 422 and "process" in r.json["errors"]


def test_case_list_is_filtered_and_paginated(api, cast):
    for _ in range(3):
        filed_district(api)
    page = ok(api.get("/api/v1/cases?per_page=2&page=2", SEJONG))
    assert page["total"] == 3 and len(page["items"]) == 1
    assert ok(api.get("/api/v1/cases", cast.people and "official@busan.go.kr"))["total"] == 0
    assert ok(api.get("/api/v1/cases?state=draft", SECRETARIAT))["total"] == 0  # not yet filed
    ok(api.action(page["items"][0]["id"], "submit", SEJONG))
    assert ok(api.get("/api/v1/cases?state=submitted", SECRETARIAT))["total"] == 1
    bad = api.get("/api/v1/cases?page=0", SEJONG)
    assert bad.status == 422
    assert bad.json["detail"] == "The input has errors: page"  # as a body's 422 names its fields
    assert bad.json["errors"]["page"][0].startswith("1 이상 2147483647 이하여야 합니다. / Must be")


def test_an_applicants_draft_is_its_own_until_it_is_submitted(database_url):
    """The local government of the plan's area sees it from the filing on (its pre-review,
    Act 49②), not while the applicant is still writing it."""
    app = make_app(database_url, SANDBOX_RULE_SET="2021")  # a plan needs no district
    people = People(app.extensions["sandbox"])
    make_cast(people)
    api = ApiClient(app.test_client(), people)
    draft = filed_plan(api)
    assert api.get(f"/api/v1/cases/{draft['id']}", SEJONG).status == 404
    assert draft["id"] not in {c["id"] for c in ok(api.get("/api/v1/cases", SEJONG))["items"]}
    ok(api.action(draft["id"], "submit", APPLICANT))
    assert ok(api.get(f"/api/v1/cases/{draft['id']}", SEJONG))["state"] == "local_government_review"
    app.extensions["sandbox.db"].dispose()


def test_openapi_describes_the_contract(api):
    spec = ok(api.get("/api/v1/openapi.json"))
    paths = spec["paths"]
    for path in ("/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/actions/{action}",
                 "/api/v1/cases/{case_id}/history", "/api/v1/auth/token", "/api/v1/register",
                 "/api/v1/notifications", "/api/v1/cases/{case_id}/comments"):
        assert path in paths, path
    assert "422" in paths["/api/v1/cases"]["post"]["responses"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_says_which_operations_take_a_token_as_the_server_asks_for_one(api, cast):
    """An operation documented without security is answered without a token, and one
    documented with the bearer scheme refuses a request without one (401): a client built
    from the spec must not send a token it cannot have yet (signing in) nor be surprised."""
    spec = ok(api.get("/api/v1/openapi.json"))
    asks_for_token = "send Authorization: Bearer <token>"
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            if method not in {"get", "post", "patch", "delete"}:
                continue
            documented = operation.get("security", spec["security"])
            answer = api.client.open(url, method=method.upper(), json={})
            refused_for_no_token = answer.status_code == 401 and answer.get_json()["detail"] == asks_for_token
            assert refused_for_no_token == bool(documented), (method, path, answer.status_code, documented)


def test_openapi_gives_each_action_its_payload_as_the_definition_declares_it(api, app):
    spec = ok(api.get("/api/v1/openapi.json"))
    post = spec["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    by_action = post["x-payload-by-action"]
    schemas = spec["components"]["schemas"]
    supplement = schemas[by_action["district_designation"]["request_supplement"].split("/")[-1]]
    assert supplement["required"] == ["items"] and supplement["additionalProperties"] is False
    assert set(supplement["properties"]) == {"items", "version"}
    insurance = schemas["Action.special_exception.file_insurance"]["properties"]
    assert insurance["valid_until"] == {"type": "string", "format": "date"}
    assert "required" not in schemas["Action.special_exception.file_insurance"]  # one of two sets
    revocation = schemas["Action.special_exception.propose_revocation"]["properties"]["ground"]
    assert revocation == {"type": "string", "enum": ["fraud", "deviation", "unremoved_risk", "not_started"]}
    # Every action a person may fire on a case, with every field its definition declares;
    # the committee's and the timers' own are not offered.
    registry = app.extensions["sandbox"].engine.registry
    for definition in registry.latest():
        if not definition.filer_roles:
            assert definition.process not in by_action
            continue
        for t in definition.transitions:
            offered = by_action[definition.process].get(t.trigger)
            if set(t.roles) <= {"system", "committee"}:
                assert offered is None, (definition.process, t.trigger)
                continue
            declared = schemas[offered.split("/")[-1]]["properties"]
            assert set(t.payload) <= set(declared), (definition.process, t.trigger)
    assert "approve" not in by_action["district_designation"]
    action = next(p for p in spec["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["parameters"]
                  if p["name"] == "action")
    assert {"submit", "request_supplement", "lift"} <= set(action["schema"]["enum"])



def test_openapi_gives_each_process_its_filing_data(api, cast):
    """The filing's ``data`` is described per process as services/case_data checks it."""
    from sandbox.services.case_data import SCHEMAS

    spec = ok(api.get("/api/v1/openapi.json"))
    post = spec["paths"]["/api/v1/cases"]["post"]
    by_process = post["x-data-by-process"]
    assert set(by_process) == set(SCHEMAS)
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["process"]["enum"] == sorted(SCHEMAS)
    schemas = spec["components"]["schemas"]
    district = schemas[by_process["district_designation"].split("/")[-1]]
    assert set(district["required"]) == {"name", "local_government", "area_description", "area_km2",
                                         "plan_summary"}
    assert district["additionalProperties"] is False
    assert set(district["properties"]) == set(DISTRICT) | {"designation_end", "projects"}
    # What the description says is what the server takes: the tests' own district, and a
    # field it does not know refused.
    filing = {"process": "district_designation", "data": DISTRICT}
    assert api.post("/api/v1/cases", filing, SEJONG).status == 201
    r = api.post("/api/v1/cases", {**filing, "data": {**DISTRICT, "mayor": "x"}}, SEJONG)
    assert r.status == 422 and "data.mayor" in r.json["errors"]
    assert spec["paths"]["/api/v1/cases/{case_id}"]["patch"]["x-data-by-process"] == by_process

def test_health(api):
    body = ok(api.get("/healthz"))
    assert body["database"] == "ok"


# Beyond any integer column (sandbox.domain.ids): such a number once reached the driver,
# which failed (SQLite OverflowError, PostgreSQL "integer out of range") with a 500.
HUGE = 10**20


@pytest.mark.parametrize("path", [
    "/api/v1/cases/{n}", "/api/v1/cases/{n}/history", "/api/v1/attachments/{n}",
    "/api/v1/consultations/{n}", "/api/v1/documents/{n}", "/api/v1/meetings/{n}",
])
def test_an_id_no_column_can_hold_is_404_not_500(api, cast, path):
    r = api.get(path.format(n=HUGE), SECRETARIAT)
    assert r.status == 404, r
    assert r.content_type == PROBLEM
    r = api.post(f"/api/v1/meetings/{HUGE}/attendance", {"present": [1]}, SECRETARIAT)
    assert r.status == 404, r


def test_numbers_no_column_can_hold_are_422_on_their_field(api, cast):
    r = api.post("/api/v1/cases", {"process": "district_designation",
                                   "data": {**DISTRICT, "projects": [HUGE]}}, SEJONG)
    assert r.status == 422 and "data.projects.0" in r.json["errors"], r.json
    assert api.get(f"/api/v1/cases?page={HUGE}", SECRETARIAT).json["errors"].keys() == {"page"}
    case = filed_district(api)
    r = api.patch(f"/api/v1/cases/{case['id']}", {"version": HUGE, "data": {}}, SEJONG)
    assert r.status == 422 and "version" in r.json["errors"], r.json
    r = api.post("/api/v1/meetings/1/attendance", {"present": [HUGE]}, SECRETARIAT)
    assert r.status == 422 and "present.0" in r.json["errors"], r.json
    assert ok(api.get(f"/api/v1/cases/{case['id']}", SEJONG))["version"] == case["version"]


@pytest.mark.parametrize("days", [HUGE, 10_000_000, 3_661])
def test_a_period_chosen_beyond_any_the_act_knows_is_422(api, cast, days):
    """Resident opinion for 10^7 days once overflowed the calendar's dates: a 500."""
    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    r = api.action(case["id"], "open_resident_opinion", SECRETARIAT, days=days)
    assert r.status == 422 and "days" in r.json["errors"], r.json
    assert ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["state"] == "submitted"
    opened = ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT, days=3_660))
    assert opened["state"] == "resident_opinion"


def test_openapi_describes_errors_as_the_problems_sent(api, cast):
    """Errors were described as flask-smorest's {code, status: str, message} in
    application/json, while every error is sent as a problem document (api/problems)."""
    spec = ok(api.get("/api/v1/openapi.json"))
    responses = spec["components"]["responses"]
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert list(responses[name]["content"]) == [PROBLEM], name
    described = spec["components"]["schemas"]["Problem"]
    sent = api.post("/api/v1/cases", {"process": "district_designation"}, SEJONG)
    assert sent.content_type == PROBLEM
    assert set(sent.json) <= set(described["properties"])
    assert set(described["required"]) <= set(sent.json)
    assert described["properties"]["status"]["type"] == "integer"
    health = spec["paths"]["/healthz"]["get"]["responses"]
    assert health["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/HealthOut")
    assert set(ok(api.get("/healthz"))) <= set(spec["components"]["schemas"]["HealthOut"]["properties"])
