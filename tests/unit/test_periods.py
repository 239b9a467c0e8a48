"""Periods under the Civil Act arts 157, 160, 161 (Framework Act on Administration art. 6)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.domain.calendar import KST, KoreanCalendar
from sandbox.domain.periods import (
    Period,
    days_before,
    deadline_instant,
    first_counted_day,
    latest_filing_day,
    period_last_day,
    term_last_day,
)

CAL = KoreanCalendar()


def kst(*args):
    return datetime(*args, tzinfo=KST)


# --- worked examples (the contract) -------------------------------------------------------


def test_1_consultation_30_days_rolls_over_weekend():
    event = kst(2026, 9, 10, 14, 0)
    assert first_counted_day(event) == date(2026, 9, 11)
    assert period_last_day(event, Period(days=30)) == date(2026, 10, 10)  # Saturday
    last = period_last_day(event, Period(days=30), calendar=CAL)
    assert last == date(2026, 10, 12)
    assert deadline_instant(last) == datetime(2026, 10, 12, 15, 0, tzinfo=UTC)
    assert deadline_instant(last) == kst(2026, 10, 13, 0, 0)


def test_2_national_foundation_day_and_its_substitute():
    event = kst(2026, 9, 3, 10, 0)
    assert period_last_day(event, Period(days=30)) == date(2026, 10, 3)
    assert period_last_day(event, Period(days=30), calendar=CAL) == date(2026, 10, 6)


def test_3_one_month_without_corresponding_day():
    event = kst(2026, 1, 30, 10, 0)
    assert first_counted_day(event) == date(2026, 1, 31)
    assert period_last_day(event, Period(months=1)) == date(2026, 2, 28)
    # Sat 02-28, Sun 03-01 (Independence Movement Day), Mon 03-02 alternative holiday
    assert period_last_day(event, Period(months=1), calendar=CAL) == date(2026, 3, 3)


def test_4_designation_term_and_extension():
    end = term_last_day(date(2026, 3, 2), Period(years=4))
    assert end == date(2030, 3, 1)  # a holiday (Independence Movement Day), not rolled
    assert not CAL.is_working_day(end)
    assert term_last_day(end + timedelta(days=1), Period(months=24)) == date(2032, 3, 1)


def test_5_latest_filing_day():
    assert latest_filing_day(date(2030, 3, 1), 2) == date(2030, 1, 1)


def test_6_event_at_midnight_counts_its_first_day():
    event = kst(2026, 11, 2, 0, 0)
    assert first_counted_day(event) == date(2026, 11, 2)
    assert period_last_day(event, Period(days=10)) == date(2026, 11, 11)
    assert period_last_day(event, Period(days=10), calendar=CAL) == date(2026, 11, 11)


def test_7_month_ends():
    assert period_last_day(kst(2026, 3, 31, 9), Period(months=1)) == date(2026, 4, 30)
    event = kst(2026, 8, 31, 9)
    assert first_counted_day(event) == date(2026, 9, 1)
    assert period_last_day(event, Period(months=1)) == date(2026, 9, 30)
    assert period_last_day(event, Period(months=1), calendar=CAL) == date(2026, 9, 30)


def test_8_leap_days():
    last = period_last_day(kst(2028, 1, 29, 10), Period(months=1))
    assert last == date(2028, 2, 29)
    assert period_last_day(kst(2028, 1, 29, 10), Period(months=1), calendar=CAL) == last
    assert term_last_day(date(2028, 2, 29), Period(years=1)) == date(2029, 2, 28)
    # day 1 = 2027-03-01; corresponding day 2028-03-01 exists -> the day before it
    assert period_last_day(kst(2027, 2, 28, 10), Period(years=1)) == date(2028, 2, 29)
    # a year from Feb 29 (day 1 = 2028-02-29): no 2029-02-29 -> that month's last day
    assert period_last_day(kst(2028, 2, 28, 10), Period(years=1)) == date(2029, 2, 28)


def test_9_seollal_and_chuseok():
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 19)
    # holidays 0.109: no substitute for the second day of Chuseok falling on Sat 09-26
    assert CAL.next_working_day(date(2026, 9, 24)) == date(2026, 9, 28)
    # Seollal 2027: Sat 02-06 .. Mon 02-08, Tue 02-09 substitute
    assert CAL.next_working_day(date(2027, 2, 6)) == date(2027, 2, 10)
    # day 1 = 2026-01-16, day 30 = Sat 2026-02-14
    event = kst(2026, 1, 15, 16, 45)
    assert period_last_day(event, Period(days=30)) == date(2026, 2, 14)
    assert period_last_day(event, Period(days=30), calendar=CAL) == date(2026, 2, 19)


def test_10_buddhas_birthday_substitute():
    assert CAL.next_working_day(date(2026, 5, 23)) == date(2026, 5, 26)
    # day 1 = 2026-05-14, day 10 = Sat 05-23
    assert period_last_day(kst(2026, 5, 13, 11), Period(days=10), calendar=CAL) == date(2026, 5, 26)


def test_11_kst_boundaries_and_naive_events():
    utc_event = datetime(2026, 9, 10, 15, 30, tzinfo=UTC)  # 2026-09-11 00:30 KST
    assert first_counted_day(utc_event) == date(2026, 9, 12)
    assert first_counted_day(datetime(2026, 9, 10, 15, 0, tzinfo=UTC)) == date(2026, 9, 11)
    assert first_counted_day(kst(2026, 9, 11, 0, 0, 0, 1)) == date(2026, 9, 12)
    with pytest.raises(ValueError):
        first_counted_day(datetime(2026, 9, 10, 14, 0))  # noqa: DTZ001
    with pytest.raises(ValueError):
        period_last_day(datetime(2026, 9, 10, 14, 0), Period(days=1))  # noqa: DTZ001


# --- the rest of the API ------------------------------------------------------------------


def test_extra_days_and_combinations():
    event = kst(2026, 9, 10, 14, 0)
    assert period_last_day(event, Period(days=30), extra_days=5) == date(2026, 10, 15)
    assert period_last_day(kst(2026, 1, 30, 10), Period(months=1, days=3)) == date(2026, 3, 3)
    assert period_last_day(kst(2026, 1, 30, 10), Period(months=1), extra_days=1) == date(2026, 3, 1)
    assert term_last_day(date(2026, 3, 2), Period(years=1, months=2)) == date(2027, 5, 1)
    with pytest.raises(ValueError):
        period_last_day(event, Period())
    with pytest.raises(ValueError):
        period_last_day(event, Period(days=1), extra_days=-1)
    with pytest.raises(ValueError):
        term_last_day(date(2026, 3, 2), Period())


def test_period_dict_round_trip_and_validation():
    assert Period.from_dict({"days": 30}) == Period(days=30)
    assert Period.from_dict({"years": 1, "months": 2}).to_dict() == {"years": 1, "months": 2}
    assert Period(months=24).to_dict() == {"months": 24}
    for bad in ({"weeks": 2}, {"days": -1}, {}, {"days": 0}, {"days": "3"}, {"days": True}):
        with pytest.raises(ValueError):
            Period.from_dict(bad)
    with pytest.raises(ValueError):
        Period(months=-1)


def test_latest_filing_day_month_end_and_no_rolling():
    assert latest_filing_day(date(2030, 4, 30), 2) == date(2030, 2, 28)
    assert latest_filing_day(date(2032, 3, 1), 0) == date(2032, 3, 1)
    assert latest_filing_day(date(2030, 3, 1), 14) == date(2029, 1, 1)  # a holiday, kept
    with pytest.raises(ValueError):
        latest_filing_day(date(2030, 3, 1), -1)


def test_days_before():
    assert days_before(date(2030, 3, 1), 30) == date(2030, 1, 30)
    assert days_before(date(2030, 3, 1), 0) == date(2030, 3, 1)


# --- property ------------------------------------------------------------------------------

events = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, KST]),
)


@settings(max_examples=300, deadline=None)
@given(event=events, days=st.integers(min_value=1, max_value=400))
def test_rolling_property(event, days):
    unrolled = period_last_day(event, Period(days=days))
    rolled = period_last_day(event, Period(days=days), calendar=CAL)
    assert unrolled == first_counted_day(event) + timedelta(days=days - 1)
    assert rolled >= unrolled
    assert CAL.is_working_day(rolled)
    d = unrolled
    while d < rolled:
        assert not CAL.is_working_day(d)
        d += timedelta(days=1)
    instant = deadline_instant(rolled)
    assert instant.tzinfo is UTC
    local = instant.astimezone(KST)
    assert local.date() == rolled + timedelta(days=1)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
