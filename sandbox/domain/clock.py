"""The one clock.

Every "now" in the product comes from here, so tests can move time with freezegun and
audited times never come from a database's own ``now()`` (ARCHITECTURE rule 5).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock", "FixedClock", "system_clock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in UTC."""


class SystemClock:
    def now(self) -> datetime:
        # The only call to the system time in the code base.
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where it is put; for unit tests that do not use freezegun."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._at += timedelta(**delta)


system_clock = SystemClock()
