"""The production runtime, for real: Celery workers and beats on Redis, PostgreSQL, SMTP.

Nothing is mocked: the workers and beats are ``celery -A sandbox.worker`` processes, the
mail goes to an aiosmtpd server on 127.0.0.1, the database is PostgreSQL. Time is the real
clock here (the worker is another process): the data is made in the past with freezegun,
so its timers are due when the workers start.

The fault test SIGKILLs the worker (its whole process group) several times mid-run, runs two
beats at once, and stops its private Redis for a while; in the end every timer fired
exactly once and every mail arrived exactly once (each Message-ID once at the sink).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import Counter

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from sandbox.adapters.mailer import message_id
from sandbox.adapters.tables import AuditEvent, Case, Document, Notification, Timer, User
from sandbox.engine import notify
from sandbox.services import cases
from sandbox.services.people import actor_of, issue_token
from tests.conftest import REDIS_TEST_URL, make_app, need_service
from tests.support.cast import SECRETARIAT, SEJONG, make_cast
from tests.support.flows import DISTRICT
from tests.support.people import People
from tests.support.procs import WORKER_CONCURRENCY, RedisServer, celery
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
DOMAIN = "molit.example"


def _redis_up(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def runtime_env(db_url: str, redis_url: str, sink: SmtpSink) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url, "REDIS_URL": redis_url, "SECRET_KEY": "test-secret",
        "SANDBOX_REDIS_PREFIX": f"sbx-test-{uuid.uuid4().hex[:12]}:",  # this run's keys only
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port), "MAIL_FROM": f"sandbox@{DOMAIN}",
        "SANDBOX_SWEEP_SECONDS": "1", "SANDBOX_OUTBOX_SWEEP_SECONDS": "1", "SANDBOX_SWEEP_BATCH": "20",
        "SANDBOX_OUTBOX_GRACE_SECONDS": "2", "SANDBOX_MAIL_LEASE_SECONDS": "3",
        "SANDBOX_TIMER_LOOP": "0",
    }


def make_data(app, *, direct: int, supplements: int, bulk: int) -> None:
    """Cases whose timers are long due, and mails waiting in the outbox (never published:
    the test app's publisher is the manual one, so the workers' sweep must find them)."""
    rt = app.extensions["sandbox"]
    people = People(rt)
    make_cast(people)
    with rt.uow() as uow:
        sec = actor_of(uow.session.get(User, people.id(SECRETARIAT)))
        sejong = actor_of(uow.session.get(User, people.id(SEJONG)))
    with freeze_time("2026-01-05 01:00:00+00:00"):
        for n in range(direct):  # ministerial designations: resident opinion, 30 days
            cid = cases.file_case(rt, sec, "district_designation", {**DISTRICT, "name": f"직권 지구 {n}"})
            cases.fire_action(rt, sec, cid, "open_resident_opinion", {})
        for n in range(supplements):  # filings asked for supplements that never come: lapse
            cid = cases.file_case(rt, sejong, "district_designation", {**DISTRICT, "name": f"보완 {n}"})
            cases.fire_action(rt, sejong, cid, "submit", {})
            cases.fire_action(rt, sec, cid, "request_supplement", {"items": "도면"})
        with rt.uow() as uow:
            users = [people.id(m) for m in [SECRETARIAT, SEJONG]]
            for n in range(bulk):
                notify.send(uow.session, users=users, cause=f"bulk:{n}", case_id=None,
                            now=rt.clock.now(),
                            message=notify.Message("announcement", f"공지 {n}", f"Notice {n}",
                                                   "시스템 점검 안내", "Maintenance notice"))
            uow.commit()


# A mail handed over by a worker killed before it read the 250 is settled "unconfirmed"
# (services/outbox.py): at the sink, it must still be there exactly once.
DELIVERED = ("sent", "unconfirmed")


def settled(rt) -> dict[str, int]:
    now = rt.clock.now()
    with rt.uow() as uow:
        s = uow.session
        return {
            "mail": s.scalar(select(func.count())
                             .where(Notification.mail_status.not_in(DELIVERED))) or 0,
            "timers": s.scalar(select(func.count())
                               .where(Timer.status == "pending", Timer.due_at <= now)) or 0,
            "documents": s.scalar(select(func.count()).where(Document.status != "issued")) or 0,
        }


def wait_settled(rt, timeout: float, logs) -> None:
    deadline = time.monotonic() + timeout
    left = settled(rt)
    while time.monotonic() < deadline:
        left = settled(rt)
        if not any(left.values()):
            return
        time.sleep(0.5)
    tails = "\n".join(f"== {p.name}\n" + p.read_text()[-3000:] for p in logs if p.exists())
    pytest.fail(f"not settled after {timeout}s: {left}\n{tails}")


def check_exactly_once(rt, sink: SmtpSink, kills: int) -> dict[str, int]:
    with rt.uow() as uow:
        s = uow.session
        rows = list(s.scalars(select(Notification)))
        timers = list(s.scalars(select(Timer).where(Timer.parent_id.is_(None))))
        lapses = Counter(s.scalars(select(AuditEvent.case_id).where(AuditEvent.action == "lapse")))
        lapsed_cases = set(s.scalars(select(Case.id).where(Case.state == "withdrawn")))
    # Every timer fired, once: fired rows, one lapse per lapsed case, one mail per fired timer.
    assert all(t.status == "fired" for t in timers if t.due_at <= rt.clock.now())
    assert set(lapses) == lapsed_cases and set(lapses.values()) == {1}
    per_timer = Counter(r.key.split(":u")[0] for r in rows if r.key.startswith("timer:"))
    assert per_timer and set(per_timer.values()) == {1}
    # Every mail arrived; each Message-ID is one notification.
    expected = {message_id(r.key, DOMAIN): r for r in rows}
    arrived = sink.ids()
    stray = set(arrived) - set(expected)
    assert not stray, f"mails that no notification sent: {stray}"
    # SMTP has no two-phase commit (services/outbox.py): a worker killed between the
    # hand-over's COMMIT and the end-of-data mark leaves a mail the server never got,
    # settled ``unconfirmed``. That is the one way a mail may be missing; any other is lost.
    missing = {mid: expected[mid] for mid in set(expected) - set(arrived)}
    lost = {mid: (r.mail_status, r.mail_attempts, r.mail_error)
            for mid, r in missing.items() if r.mail_status != "unconfirmed"}
    assert not lost, f"lost mails: {lost}"
    copies = {mid: n for mid, n in arrived.items() if n > 1}
    assert not copies, f"mails that arrived more than once: {copies}"
    assert {r.mail_status for r in rows} <= set(DELIVERED)
    retried = sum(1 for r in rows if r.mail_attempts > 1)
    unconfirmed = sum(1 for r in rows if r.mail_status == "unconfirmed")
    assert unconfirmed <= kills * WORKER_CONCURRENCY, f"{unconfirmed} mails unconfirmed after {kills} kills"
    return {"mails": len(expected), "timers": len(timers), "kills": kills, "retried": retried,
            "unconfirmed": unconfirmed, "missing": len(missing)}


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


def test_worker_and_beat_fire_timers_and_mail(postgres_only_url, sink, tmp_path):
    need_service("Redis", _redis_up(REDIS_TEST_URL))
    app = make_app(postgres_only_url)
    rt = app.extensions["sandbox"]
    make_data(app, direct=20, supplements=3, bulk=10)
    env = runtime_env(postgres_only_url, REDIS_TEST_URL, sink)
    procs = [celery("worker", env, tmp_path, "w1").start(), celery("beat", env, tmp_path, "b1").start()]
    try:
        wait_settled(rt, 90, [p.log for p in procs])
    finally:
        for p in procs:
            p.stop()
    stats = check_exactly_once(rt, sink, kills=0)
    assert stats["retried"] == 0 and stats["unconfirmed"] == 0
    mail = next(m for m in sink.messages if "기한 도래" in str(m["Subject"]))
    body = mail.get_content()
    assert "주민 의견 청취 종료" in body and "Resident opinion period ends" in body and "English" in body
    app.extensions["sandbox.db"].dispose()


def test_sigkilled_workers_two_beats_and_a_redis_outage_lose_and_double_nothing(
    postgres_only_url, sink, tmp_path
):
    need_service("redis-server", RedisServer.available())
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    app = make_app(postgres_only_url)
    rt = app.extensions["sandbox"]
    t0 = time.monotonic()
    make_data(app, direct=200, supplements=10, bulk=100)
    print(f"\ndata made in {time.monotonic() - t0:.1f}s")
    with rt.uow() as uow:
        due = uow.session.scalar(select(func.count()).where(Timer.status == "pending")) or 0
    assert due >= 200
    env = runtime_env(postgres_only_url, redis_server.url, sink)
    worker = celery("worker", env, tmp_path, "w")
    beats = [celery("beat", env, tmp_path, "b1").start(), celery("beat", env, tmp_path, "b2").start()]
    logs = [worker.log, *(b.log for b in beats), tmp_path / "redis.log"]
    kills = 0
    web = make_app(postgres_only_url, REDIS_URL=redis_server.url,
                   SANDBOX_REDIS_PREFIX=env["SANDBOX_REDIS_PREFIX"])
    try:
        worker.start()
        rng = random.Random(4)
        for _ in range(3):  # SIGKILL mid-run, then a new worker
            worker.wait_for("ready.")
            time.sleep(rng.uniform(0.3, 1.5))
            worker.kill()
            kills += 1
            worker.start()

        # Redis goes away for a while: the web keeps serving and loses nothing.
        redis_server.stop()
        client = web.test_client()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "ok"
        assert health.get_json()["redis"].startswith("error")
        with rt.uow() as uow:
            sejong = uow.session.scalars(select(User).where(User.email == SEJONG)).one()
        started = time.monotonic()
        token = issue_token(web.extensions["sandbox"], sejong.id)
        headers = {"Authorization": f"Bearer {token}"}
        made = client.post("/api/v1/cases", json={"process": "district_designation", "data": DISTRICT},
                           headers=headers)
        assert made.status_code == 201
        submitted = client.post(f"/api/v1/cases/{made.get_json()['id']}/actions/submit", json={},
                                headers=headers)
        assert submitted.status_code == 200
        assert time.monotonic() - started < 10  # publishing failed fast; the rows wait
        time.sleep(3)
        redis_server.start()  # empty: whatever was queued in Redis is gone; the DB is not
        print(f"faults done at {time.monotonic() - t0:.1f}s: {settled(rt)}")
        wait_settled(rt, 150, logs)
        print(f"settled at {time.monotonic() - t0:.1f}s")
    finally:
        worker.stop()
        for b in beats:
            b.stop()
        redis_server.stop()
        web.extensions["sandbox.db"].dispose()
    stats = check_exactly_once(rt, sink, kills=kills)
    assert stats["timers"] >= 210 and stats["mails"] >= 400
    with rt.uow() as uow:
        docs = list(uow.session.scalars(select(Document)))
    assert docs and all(d.status == "issued" and d.sha256 for d in docs)
    print(f"runtime faults: {kills} kills, {stats}, {len(docs)} documents")
    app.extensions["sandbox.db"].dispose()
