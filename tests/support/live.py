"""A live server for browser tests: the app on a random local port in a thread, on a
clock the test moves, and headless Debian Chromium driven by Playwright.

Browsers are never downloaded: the tests use /usr/bin/chromium (``apt-get install
chromium``, done by scripts/bootstrap.sh). Without it they skip, unless
SANDBOX_REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def need_chromium() -> None:
    from tests.conftest import need_service

    present = Path(CHROMIUM).exists()
    if present:
        try:
            import playwright  # noqa: F401
        except ImportError:
            present = False
    need_service("Chromium (apt-get install chromium) with playwright", present)


@contextmanager
def live_app(sqlite_template: Path, tmp_path: Path, start: datetime | None = None) -> Iterator[Any]:
    from werkzeug.serving import make_server

    from sandbox import create_app
    from sandbox.domain.clock import FixedClock
    from sandbox.services.people import seed_organisations

    db = tmp_path / "live.db"
    shutil.copy(sqlite_template, db)
    clock = FixedClock(start or datetime(2026, 9, 1, 1, 0, tzinfo=UTC))
    app = create_app({
        "DATABASE_URL": f"sqlite:///{db}", "TESTING": True, "SECRET_KEY": "browser-test",
        "SANDBOX_TIMER_LOOP": "0", "SANDBOX_PUBLIC_URL": "http://127.0.0.1",
    }, clock=clock)
    seed_organisations(app.extensions["sandbox"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["LIVE_CLOCK"] = clock
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(5)
        app.extensions["sandbox.db"].dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
