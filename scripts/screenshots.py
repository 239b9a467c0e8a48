"""Screenshots of each role's main page at desktop (1280) and phone (390) widths.

    .venv/bin/python scripts/screenshots.py [out_dir]   (default: instance/screenshots)

Runs the app on demo data on a random local port and drives Debian's chromium; look at
the PNGs before calling a page done.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.live import CHROMIUM, CHROMIUM_ARGS, live_app  # noqa: E402

PAGES = [
    ("public-register", None, "/register"),
    ("public-comment", None, "/opinions"),
    ("local-government", "sejong@demo.go.kr", "/dashboard"),
    ("filing-error", "busan@demo.go.kr", "FILING"),
    ("secretariat", "secretariat@demo.molit.go.kr", "/dashboard"),
    ("case-page", "secretariat@demo.molit.go.kr", "/cases/3"),
    ("agency", "knpa@demo.go.kr", "/agency/consultations"),
    ("applicant-exception", "ceo@demo-mobility.kr", "RUNNING"),
    ("plan-filing-error", "ceo@demo-mobility.kr", "PLAN_FILING"),
    ("committee", "member1@demo.molit.go.kr", "/committee/meetings/1"),
]


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from sandbox.cli import alembic_config
    from sandbox.demo import DEMO_PASSWORD, load_demo

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    template = tmp / "t.db"
    from alembic import command

    command.upgrade(alembic_config(f"sqlite:///{template}"), "head")
    from sandbox.domain.clock import system_clock

    with live_app(template, tmp, start=system_clock.now()) as app, app.app_context():
        running = None
        for line in load_demo(app.extensions["sandbox"]):
            if "running special exception" in line:
                running = int(re.search(r"case (\d+)", line).group(1))  # type: ignore[union-attr]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, email, path in PAGES:
                for width in (1280, 390):
                    ctx = browser.new_context(base_url=app.config["LIVE_URL"],
                                              viewport={"width": width, "height": 900})
                    page = ctx.new_page()
                    if email:
                        page.goto("/login")
                        page.fill("#f-email", email)
                        page.fill("#f-password", DEMO_PASSWORD)
                        page.click("main button[type=submit]")
                    if path == "RUNNING":
                        page.goto(f"/cases/{running}")
                    elif path == "PLAN_FILING":  # the exceptions step with a row half filled
                        page.goto("/file")
                        page.click("form[action$='/file/project_approval'] button")
                        page.click("a[href$='/exceptions']")
                        page.fill("#f-requested-exceptions-0-law", "도로교통법")
                        page.click("main form button[type=submit]:not([name])")
                    elif path == "FILING":
                        page.goto("/file")
                        page.click("form[action$='/file/district_designation'] button")
                        page.click("a[href$='/about']")
                        page.click("main form button[type=submit]")
                    else:
                        page.goto(path)
                    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                    if width < 500:  # what a phone shows first, legible when looked at
                        page.screenshot(path=str(out / f"{name}-{width}-top.png"))
                    ctx.close()
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "instance" / "screenshots")
