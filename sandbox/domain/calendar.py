"""The Korean legal calendar: which days are working days.

Why this exists: a period under the Framework Act on Administration art. 6, which applies
the Civil Act arts 155-161, ends on the next working day when its last day is a Saturday or
a public holiday (Civil Act art. 161; Sundays are public holidays). Which days are public
holidays (incl. substitute/alternative holidays, lunar Seollal and Chuseok, election days) is
taken from the ``holidays`` package, ``holidays.KR``, public category.

The package is pinned (``holidays==0.109``): it *is* the legal calendar we rely on, so a
change of its version is a rule change and must be reviewed, not picked up silently. The
module refuses to load with any other version.

Pure: this module never reads the system time; "now" comes from ``sandbox.domain.clock``.
"""

from __future__ import annotations

import functools
import threading
import zoneinfo
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

__all__ = [
    "KST",
    "HOLIDAYS_VERSION",
    "EXTRA_HOLIDAY_NAME",
    "KoreanCalendar",
    "default_calendar",
    "holidays_version",
]

KST = zoneinfo.ZoneInfo("Asia/Seoul")

# The pinned legal calendar. A calendar change is a rule change: bump this constant (and the
# pin in pyproject.toml) only together with a review of the holiday tables and their tests.
HOLIDAYS_VERSION = "0.109"
if holidays.__version__ != HOLIDAYS_VERSION:  # not an assert: must survive ``python -O``
    raise RuntimeError(
        f"holidays=={holidays.__version__} installed, the legal calendar is pinned to "
        f"{HOLIDAYS_VERSION}; a calendar change is a rule change"
    )

EXTRA_HOLIDAY_NAME = "Designated holiday"
_SATURDAY, _SUNDAY = 5, 6


def holidays_version() -> str:
    """The installed ``holidays`` version (shown in audit records and the admin page)."""
    return holidays.__version__


class KoreanCalendar:
    """Korean public holidays plus extra (e.g. ad hoc designated) holidays.

    ``holidays.KR`` is built once and extended year by year on demand (building is slow-ish);
    a lock keeps the lazy extension safe under a threaded server.
    """

    def __init__(self, extra_holidays: Iterable[date] = ()) -> None:
        self._extra: frozenset[date] = frozenset(extra_holidays)
        self._kr = holidays.KR(years=())  # expand=True: a lookup populates that year
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def _table(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            if not holidays.KR.start_year <= year <= holidays.KR.end_year:
                raise ValueError(f"year {year} is outside the legal calendar's range")
            with self._lock:
                if year not in self._years:
                    _ = date(year, 1, 1) in self._kr  # populates the whole year, once
                    self._years.add(year)
        return self._kr

    def holiday_name(self, d: date) -> str | None:
        """The holiday's name, or None on a day that is not a public or extra holiday."""
        name = self._table(d.year).get(d)
        if name is None and d in self._extra:
            return EXTRA_HOLIDAY_NAME
        return name

    def is_holiday(self, d: date) -> bool:
        """A public holiday (Sundays are public holidays too, but see is_working_day)."""
        return d in self._extra or d in self._table(d.year)

    def is_working_day(self, d: date) -> bool:
        """Not a Saturday, not a Sunday, not a holiday (Civil Act art. 161)."""
        return d.weekday() not in (_SATURDAY, _SUNDAY) and not self.is_holiday(d)

    def next_working_day(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it (art. 161)."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in (start, end]; 0 when ``end <= start``."""
        count, d = 0, start + timedelta(days=1)
        while d <= end:
            count += self.is_working_day(d)
            d += timedelta(days=1)
        return count


@functools.cache
def default_calendar() -> KoreanCalendar:
    """The shared calendar without extra holidays (one cached instance per process)."""
    return KoreanCalendar()
