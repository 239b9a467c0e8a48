"""The iCalendar feed of a user's upcoming deadlines, read back with the icalendar parser."""

from __future__ import annotations

from datetime import date, timedelta

from freezegun import freeze_time
from icalendar import Calendar

from tests.support.cast import APPLICANT, BUSAN, KNPA, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import district_in_consultation, ok
from tests.support.plans import approved_plan, designated_district, started


def feed(api, who):
    body = ok(api.post("/api/v1/calendar/token", {}, who), 201)
    # Under the public address (as the mails), not the host the request came through.
    public = api.client.application.config["SANDBOX_PUBLIC_URL"].rstrip("/")
    assert body["url"] == f"{public}/calendar/{body['token']}.ics"
    raw = api.client.get(f"/calendar/{body['token']}.ics")
    assert raw.status_code == 200 and raw.mimetype == "text/calendar"
    return body["token"], Calendar.from_ical(raw.get_data())


def events(cal):
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_each_user_sees_its_own_upcoming_deadlines(api, app, cast):
    with freeze_time("2026-07-30 00:30:00+00:00") as frozen:
        case = district_in_consultation(api, app, frozen, ["KNPA", "PIPC"])
        assert frozen().date() == date(2026, 9, 13)  # Sun: day 1 of the 30 is Mon 09-14
        ref = case["reference"]

        _, cal = feed(api, KNPA)
        assert cal["VERSION"] == "2.0" and "PRODID" in cal
        knpa = events(cal)
        # Named as the pages and the mails name them (vocabulary.DEADLINES).
        assert set(knpa) == {f"[{ref}] 기관 회신 기한 / Agency reply due",
                             f"[{ref}] 회신 90일 한도 / 90-day limit for the reply"}
        due = knpa[f"[{ref}] 기관 회신 기한 / Agency reply due"]
        # 30 days from Sun 09-13 end on Tue 10-13 (a working day): an all-day event that day.
        assert due["DTSTART"].dt == date(2026, 10, 13) and due["DTEND"].dt == date(2026, 10, 14)
        assert "2026-10-14T00:00:00+09:00" in str(due["DESCRIPTION"])
        assert str(due["UID"]).startswith("timer-")

        # The secretariat sees both agencies' deadlines; another local government none.
        _, sec = feed(api, SECRETARIAT)
        assert len(list(sec.walk("VEVENT"))) == 4
        _, busan = feed(api, BUSAN)
        assert list(busan.walk("VEVENT")) == []

        # A reply ends the agency's deadlines; so they leave its feed.
        consultation = next(c for c in case["consultations"] if c["agency"] == "KNPA")
        ok(api.post(f"/api/v1/consultations/{consultation['id']}/reply", {"position": "consent"}, KNPA))
        token, cal = feed(api, KNPA)
        assert list(cal.walk("VEVENT")) == []
        _, pipc = feed(api, PIPC)
        assert len(list(pipc.walk("VEVENT"))) == 2
        frozen.tick(timedelta(days=1))
        assert len(list(feed(api, SEJONG)[1].walk("VEVENT"))) == 2  # the filer: PIPC still due


def test_a_feed_needs_a_calendar_token(api, cast):
    api_token = api.people.token(SEJONG)
    assert api.client.get(f"/calendar/{api_token}.ics").status_code == 401  # not a feed token
    assert api.client.get("/calendar/nonsense.ics").status_code == 401


def test_an_operator_sees_its_exceptions_deadlines(api, app, cast):
    """Once approved, what an operator most needs in a calendar is the exception's own
    deadlines: the start within a year, then the end of the term."""
    with freeze_time("2026-03-02 00:30:00+00:00") as frozen:
        district = designated_district(api, app, cast, frozen)
        case = approved_plan(api, app, cast, frozen, district_id=district["id"])
        ref = case["reference"]
        start_by = f"[{ref}] 사업 개시 기한 (승인 후 1년) / Start within one year"
        assert start_by in events(feed(api, APPLICANT)[1])
        case = started(api, case["id"], frozen().date().isoformat())
        mine = events(feed(api, APPLICANT)[1])
        term_end = mine[f"[{ref}] 특례 기간 만료 / End of the exception's term"]
        assert term_end["DTSTART"].dt == date.fromisoformat(case["exception"]["ends_on"])
        assert start_by not in mine  # started: that deadline is over
        assert f"[{ref}] 특례 기간 만료 / End of the exception's term" in events(feed(api, SECRETARIAT)[1])
        # An agency's feed stays its consultations' replies only.
        assert not [s for s in events(feed(api, KNPA)[1]) if "특례" in s]


def test_the_web_page_makes_shows_once_renews_and_stops_the_address(api, app, cast):
    import re

    from tests.support.web import post, sign_in

    web = app.test_client()
    sign_in(web, SEJONG)
    assert "내 캘린더 주소 만들기" in web.get("/calendar").get_data(as_text=True)
    assert web.post("/calendar/new", data={}).status_code == 400  # CSRF

    def made() -> str:
        shown = post(web, "/calendar/new", {}, token_from="/calendar").get_data(as_text=True)
        public = app.config["SANDBOX_PUBLIC_URL"].rstrip("/")
        return re.search(rf'value="{re.escape(public)}(/calendar/[^"]+\.ics)"', shown).group(1)

    first = made()
    assert api.client.get(first).status_code == 200
    again = web.get("/calendar").get_data(as_text=True)
    assert first not in again and "캘린더 주소 사용 중" in again  # shown once, then only said to be live
    second = made()
    assert api.client.get(first).status_code == 401  # a new address stops the one before
    assert api.client.get(second).status_code == 200
    stopped = post(web, "/calendar/stop", {}, token_from="/calendar")
    assert stopped.status_code == 302
    assert api.client.get(second).status_code == 401
    assert "캘린더 주소 사용 중" not in web.get("/calendar").get_data(as_text=True)
    assert app.test_client().get("/calendar").status_code in (302, 401)  # signed in only
