"""The legal calendar (holidays==0.109, Civil Act art. 161 working days)."""

from datetime import date

import holidays
import pytest

from sandbox.domain.calendar import (
    HOLIDAYS_VERSION,
    KoreanCalendar,
    default_calendar,
    holidays_version,
)

CAL = KoreanCalendar()


def test_pinned_version():
    assert HOLIDAYS_VERSION == "0.109"
    assert holidays_version() == holidays.__version__ == HOLIDAYS_VERSION


def test_default_calendar_is_shared():
    assert default_calendar() is default_calendar()


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 2, 16), "The day preceding Korean New Year"),
        (date(2026, 2, 17), "Korean New Year"),
        (date(2026, 2, 18), "The second day of Korean New Year"),
        (date(2026, 3, 2), "Alternative holiday for Independence Movement Day"),
        (date(2026, 5, 25), "Alternative holiday for Buddha's Birthday"),
        (date(2026, 6, 3), "Local Election Day"),
        (date(2026, 9, 24), "The day preceding Chuseok"),
        (date(2026, 10, 5), "Alternative holiday for National Foundation Day"),
        (date(2027, 2, 9), "Alternative holiday for Korean New Year"),
    ],
)
def test_holidays_of_the_pinned_package(day, name):
    assert CAL.is_holiday(day)
    assert CAL.holiday_name(day) == name
    assert not CAL.is_working_day(day)


def test_chuseok_2026_on_saturday_has_no_substitute():
    # 09-26 (Sat) is the second day of Chuseok; Saturdays do not give a substitute for Chuseok.
    assert not CAL.is_holiday(date(2026, 9, 28))
    assert CAL.is_working_day(date(2026, 9, 28))


def test_weekends_and_plain_days():
    assert not CAL.is_working_day(date(2026, 10, 10))  # Saturday
    assert not CAL.is_working_day(date(2026, 10, 11))  # Sunday
    assert not CAL.is_holiday(date(2026, 10, 10))
    assert CAL.holiday_name(date(2026, 10, 10)) is None
    assert CAL.is_working_day(date(2026, 10, 12))  # Monday


def test_next_working_day():
    assert CAL.next_working_day(date(2026, 10, 12)) == date(2026, 10, 12)
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 19)  # Seollal
    assert CAL.next_working_day(date(2026, 2, 28)) == date(2026, 3, 3)


def test_extra_holidays():
    cal = KoreanCalendar(extra_holidays=[date(2026, 10, 12)])
    assert cal.is_holiday(date(2026, 10, 12))
    assert cal.holiday_name(date(2026, 10, 12)) is not None
    assert cal.next_working_day(date(2026, 10, 10)) == date(2026, 10, 13)
    assert CAL.is_working_day(date(2026, 10, 12))  # the other instance is untouched


def test_working_days_between():
    assert CAL.working_days_between(date(2026, 10, 12), date(2026, 10, 12)) == 0
    assert CAL.working_days_between(date(2026, 10, 12), date(2026, 10, 1)) == 0
    # (Fri 10-02, Fri 10-09]: Sat, Sun, Mon holiday, Tue-Thu working, Fri Hangul Day -> 3
    assert CAL.working_days_between(date(2026, 10, 2), date(2026, 10, 9)) == 3
    # Seollal week: (Fri 02-13, Fri 02-20] -> Thu 19, Fri 20
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 20)) == 2
    # across a year boundary (both years loaded lazily)
    assert CAL.working_days_between(date(2027, 12, 30), date(2028, 1, 4)) == 3


def test_year_outside_the_calendar_is_refused():
    with pytest.raises(ValueError):
        CAL.is_holiday(date(2101, 1, 3))
