"""The 2021 rule set: plans are nationwide, innovation projects are deemed extended until
their law is amended (Act 51② proviso), demonstration projects may ask for the amendment and
convert (Decree 58-3⑨)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.conftest import make_app
from tests.support.cast import APPLICANT, SECRETARIAT
from tests.support.flows import fire_timers, ok
from tests.support.plans import PLAN, approved_plan, started


@pytest.fixture
def app(database_url):
    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    yield app
    app.extensions["sandbox.db"].dispose()


def test_plans_name_no_district_under_2021(api, cast):
    with freeze_time("2026-01-05 01:00:00+00:00"):
        bad = api.post("/api/v1/cases", {"process": "project_approval",
                                         "data": {**PLAN, "district_id": 1}}, APPLICANT)
        assert bad.status == 422 and "data.district_id" in bad.json["errors"]


def test_an_innovation_project_is_deemed_extended_until_its_law_is_amended(api, app, cast):
    with freeze_time("2026-03-02 01:00:00+00:00") as frozen:
        case = approved_plan(api, app, cast, frozen, kind="innovation")
        cid = case["id"]
        assert case["rule_set"] == "2021" and case["state"] == "approved"
        started(api, cid, frozen().date().isoformat())
        last_day = case["exception"]["ends_on"]

        frozen.move_to(f"{last_day} 14:59:00+00:00")  # 23:59 KST on the last day
        fire_timers(app)
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["exception"]["state"] == "active"
        frozen.move_to(f"{last_day} 15:00:00+00:00")
        fire_timers(app)
        case = ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))
        exception = case["exception"]
        assert exception["state"] == "pending_law_amendment" and exception["deemed_extension"] is True
        assert not [d for d in case["deadlines"] if d["kind"] == "term_end" and d["status"] == "pending"]
        entry = next(e for e in ok(api.get("/api/v1/register")) if e["id"] == cid)
        assert entry["end_date"] == "법령 정비 시까지 / until the law is amended"
        history = ok(api.get(f"/api/v1/cases/{cid}/history", SECRETARIAT))
        assert history[-1]["action"] == "expire" and history[-1]["payload"]["deemed_extension"] is True

        frozen.tick(timedelta(days=400))
        fire_timers(app)  # no end date: nothing expires
        assert ok(api.get(f"/api/v1/cases/{cid}", APPLICANT))["exception"]["state"] == \
            "pending_law_amendment"
        case = ok(api.action(cid, "record_law_amended", SECRETARIAT, law="여객자동차 운수사업법",
                             effective_on=frozen().date().isoformat()))
        assert case["exception"]["state"] == "legalised"


def test_a_demonstration_project_asks_for_the_law_and_converts(api, app, cast):
    with freeze_time("2026-03-02 01:00:00+00:00") as frozen:
        case = approved_plan(api, app, cast, frozen, kind="demonstration")
        cid = case["id"]
        started(api, cid, frozen().date().isoformat())
        assert api.action(cid, "convert", APPLICANT).status == 409  # nothing requested yet

        frozen.tick(timedelta(days=800))
        case = ok(api.action(cid, "request_law_amendment", APPLICANT, reasons="실증 결과 안전성 확인"))
        exception = case["exception"]
        assert exception["state"] == "pending_law_amendment" and exception["deemed_extension"] is True
        assert exception["law_amendment"]["reasons"] == "실증 결과 안전성 확인"

        frozen.tick(timedelta(days=60))  # within the three months
        case = ok(api.action(cid, "convert", APPLICANT))
        assert case["exception"]["state"] == "converted" and case["exception"]["kind"] == "innovation"
        case = ok(api.action(cid, "record_law_amended", SECRETARIAT, law="여객자동차 운수사업법",
                             effective_on=frozen().date().isoformat()))
        assert case["exception"]["state"] == "legalised"


def test_law_amendment_and_conversion_deadlines(api, app, cast):
    with freeze_time("2026-03-02 01:00:00+00:00") as frozen:
        late = approved_plan(api, app, cast, frozen, kind="demonstration")
        slow = approved_plan(api, app, cast, frozen, kind="demonstration")
        for case in (late, slow):
            started(api, case["id"], frozen().date().isoformat())

        ok(api.action(slow["id"], "request_law_amendment", APPLICANT, reasons="법령 정비 필요"))
        frozen.tick(timedelta(days=100))  # more than three months
        refused = api.action(slow["id"], "convert", APPLICANT)
        assert refused.status == 409 and "conversion period ended" in refused.json["detail"]

        last_day = late["exception"]["ends_on"]
        frozen.move_to(f"{last_day} 01:00:00+00:00")  # less than two months before the end
        refused = api.action(late["id"], "request_law_amendment", APPLICANT, reasons="늦은 요청")
        assert refused.status == 409 and "law amendment must be requested" in refused.json["detail"]
