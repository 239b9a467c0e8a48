"""The iCalendar feed of a user's upcoming deadlines, read back with the icalendar parser."""

from __future__ import annotations

from datetime import date, timedelta

from freezegun import freeze_time
from icalendar import Calendar

from tests.support.cast import BUSAN, KNPA, PIPC, SECRETARIAT, SEJONG
from tests.support.flows import district_in_consultation, ok


def feed(api, who):
    body = ok(api.post("/api/v1/calendar/token", {}, who), 201)
    assert body["url"].endswith(f"/calendar/{body['token']}.ics")
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
        assert set(knpa) == {f"[{ref}] 협의 회신 기한 / consultation reply due",
                             f"[{ref}] 협의 회신 최종 기한(90일) / consultation reply, 90-day cap"}
        due = knpa[f"[{ref}] 협의 회신 기한 / consultation reply due"]
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
