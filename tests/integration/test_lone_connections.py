"""Connections kept in autocommit between lone units of work (adapters.lone_connections)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, text

from sandbox.adapters import lone_connections
from sandbox.adapters.tables import Case
from sandbox.services import cases as case_service
from sandbox.services.visibility import visible_case
from tests.support.flows import DISTRICT

pytestmark = pytest.mark.postgres


def lone_read(rt: Any, actor: Any, case_id: int) -> Any:
    """A lone unit of work that loads the case; the DBAPI connection it ran on."""
    with rt.uow(lone=True) as uow:
        visible_case(uow.session, actor, case_id)
        return uow.lone_connection().dbapi_connection


def backends(other: Any) -> int:
    with other.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()


@pytest.fixture
def case_id(pg_app: Any, actors: Any) -> int:
    rt = pg_app.extensions["sandbox"]
    return case_service.file_case(rt, actors["filer"], "district_designation", DISTRICT)


def test_the_next_lone_unit_of_work_takes_the_kept_connection(pg_app, actors, case_id):
    rt, db = pg_app.extensions["sandbox"], pg_app.extensions["sandbox.db"]
    first = lone_read(rt, actors["filer"], case_id)
    assert first.autocommit is True and db.pool.checkedout() == 1
    assert lone_read(rt, actors["filer"], case_id) is first
    with rt.uow() as uow:  # an ordinary unit of work never gets it: it is not in the pool
        uow.session.get(Case, case_id)
        assert uow.session.connection().connection.dbapi_connection is not first


def test_one_idle_too_long_goes_back_to_the_pool(pg_app, actors, case_id, monkeypatch):
    """...and the next is checked out of the pool again, where an idle one is pinged."""
    rt, db = pg_app.extensions["sandbox"], pg_app.extensions["sandbox.db"]
    lone_read(rt, actors["filer"], case_id)
    pool_events: list[str] = []
    event.listen(db.pool, "checkin", lambda *_: pool_events.append("checkin"))
    event.listen(db.pool, "checkout", lambda *_: pool_events.append("checkout"))
    lone_read(rt, actors["filer"], case_id)
    assert pool_events == []  # kept: the pool saw nothing
    monkeypatch.setattr(lone_connections._FREE[db], "idle_limit_s", 0.0)  # noqa: SLF001
    lone_read(rt, actors["filer"], case_id)
    assert pool_events == ["checkin", "checkout"]
    assert db.pool.checkedout() == 1


def test_at_most_keep_are_kept(pg_app, actors, case_id):
    rt, db = pg_app.extensions["sandbox"], pg_app.extensions["sandbox.db"]
    inside, go = threading.Barrier(lone_connections.KEEP + 2), threading.Event()  # and this thread

    def slow_lone_read() -> None:
        with rt.uow(lone=True) as uow:
            visible_case(uow.session, actors["filer"], case_id)
            inside.wait(timeout=10)
            go.wait(timeout=10)

    threads = [threading.Thread(target=slow_lone_read) for _ in range(lone_connections.KEEP + 1)]
    for t in threads:
        t.start()
    inside.wait(timeout=10)
    assert db.pool.checkedout() == lone_connections.KEEP + 1
    go.set()
    for t in threads:
        t.join(timeout=10)
    assert db.pool.checkedout() == lone_connections.KEEP


def test_one_inside_a_transaction_is_not_kept(pg_app):
    db = pg_app.extensions["sandbox.db"]
    lone_connections.release(db)
    connection = lone_connections.take(db)
    connection.dbapi_connection.autocommit = False
    connection.dbapi_connection.execute("SELECT 1")  # a transaction is open now
    lone_connections.give_back(db, connection)
    assert db.pool.checkedout() == 0


def test_disposing_the_engine_closes_them(pg_app, actors, case_id, other):
    rt, db = pg_app.extensions["sandbox"], pg_app.extensions["sandbox.db"]
    kept = lone_read(rt, actors["filer"], case_id)
    before = backends(other)
    db.dispose()
    assert kept.closed
    # The server's backend leaves pg_stat_activity when its process has exited, a moment
    # after the client's goodbye: wait for it rather than race it.
    deadline = time.monotonic() + 5
    while backends(other) >= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backends(other) < before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_fork_gives_them_back_first(pg_app, actors, case_id):
    rt, db = pg_app.extensions["sandbox"], pg_app.extensions["sandbox.db"]
    lone_read(rt, actors["filer"], case_id)
    assert db.pool.checkedout() == 1
    pid = os.fork()
    if pid == 0:  # the child holds none of its parent's connections checked out
        os._exit(0 if db.pool.checkedout() == 0 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db.pool.checkedout() == 0  # given back in the parent as well, before the fork
