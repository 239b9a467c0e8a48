"""A meeting's window on the pages: the day written once when it starts and ends on the
same Korean day (web.i18n.format_window)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask, g
from flask_babel import Babel

from sandbox.web.i18n import format_window


@pytest.fixture
def shown():
    """The window as a page in ``lang`` shows it (Flask-Babel keeps the locale per request)."""
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: g.lang)

    def show(start, end, lang="ko"):
        with app.test_request_context():
            g.lang = lang
            return format_window(start, end)
    return show


def test_one_korean_day_is_written_once(shown):
    start, end = datetime(2026, 9, 18, 5, 0, tzinfo=UTC), datetime(2026, 9, 18, 8, 0, tzinfo=UTC)
    assert shown(start, end) == "2026년 9월 18일 (금) 14:00–17:00"
    assert shown(start, end, "en") == "18 Sep 2026 (Fri) 14:00–17:00"


def test_a_window_over_midnight_in_seoul_shows_both_days(shown):
    # 23:50 to 00:10 KST: the same day in UTC, two days in Korea.
    start, end = datetime(2026, 9, 18, 14, 50, tzinfo=UTC), datetime(2026, 9, 18, 15, 10, tzinfo=UTC)
    assert shown(start, end) == "2026년 9월 18일 (금) 23:50 – 2026년 9월 19일 (토) 00:10"


def test_a_written_deliberation_over_a_week(shown):
    assert shown("2026-09-18T14:00:00+09:00", "2026-09-25T17:00:00+09:00") == (
        "2026년 9월 18일 (금) 14:00 – 2026년 9월 25일 (금) 17:00")
