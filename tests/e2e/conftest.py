"""Fixtures of the browser tests (headless Debian Chromium through Playwright)."""

from tests.support.live import browser  # noqa: F401 - a fixture, shared by the module's tests
