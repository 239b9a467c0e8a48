"""Shared fixtures: the app on SQLite and on PostgreSQL, users of every role, an API client.

Database tests run on both databases. Without a PostgreSQL server they skip, unless
SANDBOX_REQUIRE_SERVICES=1 (as in CI), where a missing server is an error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.support.api import ApiClient
from tests.support.people import People

REQUIRE = os.environ.get("SANDBOX_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("SANDBOX_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("SANDBOX_TEST_REDIS", "redis://127.0.0.1:6379/15")


def _worker() -> str:
    # One database per xdist worker and per run, so runs sharing a server never collide.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def need_service(name: str, available: bool) -> None:
    if available:
        return
    if REQUIRE:
        pytest.fail(f"{name} is required (SANDBOX_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{name} not reachable")


def _migrate(url: str) -> None:
    from alembic import command

    from sandbox.cli import alembic_config

    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    if not _postgres_available():
        yield None
        return
    name = f"sandbox_test_{_worker()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    _migrate(url)
    yield url

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    from sandbox.adapters.tables import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "sandbox.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    need_service("PostgreSQL", url is not None)
    _truncate_postgres(url)
    return str(url)


@pytest.fixture
def postgres_only_url(postgres_url: str | None) -> str:
    need_service("PostgreSQL", postgres_url is not None)
    assert postgres_url is not None
    _truncate_postgres(postgres_url)
    return postgres_url


def make_app(url: str, **extra: Any) -> Any:
    from sandbox import create_app
    from sandbox.services.people import seed_organisations

    app = create_app(
        {
            "DATABASE_URL": url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SANDBOX_TIMER_LOOP": "0",
            **extra,
        }
    )
    seed_organisations(app.extensions["sandbox"])
    return app


@pytest.fixture
def pg_app(postgres_only_url: str) -> Iterator[Any]:
    """An app on PostgreSQL only (races, row locks, what SQLite does not have)."""
    app = make_app(postgres_only_url)
    yield app
    app.extensions["sandbox.db"].dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Any]:
    app = make_app(database_url)
    yield app
    app.extensions["sandbox.db"].dispose()


@pytest.fixture
def rt(app: Any) -> Any:
    return app.extensions["sandbox"]


@pytest.fixture
def people(app: Any) -> People:
    return People(app.extensions["sandbox"])


@pytest.fixture
def api(app: Any, people: People) -> ApiClient:
    return ApiClient(app.test_client(), people)


@pytest.fixture
def cast(people: People) -> Any:
    from tests.support.cast import make_cast

    return make_cast(people)
