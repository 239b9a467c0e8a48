"""Notifications leave through the outbox: in-app at once, by e-mail to a real SMTP sink.

The sink is aiosmtpd on 127.0.0.1 (a free port); delivery runs in-process here (the Celery
path is tests/e2e/test_celery_runtime.py). Each mail is bilingual and carries a Message-ID
derived from its notification's unique key; delivering twice sends once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from sandbox.adapters.mailer import message_id
from sandbox.adapters.tables import Notification
from tests.conftest import make_app
from tests.support.api import ApiClient
from tests.support.cast import KNPA, SECRETARIAT, SEJONG, make_cast
from tests.support.flows import district_in_resident_opinion, fire_timers, ok
from tests.support.people import People
from tests.support.smtp import SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def mail_app(database_url, sink):
    app = make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port),
                   MAIL_FROM="sandbox@molit.example")
    yield app
    app.extensions["sandbox.db"].dispose()


def test_each_notification_is_mailed_once_bilingual(mail_app, sink):
    people = People(mail_app.extensions["sandbox"])
    make_cast(people)
    api = ApiClient(mail_app.test_client(), people)
    publisher = mail_app.extensions["sandbox.publisher"]
    with freeze_time("2026-09-10 00:30:00+00:00") as frozen:
        case = district_in_resident_opinion(api)
        frozen.tick(timedelta(days=35))
        fire_timers(mail_app)
        ok(api.action(case["id"], "open_consultation", SECRETARIAT, agencies=["KNPA"]))
        # In-app at once, before any delivery ran.
        inbox = ok(api.get("/api/v1/notifications", KNPA))
        assert [n["kind"] for n in inbox] == ["consultation:opened"]
        assert not sink.messages
        publisher.drain()

    with mail_app.extensions["sandbox"].uow() as uow:
        rows = list(uow.session.scalars(select(Notification)))
    assert rows and {r.mail_status for r in rows} == {"sent"}
    domain = "molit.example"
    assert sink.ids() == {message_id(r.key, domain): 1 for r in rows}
    to_knpa = [m for m in sink.messages if KNPA in str(m["To"])]
    assert len(to_knpa) == 1
    mail = to_knpa[0]
    body = mail.get_content()
    assert "협의 요청" in str(mail["Subject"]) and "Consultation request" in str(mail["Subject"])
    assert case["reference"] in body and "English" in body and "의견을 요청합니다" in body
    submit_mail = next(m for m in sink.messages if SEJONG in str(m["To"]))
    assert "세종 담당관" in submit_mail.get_content()

    # Delivered again (a task redelivered after a crash): nothing more is sent.
    delivery = mail_app.extensions["sandbox.delivery"]
    assert {delivery.handle("notification", r.id) for r in rows} == {"skipped"}
    assert len(sink.messages) == len(rows)


def test_a_failed_send_stays_pending_and_a_dead_claim_is_taken_back(mail_app, sink):
    rt = mail_app.extensions["sandbox"]
    people = People(rt)
    make_cast(people)
    api = ApiClient(mail_app.test_client(), people)
    delivery = mail_app.extensions["sandbox.delivery"]
    with freeze_time("2026-09-10 00:30:00+00:00") as frozen:
        district_in_resident_opinion(api)
        sink.stop()  # the mail server is down
        with pytest.raises(OSError):
            mail_app.extensions["sandbox.publisher"].drain()
        with rt.uow() as uow:
            statuses = {r.mail_status for r in uow.session.scalars(select(Notification))}
        assert "pending" in statuses and "sent" not in statuses
        sink.start()
        frozen.tick(timedelta(minutes=1))
        # The sweep finds what is pending (and what a dead worker left claimed).
        due = delivery.due()
        assert any(kind == "notification" for kind, _ in due)
        for kind, item in due:
            delivery.handle(kind, item)
        with rt.uow() as uow:
            rows = list(uow.session.scalars(select(Notification)))
        assert {r.mail_status for r in rows} == {"sent"}
        assert sink.ids() == {message_id(r.key, "molit.example"): 1 for r in rows}
