"""Transitions per second through the one door, against PostgreSQL's raw commit rate.

    .venv/bin/python -m bench.transitions [--url URL] [-n 3000] [--cases 100] [--rounds 3]
                                          [--profile] [--profile-out FILE]

Drops, recreates and migrates the database in ``--url`` (default ``sandbox_bench``), files
``--cases`` district cases and submits them, then fires ``-n`` transitions, one transaction
each, by calling ``sandbox.engine.door.fire`` in a UnitOfWork and committing:
request_supplement (secretariat; starts the supplement deadline and its two reminders) and
resubmit (the Sejong filer; cancels them), alternately on each case. Each transition reads
the case, checks role, state, version and guards, writes the state with a version check,
appends a hash-chained audit event under the case row lock, starts or cancels timers and
writes a notification.

The floor is the raw commit rate of one INSERT plus one UPDATE per transaction on one
connection (plain psycopg, scratch tables), for the same N. Target: engine >= 0.5 x raw.
The figures are medians over ``--rounds`` rounds; within a round the three loads take turns
in chunks of ``--chunk`` transitions, so a shared VM's drift in speed hits each alike.
Exits 0 whatever the result.

A third figure, a diagnostic and not the target, is the SQL's own ceiling: the statements
the engine sent for the measured transitions, captured in an unmeasured run beforehand,
replayed in the same order by plain psycopg on a copy of the database taken before that
run (so every conditional move matches again). No engine Python runs around them: what
any engine code could reach at best with these statements.

With ``--workers W`` (W > 1) it also measures, after the single-connection figures and
clearly apart from them, W processes firing at once on disjoint sets of cases (as several
gunicorn processes do), and W raw connections at once, and prints both ratios: concurrent
engine against the single-connection raw rate, and against the raw rate at W connections.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    DEFAULT_URL,
    DISTRICT,
    StatementCounter,
    add_user,
    clone_database,
    drop_database,
    fresh_app,
    libpq_url,
    measure,
    median,
    profile,
    server_settings,
)

TARGET = 0.5


class EngineLoad:
    """Cases cycling submitted -> supplement_requested -> submitted through door.fire."""

    def only(self, case_ids: list[int]) -> EngineLoad:
        """This load restricted to some of its cases (a concurrent worker's share)."""
        self.case_ids, self.next = case_ids, 0
        return self.resync()

    def resync(self) -> EngineLoad:
        """States and versions as the database has them (other processes fired too)."""
        from sqlalchemy import select

        from sandbox.adapters.tables import Case

        with self.rt.uow() as uow:
            rows = uow.session.execute(select(Case.id, Case.state, Case.version)
                                       .where(Case.id.in_(self.case_ids))).all()  # type: ignore[union-attr]
        self.known = {row.id: (row.state, row.version) for row in rows}
        return self

    def __init__(self, app: Any, cases: int) -> None:
        from sandbox.services.cases import file_case

        self.rt = app.extensions["sandbox"]
        now = self.rt.clock.now()
        self.filer = add_user(self.rt, "official@sejong.go.kr", "local_government", "sejong", now)
        self.secretariat = add_user(self.rt, "secretariat@molit.go.kr", "secretariat", "MOLIT", now)
        self.case_ids = [file_case(self.rt, self.filer, "district_designation", DISTRICT)
                         for _ in range(cases)]
        self.next = 0
        self.known: dict[int, tuple[str, int]] = {}  # state and version as last fired
        for _ in self.case_ids:  # draft -> submitted (set-up, not measured)
            self.step("submit")

    # What each action of the cycle leads to (district_designation.yaml).
    AFTER = {"submit": "submitted", "request_supplement": "supplement_requested",
             "resubmit": "submitted"}

    def step(self, force: str | None = None) -> None:
        """One transition, as the API fires it: services.cases.fire_action (load the case
        as the caller may see it, then door.fire with the version the caller read)."""
        from sandbox.services.cases import fire_action

        case_id = self.case_ids[self.next % len(self.case_ids)]
        self.next += 1
        state, version = self.known.get(case_id, ("draft", 1))
        if force:
            actor, action, payload = self.filer, force, {}
        elif state == "submitted":
            actor, action = self.secretariat, "request_supplement"
            payload = {"items": "사업계획서 보완 / complete the plan"}
        else:
            actor, action, payload = self.filer, "resubmit", {}
        fire_action(self.rt, actor, case_id, action, {**payload, "version": version})
        self.known[case_id] = (self.AFTER[action], version + 1)

    def run(self, n: int) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            self.step()
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - start


class RawLoad:
    """One INSERT plus one UPDATE per transaction, one connection, plain psycopg."""

    def __init__(self, url: str, rows: int, create: bool = True,
                 ids: list[int] | None = None) -> None:
        import psycopg

        self.conn = psycopg.connect(libpq_url(url))
        self.ids = ids or list(range(1, rows + 1))
        self.next = 0
        if not create:
            return
        with self.conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_raw_event, bench_raw_case")
            cur.execute("CREATE TABLE bench_raw_case (id int PRIMARY KEY, version int NOT NULL,"
                        " state varchar(40) NOT NULL, updated_at timestamptz NOT NULL)")
            cur.execute("CREATE TABLE bench_raw_event (id bigserial PRIMARY KEY,"
                        " case_id int NOT NULL REFERENCES bench_raw_case(id),"
                        " at timestamptz NOT NULL, action varchar(60) NOT NULL,"
                        " payload jsonb NOT NULL)")
            cur.execute("INSERT INTO bench_raw_case SELECT g, 1, 'submitted', now()"
                        " FROM generate_series(1, %s) g", (rows,))
        self.conn.commit()

    def run(self, n: int) -> float:
        conn, ids = self.conn, self.ids
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            case_id = ids[self.next % len(ids)]
            self.next += 1
            with conn.cursor() as cur:
                cur.execute("INSERT INTO bench_raw_event (case_id, at, action, payload)"
                            " VALUES (%s, now(), 'resubmit', '{}')", (case_id,))
                cur.execute("UPDATE bench_raw_case SET version = version + 1, updated_at = now()"
                            " WHERE id = %s", (case_id,))
            conn.commit()
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def chunks(n: int, size: int) -> list[int]:
    """``n`` split into runs of at most ``size``."""
    return [min(size, n - start) for start in range(0, n, max(size, 1))]


def capture(load: EngineLoad, count: int) -> list[list[tuple[str, Any]]]:
    """Fire ``count`` transitions of ``load``; return what each sent to psycopg: every
    statement with its parameters as the driver got them (after SQLAlchemy's processing)."""
    import psycopg

    sent: list[tuple[str, Any]] = []
    execute = psycopg.Cursor.execute

    def recording(cursor: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        sent.append((query, params))
        return execute(cursor, query, params, **kwargs)

    transitions = []
    psycopg.Cursor.execute = recording  # type: ignore[method-assign]
    try:
        for _ in range(count):
            load.step()
            transitions.append(sent[:])
            sent.clear()
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    return transitions


class ReplayLoad:
    """Captured transitions sent again, in order, by plain psycopg in autocommit (as the
    engine's lone units of work run) on a copy of the database as it was before them."""

    def __init__(self, url: str, transitions: list[list[tuple[str, Any]]]) -> None:
        import psycopg

        self.conn = psycopg.connect(libpq_url(url), autocommit=True)
        self.transitions, self.next = transitions, 0
        self.stamps: dict[int, int] = {}  # case id -> its row's stamp after the last move

    def run(self, n: int) -> float:
        import psycopg

        chunk = self.transitions[self.next:self.next + n]
        if len(chunk) < n:
            raise RuntimeError(f"only {len(chunk)} captured transitions left, {n} asked")
        self.next += n
        conn = self.conn
        TUPLES_OK = psycopg.pq.ExecStatus.TUPLES_OK  # noqa: N806
        start, cpu = time.perf_counter(), time.process_time()
        stamps = self.stamps
        for statements in chunk:
            for query, params in statements:
                if isinstance(params, dict) and "g_stamp" in params and params["b_id"] in stamps:
                    # A move on a kept case checks the row's stamp (adapters.snapshots): the
                    # copy's rows carry the stamps this replay's own moves gave them.
                    params = {**params, "g_stamp": stamps[params["b_id"]]}
                with conn.cursor() as cur:
                    cur.execute(query, params, prepare=True)
                    # Every statement of the engine's lone path returns a row (the case,
                    # the move's RETURNING); none means the copy has diverged.
                    result = cur.pgresult
                    if result is not None and result.status == TUPLES_OK:
                        row = cur.fetchone()
                        if row is None:
                            raise RuntimeError(f"replay diverged at {query[:60]!r}")
                        if query.startswith("WITH moved"):
                            stamps[params["b_id"]] = row[1]
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def _worker(make: Any, n: int, start: Any, out: Any) -> None:
    """A forked process: fresh connections, wait for the others, then ``n`` transactions."""
    load = make()
    start.wait()
    out.put(load.run(n))
    load.close()


def concurrent(makers: list[Any], n: int) -> float:
    """Rate of ``n`` transactions split over one process per maker, all started at once."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Barrier(len(makers) + 1), ctx.Queue()
    share = n // len(makers)
    procs = [ctx.Process(target=_worker, args=(m, share, start, out)) for m in makers]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    for _ in procs:
        out.get()
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    return share * len(makers) / wall


class _ForkedEngine:
    """An EngineLoad share in a forked process, on connections of its own."""

    def __init__(self, load: EngineLoad, db: Any, case_ids: list[int]) -> None:
        self.load, self.db, self.case_ids = load, db, case_ids

    def __call__(self) -> Any:
        self.db.dispose(close=False)  # never share the parent's pooled connections
        load = self.load.only(self.case_ids)
        load.close = lambda: None  # type: ignore[attr-defined]
        return load


class _ForkedRaw:
    """A raw worker on its own rows (disjoint, as the engine workers' cases are)."""

    def __init__(self, url: str, rows: int, ids: list[int]) -> None:
        self.url, self.rows, self.ids = url, rows, ids

    def __call__(self) -> RawLoad:
        return RawLoad(self.url, self.rows, create=False, ids=self.ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="database to DROP and recreate")
    parser.add_argument("-n", "--transitions", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=100, help="district cases to cycle")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured transitions first")
    parser.add_argument("--chunk", type=int, default=250,
                        help="transitions of each side in turn within a round")
    parser.add_argument("--workers", type=int, default=1,
                        help="also measure this many processes at once (disjoint cases)")
    parser.add_argument("--profile", action="store_true", help="cProfile N more transitions")
    parser.add_argument("--profile-out", help="write the cProfile stats to this file")
    parser.add_argument("--top", type=int, default=30, help="profile rows to print")
    args = parser.parse_args(argv)
    n = args.transitions

    t0 = time.perf_counter()
    app = fresh_app(args.url)
    db = app.extensions["sandbox.db"]
    print(f"database: {args.url}  ({server_settings(db)})")
    engine_load = EngineLoad(app, args.cases)
    engine_load.run(args.warmup)
    # Statistics, as a running database has them (autovacuum): without them the planner
    # finds the case by its state index instead of its key.
    with db.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    # The SQL ceiling's material: a copy as of now, then (unmeasured) the transitions the
    # replay will send to it, warm-up and every round's.
    db.dispose()
    copy_url = clone_database(args.url)
    replay_load = ReplayLoad(copy_url, capture(engine_load, args.warmup + n * args.rounds))
    raw_load = RawLoad(args.url, args.cases)
    raw_load.run(args.warmup)
    replay_load.run(args.warmup)
    print(f"set-up {time.perf_counter() - t0:.1f}s: {args.cases} cases submitted, "
          f"{args.warmup} warm-up transitions, {args.warmup + n * args.rounds} captured")

    raw_rates, engine_rates, replay_rates = [], [], []
    raw_cpu, engine_cpu, replay_cpu = [], [], []
    loads = (raw_load, engine_load, replay_load)
    for r in range(1, args.rounds + 1):
        # Interleaved in chunks: a shared VM's speed drifts within seconds, and every side
        # should see the same drift.
        wall, cpu = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        for k in chunks(n, args.chunk):
            for i, load in enumerate(loads):
                wall[i] += load.run(k)
                cpu[i] += load.cpu
        raw_rates.append(n / wall[0])
        raw_cpu.append(cpu[0] / n * 1e3)
        engine_rates.append(n / wall[1])
        engine_cpu.append(cpu[1] / n * 1e3)
        replay_rates.append(n / wall[2])
        replay_cpu.append(cpu[2] / n * 1e3)
        print(f"round {r}: raw {raw_rates[-1]:8.1f} tx/s ({raw_cpu[-1]:.3f} ms CPU/tx)   "
              f"engine {engine_rates[-1]:8.1f} transitions/s ({engine_cpu[-1]:.3f} ms "
              f"Python CPU/transition)   SQL replayed {replay_rates[-1]:8.1f}/s "
              f"({replay_cpu[-1]:.3f} ms CPU)")
    raw_load.close()
    replay_load.close()
    drop_database(copy_url)

    if args.workers > 1:
        w = args.workers
        ids = engine_load.case_ids
        shares = [ids[i::w] for i in range(w)]
        rows = list(range(1, args.cases + 1))
        raw_w = [_ForkedRaw(args.url, args.cases, rows[i::w]) for i in range(w)]
        conc_raw, conc_engine = [], []
        for r in range(1, args.rounds + 1):
            conc_raw.append(concurrent(raw_w, n))
            conc_engine.append(concurrent([_ForkedEngine(engine_load, db, sh) for sh in shares], n))
            print(f"concurrent round {r}, {w} processes: raw {conc_raw[-1]:8.1f} tx/s   "
                  f"engine {conc_engine[-1]:8.1f} transitions/s")
        engine_load.only(ids)  # the processes moved the cases on

    counter = StatementCounter(db)
    sample = 200
    with counter.counting():
        engine_load.run(sample)
    print("engine round trips (sample of", sample, "transitions):")
    print(counter.report(sample, "transition"))

    raw, eng = median(raw_rates), median(engine_rates)
    ratio = eng / raw
    print()
    print(f"raw commit rate (INSERT+UPDATE, psycopg): {raw:8.1f} tx/s  "
          f"({1e3 / raw:.2f} ms/tx, of which {median(raw_cpu):.2f} ms client CPU; "
          "4 round trips)")
    print(f"engine rate (door.fire, one tx each):     {eng:8.1f} transitions/s  "
          f"({1e3 / eng:.2f} ms/transition, of which "
          f"{median(engine_cpu):.2f} ms Python CPU)")
    print(f"ratio engine/raw: {ratio:.3f}  target >= {TARGET}  "
          f"{'PASS' if ratio >= TARGET else 'FAIL'}  (single connection each)")
    rep = median(replay_rates)
    print(f"SQL ceiling: the engine's statements replayed by plain psycopg, no engine Python: "
          f"{rep:8.1f}/s ({1e3 / rep:.2f} ms/transition, of which "
          f"{median(replay_cpu):.2f} ms client CPU)")
    print(f"  ratio replayed/raw: {rep / raw:.3f} (diagnostic: the best any engine code could"
          " do with these statements)")
    if args.workers > 1:
        ce, cr = median(conc_engine), median(conc_raw)
        print()
        print(f"CONCURRENT, {args.workers} processes on disjoint cases (not the target's "
              "single-connection measure):")
        print(f"  engine {ce:8.1f} transitions/s; raw at {args.workers} connections "
              f"{cr:8.1f} tx/s")
        print(f"  engine ({args.workers} processes) / raw (1 connection): {ce / raw:.3f}")
        print(f"  engine ({args.workers} processes) / raw ({args.workers} connections): "
              f"{ce / cr:.3f}")

    if args.profile or args.profile_out:
        print()
        print(profile(lambda: engine_load.run(n), args.profile_out, args.top, n, "transition"))
    db.dispose()
    return 0


if __name__ == "__main__":
    measure(main)
