"""Fixtures of the browser tests (headless Debian Chromium through Playwright)."""

import pytest

from tests.support.live import browser  # noqa: F401 - a fixture, shared by the module's tests


@pytest.fixture
def frozen():
    """The pages' tests' clock: a Thursday morning in September 2026, ticking."""
    from freezegun import freeze_time

    with freeze_time("2026-09-10 01:00:00", tick=True) as frozen_time:
        yield frozen_time
