"""The main pages and list endpoints at a country's scale: each one's time and SQL
statements with the demo data copied 100 times (a baseline that fills every list's first
page and every bounded scan, such as the work queues') and 2,000 times (18,000 cases,
22,000 consultations).

ARCHITECTURE "Scale": list pages paginate and no request does work proportional to the
whole table. So a page's statements must not grow with the tables (one query per row of a
page is bounded by the page; one per row of a table is not), and its time should grow
little. Prints, per page: the median time at both sizes, their ratio, and the statements;
a page whose statements grow is marked GROWS. Exit status 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any

from bench._common import DEFAULT_URL, clone_database, driver_url, fresh_app, measure

# The demo's cases, their consultations and deadlines, copied ``copies`` times; the copies
# keep their filer, local government and state, so every list of every role grows.
MULTIPLY = """
CREATE TEMP TABLE cmap AS
  SELECT c.id AS old_id, nextval('case_id_seq') AS new_id
  FROM "case" c, generate_series(1, :copies) g WHERE c.id <= :demo_cases;
INSERT INTO "case" (id, reference, process, definition_version, rule_set, state, version, data,
  filer_user_id, filer_org, local_government, district_id, created_at, updated_at, decision,
  audit_seq, audit_head, flags)
SELECT m.new_id, 'SB-B-' || m.new_id, c.process, c.definition_version, c.rule_set, c.state,
  c.version, c.data, c.filer_user_id, c.filer_org, c.local_government, c.district_id,
  c.created_at, c.updated_at, c.decision, c.audit_seq, c.audit_head, c.flags
FROM "case" c JOIN cmap m ON m.old_id = c.id;
INSERT INTO consultation (case_id, agency, process, definition_version, state, version,
  opened_at, extended, extension_days, position, comment, conditions, requirements,
  questions, answer, replied_at, deemed, created_at, updated_at)
SELECT m.new_id, agency, process, definition_version, state, version, opened_at, extended,
  extension_days, position, comment, conditions, requirements, questions, answer,
  replied_at, deemed, created_at, updated_at
FROM consultation c JOIN cmap m ON m.old_id = c.case_id;
INSERT INTO timer (case_id, subject_type, subject_id, kind, status, due_at, last_day,
  counted_from, period, extra_days, trigger, created_at, attempts)
SELECT m.new_id, t.subject_type, m.new_id, t.kind, t.status, t.due_at, t.last_day,
  t.counted_from, t.period, t.extra_days, t.trigger, t.created_at, 0
FROM timer t JOIN cmap m ON m.old_id = t.case_id
WHERE t.subject_type = 'case' AND t.parent_id IS NULL;
DROP TABLE cmap;
ANALYZE;
"""

# Who looks at what: each role's work pages, the lists, and the public ones.
PAGES: dict[str | None, tuple[str, ...]] = {
    "secretariat@demo.molit.go.kr": ("/dashboard", "/cases", "/cases?page=3", "/committee",
                                     "/notifications", "/cases/1", "/api/v1/cases",
                                     "/api/v1/consultations"),
    "sejong@demo.go.kr": ("/dashboard", "/cases", "/cases/1"),
    "knpa@demo.go.kr": ("/agency/consultations", "/cases", "/api/v1/consultations"),
    "ceo@demo-mobility.kr": ("/dashboard", "/cases"),
    None: ("/register", "/register?page=2", "/opinions"),
}


class Site:
    """One database, an app on it, and a signed-in test client per person."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import event

        from sandbox import create_app
        from sandbox.demo import DEMO_PASSWORD
        from sandbox.services.people import issue_token

        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret",
                               "SANDBOX_TIMER_LOOP": "0", "SANDBOX_OUTBOX": "manual"})
        rt = self.app.extensions["sandbox"]
        self.statements = 0

        def count(*_args: Any) -> None:
            self.statements += 1

        event.listen(self.app.extensions["sandbox.db"], "before_cursor_execute", count)
        self.clients: dict[str | None, Any] = {}
        self.tokens: dict[str | None, str] = {}
        for email in PAGES:
            client = self.app.test_client()
            if email:
                form = client.get("/login").get_data(as_text=True)
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
                client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf})
                self.tokens[email] = issue_token(rt, _user_id(rt, email))
            self.clients[email] = client

    def get(self, email: str | None, path: str) -> tuple[float, int, int]:
        headers = {"Authorization": f"Bearer {self.tokens[email]}"} if path.startswith("/api/") else {}
        before = self.statements
        start = time.perf_counter()
        answer = self.clients[email].get(path, headers=headers)
        return time.perf_counter() - start, self.statements - before, answer.status_code

    def close(self) -> None:
        self.app.extensions["sandbox.db"].dispose()


def _user_id(rt: Any, email: str) -> int:
    from sqlalchemy import select

    from sandbox.adapters.tables import User

    with rt.uow() as uow:
        return int(uow.session.scalar(select(User.id).where(User.email == email)))  # type: ignore[arg-type]


def build(url: str, copies_small: int, copies_large: int) -> tuple[str, str]:
    """The demo in ``url``, then a copy multiplied ``copies_small`` times (the baseline)
    and one multiplied ``copies_large`` times."""
    from sqlalchemy import create_engine, text

    from sandbox.demo import load_demo

    app = fresh_app(url)
    with app.app_context():  # the demo files its cases through the API, on a test client
        for _ in load_demo(app.extensions["sandbox"]):
            pass
    app.extensions["sandbox.db"].dispose()
    urls = []
    for suffix, copies in (("_small", copies_small), ("_large", copies_large)):
        copy = clone_database(url, suffix)
        engine = create_engine(driver_url(copy))
        with engine.begin() as conn:
            demo_cases = conn.execute(text('SELECT max(id) FROM "case"')).scalar_one()
            for statement in filter(str.strip, MULTIPLY.split(";")):
                conn.execute(text(statement), {"copies": copies, "demo_cases": demo_cases})
            sizes = [conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                     for t in ("case", "consultation", "timer")]
        engine.dispose()
        print(f"{suffix[1:]:5}: demo x{copies + 1}: {sizes[0]:,} cases, {sizes[1]:,} consultations, "
              f"{sizes[2]:,} timers")
        urls.append(copy)
    return urls[0], urls[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL.replace("sandbox_bench", "sandbox_bench_pages"),
                        help="database to DROP and recreate (and its _small and _large copies)")
    parser.add_argument("--small", type=int, default=100, help="copies of the demo in the baseline")
    parser.add_argument("--large", type=int, default=2000, help="copies of the demo at scale")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page and size (median)")
    args = parser.parse_args(argv)

    def run() -> None:
        small_url, large_url = build(args.url, args.small, args.large)
        small, large = Site(small_url), Site(large_url)
        print(f"\n{'page':44} {'baseline':>9} {'at scale':>9} {'ratio':>6}  statements")
        grows = 0
        for email, paths in PAGES.items():
            for path in paths:
                timed: dict[str, list[float]] = {"small": [], "large": []}
                counts: dict[str, int] = {}
                for _ in range(args.repeat + 1):  # the first of each is a warm-up
                    for name, site in (("small", small), ("large", large)):
                        seconds, statements, status = site.get(email, path)
                        if status != 200:
                            raise SystemExit(f"{path} as {email}: {status}")
                        timed[name].append(seconds)
                        counts[name] = statements
                ms = {k: statistics.median(v[1:]) * 1e3 for k, v in timed.items()}
                flag = "  GROWS" if counts["large"] > counts["small"] else ""
                grows += bool(flag)
                who = (email or "public").split("@")[0]
                print(f"{who + ' ' + path:44} {ms['small']:7.1f}ms {ms['large']:7.1f}ms "
                      f"{ms['large'] / ms['small']:6.2f}  {counts['small']} / {counts['large']}{flag}")
        verdict = "PASS" if not grows else "FAIL"
        print(f"\npages whose statements grow with the tables: {grows}  target 0  {verdict}")
        small.close()
        large.close()

    measure(run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
