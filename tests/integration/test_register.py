"""The public register (DOMAIN "The public register"): what it shows of a designated
district, in Korea's calendar, and a CSV export no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from sandbox.services.register_csv import as_csv, as_text_cell
from tests.support import flows
from tests.support.cast import KNPA, SECRETARIAT
from tests.support.flows import ok
from tests.support.web import sign_in

FORMULA_NAME = "=HYPERLINK(\"http://evil.example\",\"지구\")"


def _designated_just_after_midnight_kst(api, app, cast, frozen):
    case = flows.tabled_district(api, app, frozen, ["KNPA"], {"KNPA": KNPA}, name=FORMULA_NAME)
    now = datetime.now(UTC)
    meeting = ok(api.post("/api/v1/meetings", {
        "title": "제1차", "mode": "written", "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat()}, SECRETARIAT), 201)
    item = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items",
                       {"case_id": case["id"], "proposal": "approve_with_conditions",
                        "conditions": ["+82 상황실 운영", "@운영사 보고"]}, SECRETARIAT), 201)
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/open", None, SECRETARIAT))
    for member in cast.members[:3]:
        ok(api.post(f"/api/v1/items/{item['id']}/vote", {"choice": "for"}, member))
    # Close at 15:30 UTC, which is 00:30 the next day in Seoul.
    closes = datetime.now(UTC).replace(hour=15, minute=30) + timedelta(days=1)
    frozen.move_to(closes)
    ok(api.post(f"/api/v1/meetings/{meeting['id']}/close", None, SECRETARIAT))
    return case, closes


def test_a_district_is_registered_on_its_korean_date_and_exported_without_formulas(api, app, cast):
    with freeze_time("2026-03-02 01:00:00+00:00", tick=True) as frozen:
        case, closed_utc = _designated_just_after_midnight_kst(api, app, cast, frozen)
    seoul_day = (closed_utc + timedelta(hours=9)).date().isoformat()
    assert seoul_day != closed_utc.date().isoformat()

    entry = next(e for e in ok(api.get("/api/v1/register")) if e["id"] == case["id"])
    assert entry["name"] == FORMULA_NAME  # the register shows what was filed
    assert entry["approval_date"] == entry["start_date"] == seoul_day

    for path in ("/register.csv", "/register/export.csv"):
        raw = api.client.get(path)
        assert raw.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(raw.get_data(as_text=True).lstrip("\ufeff"))))
        row = next(r for r in rows if r["reference"] == case["reference"])
        assert row["name"] == "'" + FORMULA_NAME, path
        assert row["conditions"] == "'+82 상황실 운영 / @운영사 보고"
        assert row["approval_date"] == seoul_day

    # The register page names the status; the secretariat's dashboard does not list the
    # designated district as waiting for it (lifting is its own initiative).
    page = app.test_client()
    assert "지정</span>" in page.get("/register").get_data(as_text=True)
    sign_in(page, SECRETARIAT)
    home = page.get("/dashboard").get_data(as_text=True)
    waiting = home.split('id="new-title"', 1)[1].split("</section>", 1)[0]
    assert case["reference"] not in waiting
    assert "lift" in ok(api.get(f"/api/v1/cases/{case['id']}", SECRETARIAT))["actions"]


def test_only_cells_a_spreadsheet_would_run_are_quoted():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert as_text_cell(text) == "'" + text
    for value, shown in (("세종 스마트지구", "세종 스마트지구"), (2.7, "2.7"), (None, ""), ("a=b", "a=b")):
        assert as_text_cell(value) == shown
    text = as_csv([{"reference": "SB-1", "name": "=cmd", "exceptions": [{"law": "-법", "article": "1"}]}])
    assert text.startswith("\ufeffreference,")
    assert "'=cmd" in text and "'-법 1" in text
