"""Time to fire 1,000 due timers with 10 thousand and with 1 million timers pending.

    .venv/bin/python -m bench.sweep [--url URL] [--due 1000] [--pending-small 10000]
                                    [--pending-large 1000000] [--repeat 3] [--profile]

Drops, recreates and migrates the database in ``--url`` (default ``sandbox_bench``). Files
a few district cases and moves them to ``supplement_requested`` through the one door, so
each has a real supplement deadline (trigger ``lapse``) with its reminders. Then loads timer
rows with ``INSERT ... SELECT generate_series``:

* ``--due`` reminder timers, due before the clock's now: children of the cases' deadlines
  (``parent_id`` set, no trigger, ``reminder_days`` set). Firing one claims it, locks its
  case, and writes a reminder notification to the filer; no state changes. The same rows
  (reset between runs) fire in every run, so both runs do identical work.
* the rest, pending and due later (spread over two years), until ``--pending-small`` and
  then ``--pending-large`` rows are pending in all.

Each size has a database of its own (``--url`` and ``--url`` + ``_large``, both dropped and
recreated). After each load it runs ANALYZE, then times
``sandbox.services.timers.fire_due_timers(rt)`` with ``rt.clock`` fixed, ``--repeat`` times
per size, the two sizes taking turns (due rows and notifications reset and VACUUM ANALYZE
before each run); the medians are reported. Target: large / small <= 1.5.
Exits 0 whatever the result.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bench._common import (  # noqa: E402
    DEFAULT_URL,
    DISTRICT,
    StatementCounter,
    add_user,
    drop_database,
    fresh_app,
    measure,
    median,
    profile,
    server_settings,
)

TARGET = 1.5
NOW = datetime(2031, 3, 4, 3, 0, tzinfo=UTC)  # a Tuesday, 12:00 KST

# One statement loads ``:n`` timers; ``g`` runs 1..n. Cases and their deadlines are picked
# round-robin from the arrays. FK checks are skipped for the load (session_replication_role)
# since every reference is known to exist.
LOAD = """
INSERT INTO timer (case_id, subject_type, subject_id, kind, status, due_at, last_day,
                   counted_from, period, extra_days, trigger, parent_id, reminder_days,
                   created_at, attempts)
SELECT c.case_id, 'case', c.case_id, 'supplement_deadline:reminder', 'pending',
       {due_at}, c.last_day, :created, '{{}}', 0, NULL, c.main_id,
       CASE WHEN g % 2 = 0 THEN 7 ELSE 1 END, :created, 0
FROM generate_series(1, :n) AS g
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, case_id, id AS main_id, last_day
      FROM timer WHERE parent_id IS NULL AND status = 'pending') AS c
  ON c.k = g % :cases
"""
DUE_AT = "CAST(:now AS timestamptz) - g * interval '1 second'"
FUTURE_AT = ("CAST(:now AS timestamptz) + interval '1 hour'"
             " + (:offset + g) * (interval '730 days' / :span)")


class Bench:
    def __init__(self, args: argparse.Namespace, url: str) -> None:
        from sandbox.domain.clock import FixedClock

        self.args, self.url = args, url
        # Cases are filed 10 days before NOW: their real deadlines are still ahead.
        self.clock = FixedClock(NOW - timedelta(days=10))
        self.app = fresh_app(url, clock=self.clock)
        self.rt = self.app.extensions["sandbox"]
        self.db = self.app.extensions["sandbox.db"]
        self._cases(args.cases)
        self.rt.clock = FixedClock(NOW)
        self.base_id = self.scalar("SELECT max(id) FROM timer")
        self.future = 0

    def prepare(self) -> None:
        """Warm up (statement caches, connection pool) on due rows removed afterwards, then
        load the due rows every run fires."""
        self.load(DUE_AT, 100)
        self.sweep()
        self.sql("DELETE FROM timer WHERE id > :base", base=self.base_id)
        self.sql("DELETE FROM notification")
        self.load(DUE_AT, self.args.due)
        self.base_id = self.scalar("SELECT min(id) FROM timer WHERE id > :base", base=self.base_id) - 1

    def _cases(self, n: int) -> None:
        from sandbox.adapters.tables import Case
        from sandbox.engine import door
        from sandbox.services.cases import file_case

        rt, now = self.rt, self.clock.now()
        filer = add_user(rt, "official@sejong.go.kr", "local_government", "sejong", now)
        secretariat = add_user(rt, "secretariat@molit.go.kr", "secretariat", "MOLIT", now)
        for _ in range(n):
            case_id = file_case(rt, filer, "district_designation", DISTRICT)
            for actor, action, payload in ((filer, "submit", {}),
                                           (secretariat, "request_supplement", {"items": "plan"})):
                with rt.uow() as uow:
                    case = uow.session.get(Case, case_id)
                    door.fire(uow.session, rt.engine, now, actor, case, action, payload)
                    uow.commit()
        with rt.uow() as uow:  # the set-up's own notifications are not the sweep's
            uow.session.execute(text("DELETE FROM notification"))
            uow.commit()

    # -- SQL helpers ---------------------------------------------------------------------
    def sql(self, statement: str, autocommit: bool = False, **params: Any) -> None:
        if autocommit:
            with self.db.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text(statement))
            return
        with self.db.begin() as conn:
            conn.execute(text(statement), params)

    def scalar(self, statement: str, **params: Any) -> Any:
        with self.db.connect() as conn:
            return conn.execute(text(statement), params).scalar()

    def load(self, due_at: str, n: int, **params: Any) -> None:
        if n <= 0:
            return
        with self.db.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(LOAD.format(due_at=due_at)),
                         {"n": n, "cases": self.args.cases, "created": NOW - timedelta(days=1),
                          "now": NOW, **params})

    def pending(self) -> int:
        return int(self.scalar("SELECT count(*) FROM timer WHERE status = 'pending'"))

    def fill_to(self, pending: int) -> float:
        start = time.perf_counter()
        add = pending - self.pending()
        self.load(FUTURE_AT, add, offset=self.future, span=self.args.pending_large)
        self.future += max(add, 0)
        self.sql("ANALYZE")
        return time.perf_counter() - start

    def reset_due(self) -> None:
        """The due rows pending again and no notifications, with dead rows vacuumed."""
        lo, hi = self.base_id + 1, self.base_id + self.args.due
        self.sql("UPDATE timer SET status = 'pending', fired_at = NULL, attempts = 0,"
                 " last_error = NULL WHERE id BETWEEN :lo AND :hi", lo=lo, hi=hi)
        self.sql("DELETE FROM notification")
        self.sql("VACUUM ANALYZE timer", autocommit=True)
        self.sql("VACUUM ANALYZE notification", autocommit=True)

    # -- the measurement ---------------------------------------------------------------
    def sweep(self) -> tuple[float, float, int]:
        from sandbox.services.timers import fire_due_timers

        start, cpu = time.perf_counter(), time.process_time()
        fired = fire_due_timers(self.rt)
        return time.perf_counter() - start, time.process_time() - cpu, fired

    def check(self, fired: int) -> None:
        notes = self.scalar("SELECT count(*) FROM notification")
        if fired != self.args.due or notes != self.args.due:
            print(f"  WARNING: fired {fired}, notifications {notes}, expected {self.args.due}")

    def run_once(self, label: str, r: int) -> tuple[float, float]:
        """One timed sweep of the due rows (reset first); its wall and CPU seconds."""
        self.reset_due()
        wall, cpu, fired = self.sweep()
        self.check(fired)
        print(f"  {label} run {r}: {wall * 1e3:8.1f} ms  ({wall / fired * 1e3:.2f} ms/timer, "
              f"{cpu / fired * 1e3:.2f} ms Python CPU/timer)")
        return wall, cpu

    def explain(self) -> str:
        query = ("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM timer"
                 " WHERE status = 'pending' AND due_at <= :now ORDER BY due_at, id LIMIT 200"
                 " FOR UPDATE SKIP LOCKED")
        with self.db.connect() as conn:
            rows = conn.execute(text(query), {"now": NOW}).scalars().all()
            conn.rollback()
        return "\n".join("    " + r for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="database to DROP and recreate")
    parser.add_argument("--due", type=int, default=1000, help="due timers fired per run")
    parser.add_argument("--pending-small", type=int, default=10_000)
    parser.add_argument("--pending-large", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=10, help="cases the timers point at")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more large run")
    parser.add_argument("--profile-out", help="write the cProfile stats to this file")
    parser.add_argument("--top", type=int, default=30, help="profile rows to print")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    # One database per size, measured in turns: the sizes' runs are interleaved, so a
    # shared VM's drift in speed (seconds to minutes) hits both alike.
    benches = {"small": Bench(args, args.url), "large": Bench(args, f"{args.url}_large")}
    for label, b in benches.items():
        print(f"database ({label}): {b.url}  ({server_settings(b.db)})")
        b.prepare()
    print(f"set-up {time.perf_counter() - t0:.1f}s: {args.cases} cases in supplement_requested, "
          f"{args.due} due reminder timers in each database")
    for label, size in (("small", args.pending_small), ("large", args.pending_large)):
        b = benches[label]
        load = b.fill_to(size)
        print(f"{label}: {b.pending():,} pending timers ({args.due:,} due), loaded + ANALYZE "
              f"in {load:.1f}s")
        print("  claim query plan (first batch):")
        b.reset_due()
        print(b.explain())

    runs: dict[str, list[tuple[float, float]]] = {"small": [], "large": []}
    for r in range(1, args.repeat + 1):
        for label, b in benches.items():
            runs[label].append(b.run_once(label, r))
    results = {label: (median([w for w, _ in rows]), median([c for _, c in rows]))
               for label, rows in runs.items()}

    b = benches["large"]
    b.reset_due()
    counter = StatementCounter(b.db)
    with counter.counting():
        _, _, fired = b.sweep()
    print(f"round trips at the large size ({fired} timers):")
    print(counter.report(max(fired, 1), "timer"))

    small, large = results["small"][0], results["large"][0]
    ratio = large / small
    print()
    print(f"fire {args.due:,} due timers, {args.pending_small:,} pending: {small * 1e3:8.1f} ms "
          f"({args.due / small:.0f} timers/s; {results['small'][1] * 1e3:.0f} ms Python CPU)")
    print(f"fire {args.due:,} due timers, {args.pending_large:,} pending: {large * 1e3:8.1f} ms "
          f"({args.due / large:.0f} timers/s; {results['large'][1] * 1e3:.0f} ms Python CPU)")
    print(f"ratio large/small: {ratio:.2f}  target <= {TARGET}  "
          f"{'PASS' if ratio <= TARGET else 'FAIL'}")
    if args.profile or args.profile_out:
        b.reset_due()
        print()
        print(profile(b.sweep, args.profile_out, args.top, args.due, "timer"))
    print(f"total {time.perf_counter() - t0:.0f}s")
    for each in benches.values():
        each.db.dispose()
    drop_database(benches["large"].url)
    return 0


if __name__ == "__main__":
    measure(main)
