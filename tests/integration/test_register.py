"""The public register (DOMAIN "The public register"): what it shows of a designated
district, in Korea's calendar, and a CSV export no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from sandbox.services.register_csv import as_csv, as_text_cell
from tests.support import flows
from tests.support.cast import KNPA, SECRETARIAT, SEJONG
from tests.support.flows import ok
from tests.support.rows import add_cases
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



def _designated_rows(app, cast, numbers):
    """Designated districts written straight as rows: the register only reads them."""
    add_cases(app, cast.people.id(SEJONG), [
        {"reference": f"SB-2026-9{n:05d}", "state": "designated",
         "data": {"name": f"지구 {n:03d}", "local_government": "sejong", "area_description": "세종시"}}
        for n in numbers])


def test_the_register_page_shows_a_page_at_a_time_and_its_statements_do_not_grow(app, cast):
    """ARCHITECTURE "Scale": list pages paginate, and no request does work per entry in
    SQL (the organisations' names were read once per district)."""
    from sqlalchemy import event

    client = app.test_client()
    engine = app.extensions["sandbox.db"]

    def statements_for(path):
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            text = client.get(path).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return text, len(seen)

    _designated_rows(app, cast, range(3))
    _, with_three = statements_for("/register")
    _designated_rows(app, cast, range(3, 120))
    first, with_many = statements_for("/register")
    assert with_many <= with_three
    assert first.count(">지구 ") == 50
    assert "3쪽 중 1쪽" in first and 'rel="next"' in first
    assert "이 120건을 CSV로" in first  # the CSV link counts every entry the filters select
    last, _ = statements_for("/register?page=3")
    assert last.count(">지구 ") == 20 and 'rel="prev"' in last and 'rel="next"' not in last
    filtered, _ = statements_for("/register?q=%EC%A7%80%EA%B5%AC%20119")  # "지구 119"
    assert filtered.count(">지구 ") == 1 and 'rel="next"' not in filtered


def _csv_references(client, query):
    raw = client.get(f"/register/export.csv?{query}").get_data(as_text=True).lstrip("\ufeff")
    return [r["reference"] for r in csv.DictReader(io.StringIO(raw))]


def test_the_registers_filters_search_and_pages_select_in_the_database(app, api, monkeypatch):
    """The demo's register (two districts, one project), filtered by kind, status, local
    government and words as the page shows them, page by page across districts and projects;
    the CSV exports what the filters select."""
    from urllib.parse import quote

    from sandbox.web import public as register_pages

    with freeze_time("2026-12-01 03:00:00+00:00"):
        assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    every = ok(api.get("/api/v1/register"))
    districts = [e["reference"] for e in every if e["kind"] == "district"]
    projects = [e["reference"] for e in every if e["kind"] == "project"]
    assert districts and projects
    assert _csv_references(client, "") == districts + projects  # districts, then projects

    assert _csv_references(client, "kind=district") == districts
    assert _csv_references(client, "kind=project") == projects
    assert _csv_references(client, "kind=nothing") == []
    assert _csv_references(client, "status=active") == projects  # a project's: its exception's
    assert _csv_references(client, "status=designated") == districts
    assert _csv_references(client, "local_government=busan") == []
    # Words: a project's operator and title, a district's name and area, any reference, and
    # the local government's name (a district's operator, a project's area).
    for words, expected in [("데모모빌리티", projects), ("셔틀", projects), ("5-1 생활권", districts),
                            ("규제혁신지구", districts), (projects[0][-6:], projects),
                            ("세종특별자치시", districts + projects), ("100%", []), ("_", [])]:
        assert _csv_references(client, f"q={quote(words)}") == expected, words

    # A page at a time, across the districts into the projects.
    monkeypatch.setattr(register_pages, "REGISTER_PER_PAGE", 1)
    shown = []
    for n in range(1, len(every) + 1):
        html = client.get(f"/register?page={n}").get_data(as_text=True)
        shown += [ref for ref in districts + projects if f'class="hint">{ref}<' in html]
        assert f"{len(every)}쪽 중 {n}쪽" in html
    assert shown == districts + projects
    page = client.get("/register").get_data(as_text=True)
    for value, label in (("active", "시행 중"), ("designated", "지정")):
        assert f'<option value="{value}">{label}</option>' in page


def test_each_entry_has_a_page_with_all_the_register_publishes(api, app, cast):
    """DOMAIN "The public register": the list shows the main columns; an entry's own page
    adds the exception type, the start day, the lead and regulating agencies and the
    exceptions with their target articles. A case the register does not hold is 404."""
    from tests.support.plans import approved_plan, designated_district, filed_plan, started

    with freeze_time("2025-10-01 00:30:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        frozen.move_to("2026-03-02 01:00:00+00:00")
        plan = approved_plan(api, app, cast, frozen, district_id=district["id"])
        draft = filed_plan(api, district_id=district["id"])
        reader = app.test_client()  # the public: no sign-in
        listed = reader.get("/register").get_data(as_text=True)
        for case in (district, plan):
            assert f'href="/register/{case["id"]}"' in listed

        page = reader.get(f"/register/{plan['id']}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        for shown in ("수요응답형 자율주행 셔틀 실증", "스마트실증사업", "(주)모빌리티",
                      "세종특별자치시 한누리대로 2130", "아직 개시 전", "국토교통부", "경찰청",
                      "개인정보보호위원회",
                      "여객자동차 운수사업법", "제4조", "면허 없는 유상 운송", "개인정보 보호법", "제15조"):
            assert shown in text, shown
        assert "스마트실증사업 / demonstration" not in text  # the reader's language only
        approved = next(e for e in ok(api.get("/api/v1/register")) if e["id"] == plan["id"])["approval_date"]
        assert approved == "2026-03-03" and "2026년 3월 3일 (화)" in text

        frozen.move_to("2026-03-09 01:00:00+00:00")
        started(api, plan["id"], "2026-03-09")
        text = reader.get(f"/register/{plan['id']}").get_data(as_text=True)
        assert "2026년 3월 9일 (월)" in text and "아직 개시 전" not in text
        reader.get("/language/en")
        english = reader.get(f"/register/{plan['id']}").get_data(as_text=True)
        assert "Exception type" in english and "demonstration" in english

        text = reader.get(f"/register/{district['id']}").get_data(as_text=True)
        assert district["data"]["name"] in text and district["data"]["area_description"] in text
        assert f'href="/register/{plan["id"]}"' in text  # its approved project, not the draft
        assert f'href="/register/{draft["id"]}"' not in text
        for absent in (draft["id"], 999_999):
            assert reader.get(f"/register/{absent}").status_code == 404
