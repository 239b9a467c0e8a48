"""Computing legal periods and deadlines.

Why: the Framework Act on Administration art. 6 makes the Civil Act arts 155-161 the rule
for periods in administrative matters. The rules applied here:

* art. 157: a period in days/weeks/months/years does not count its first day, unless the
  period starts at 00:00 (then that day counts);
* art. 160: months and years are counted by the calendar; when not counted from the start of
  a month/year, the period ends on the day before the day corresponding to the starting day
  (기산일) in the last month/year; with no corresponding day, on that month's last day;
* art. 161: when the last day is a Saturday or a public holiday, the period ends on the next
  day, i.e. the next working day (see ``sandbox.domain.calendar``).

All wall-clock reasoning is in Asia/Seoul (KST); instants are returned in UTC. Pure: the
system time is never read here, time comes from the injected clock.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from sandbox.domain.calendar import KST, KoreanCalendar

__all__ = [
    "Period",
    "first_counted_day",
    "period_last_day",
    "deadline_instant",
    "term_last_day",
    "latest_filing_day",
    "days_before",
]


@dataclass(frozen=True)
class Period:
    """A length of time; normally one kind, a combination applies years+months, then days."""

    days: int = 0
    months: int = 0
    years: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"Period.{f.name} must be a non-negative integer, got {v!r}")

    @classmethod
    def from_dict(cls, d: Mapping) -> Period:
        """From workflow config, e.g. ``{"days": 30}``; unknown keys and empty periods fail."""
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown period keys: {sorted(unknown)}")
        period = cls(**d)
        if period.is_zero():
            raise ValueError("a period must not be empty")
        return period

    def to_dict(self) -> dict[str, int]:
        """Only the non-zero parts, so that ``from_dict(p.to_dict()) == p``. (Not
        ``dataclasses.asdict``, which copies deeply: every deadline started writes its period.)"""
        return {name: value for name in _PARTS if (value := getattr(self, name))}

    def is_zero(self) -> bool:
        return not (self.days or self.months or self.years)


_PARTS = tuple(f.name for f in fields(Period))


def _shift_months(day: date, months: int) -> tuple[date, bool]:
    """The day ``months`` later with the same day number, clipped to the month's last day.

    The flag says whether the corresponding day exists (art. 160 distinguishes the cases).
    """
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(day.day, last)), day.day <= last


def _calendar_end(start: date, months: int) -> date:
    """Last day of a ``months`` period whose first counted day is ``start`` (art. 160).

    The day before the corresponding day; if there is no corresponding day in the last month,
    that month's last day. (A period from the 1st ends on the last day of a month either way.)
    """
    shifted, exists = _shift_months(start, months)
    return shifted - timedelta(days=1) if exists else shifted


def _span_end(first: date, period: Period) -> date:
    """The last day of ``period`` when ``first`` is its first counted day (no rolling)."""
    total_months = period.years * 12 + period.months
    end = _calendar_end(first, total_months) if total_months else first - timedelta(days=1)
    return end + timedelta(days=period.days)


def first_counted_day(event: datetime) -> date:
    """The first day counted (art. 157): the next KST day, or the event's day at 00:00 KST."""
    if event.tzinfo is None or event.utcoffset() is None:
        raise ValueError("the event time must be timezone-aware")
    local = event.astimezone(KST)
    if local.time() == time(0):
        return local.date()
    return local.date() + timedelta(days=1)


def period_last_day(
    event: datetime,
    period: Period,
    *,
    calendar: KoreanCalendar | None = None,
    extra_days: int = 0,
) -> date:
    """The last day of ``period`` counted from ``event`` (arts 157, 160, and 161 if rolled).

    ``extra_days`` (paused days, extensions) are added after the calendar part. With a
    ``calendar`` the last day rolls to the next working day (art. 161); without, it does not.
    """
    if period.is_zero():
        raise ValueError("a period must not be empty")
    if extra_days < 0:
        raise ValueError("extra_days must not be negative")
    last = _span_end(first_counted_day(event), period) + timedelta(days=extra_days)
    return calendar.next_working_day(last) if calendar is not None else last


def deadline_instant(last_day: date) -> datetime:
    """The instant the period has run out: 00:00 KST after ``last_day``, as UTC."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=KST).astimezone(UTC)


def term_last_day(start_day: date, period: Period) -> date:
    """Last day of a term that starts ON ``start_day`` (counted, as from 00:00; art. 157).

    By art. 160: the day before the corresponding day, or the last month's last day when no
    such day exists. A term is never rolled for holidays: art. 161 protects someone who must
    act by a deadline, it does not lengthen a validity term.
    """
    if period.is_zero():
        raise ValueError("a period must not be empty")
    return _span_end(start_day, period)


def latest_filing_day(last_day: date, months_before: int) -> date:
    """The last day to file "at least N months before the end" of a term ending ``last_day``.

    ``last_day`` minus N months (that month's last day if there is no such day); filing on that
    day is allowed, the day after is refused. Never rolled for holidays.
    """
    if months_before < 0:
        raise ValueError("months_before must not be negative")
    return _shift_months(last_day, -months_before)[0]


def days_before(day: date, n: int) -> date:
    """``n`` calendar days before ``day`` (reminder ladders)."""
    return day - timedelta(days=n)
