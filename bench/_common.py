"""Shared set-up for the benchmarks: a fresh PostgreSQL database, an app, users, cases.

Nothing here is used by the test suite; every script recreates ``sandbox_bench``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python bench/x.py`` as well as ``python -m bench.x``
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sandbox_bench"

from tests.support.flows import DISTRICT  # noqa: E402,F401  (the district the tests file)


def driver_url(url: str) -> str:
    """The SQLAlchemy URL with the psycopg (3) driver, as sandbox.adapters.db does."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def libpq_url(url: str) -> str:
    """A URL plain psycopg accepts."""
    return str(make_url(driver_url(url)).set(drivername="postgresql").render_as_string(False))


def _on_server(url: str, *statements: str) -> None:
    """Run database-level statements (DROP/CREATE DATABASE) from the server's ``postgres``
    database, outside any transaction."""
    admin = create_engine(make_url(driver_url(url)).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def recreate_database(url: str) -> None:
    target = make_url(driver_url(url))
    if not target.get_backend_name().startswith("postgresql"):
        raise SystemExit("the benchmarks run on PostgreSQL only")
    name = target.database
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing to drop database {name!r}")
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def clone_database(url: str, suffix: str = "_copy") -> str:
    """A copy of the database in ``url`` as it is now (``CREATE DATABASE ... TEMPLATE``: no
    other session may be connected to it meanwhile); returns the copy's URL."""
    source = make_url(driver_url(url))
    name = f"{source.database}{suffix}"
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
               f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"')
    return source.set(database=name).render_as_string(False)


def drop_database(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{make_url(driver_url(url)).database}" WITH (FORCE)')


def migrate(url: str) -> None:
    from alembic import command

    from sandbox.cli import alembic_config

    command.upgrade(alembic_config(url), "head")


def fresh_app(url: str, clock: Any = None) -> Any:
    """Drop, recreate and migrate the database; return the Flask app (as tests.conftest)."""
    import logging

    recreate_database(url)
    migrate(url)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from sandbox import create_app
    from sandbox.services.people import seed_organisations

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "SANDBOX_TIMER_LOOP": "0",
         # Rendering and mail are the workers' job (other processes in production): the
         # outbox rows are written, their delivery is left undone here.
         "SANDBOX_OUTBOX": "manual"},
        clock=clock,
    )
    seed_organisations(app.extensions["sandbox"])
    return app


def add_user(rt: Any, email: str, role: str, org: str, now: datetime) -> Any:
    """A user row (no argon2: the benchmarks never sign in); returns its Actor."""
    from sandbox.adapters.tables import User
    from sandbox.engine.actors import Actor

    with rt.uow() as uow:
        user = User(email=email, name=email.split("@")[0], role=role, org_code=org,
                    password_hash="-", created_at=now)  # noqa: S106 - never signs in
        uow.session.add(user)
        uow.commit()
        return Actor(user.id, user.role, user.org_code, user.name)


def server_settings(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('server_version','fsync','synchronous_commit','wal_sync_method','shared_buffers',"
            "'commit_delay') ORDER BY name"
        )).all()
    return ", ".join(f"{n}={s}" for n, s in rows)


class StatementCounter:
    """Counts round trips on the wire (libpq's trace, see tests/support/wire.py): what the
    server answered, and what was asked (BEGIN, COMMIT, statements)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.trace: Any = None

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        from tests.support.wire import tracing

        with tracing(self.engine) as trace:
            self.trace = trace
            yield self

    def report(self, per: int, unit: str) -> str:
        lines = [f"  {self.trace.round_trips / per:.1f} round trips per {unit} (server answers"
                 " on the wire); the client asked:"]
        for kind, n in self.trace.asked().most_common():
            lines.append(f"    {n / per:5.2f}  {kind}")
        return "\n".join(lines)


def profile(fn: Callable[[], Any], out: str | None, top: int, per: int, unit: str) -> str:
    """Run ``fn`` under cProfile; return the top functions by own and cumulative time."""
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.runcall(fn)
    wall = time.perf_counter() - start
    if out:
        prof.dump_stats(out)
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs()
    buf.write(f"profiled {per} {unit}s in {wall:.2f}s wall ({wall / per * 1e3:.2f} ms/{unit}, "
              "profiler overhead included)\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(main: Callable[[], Any]) -> None:
    """Run a benchmark's ``main``: a measurement reports its failure, it never fails the
    caller (exit status 0 whatever the figures)."""
    try:
        main()
    except Exception as exc:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        print(f"ERROR: {exc}")
    sys.exit(0)
