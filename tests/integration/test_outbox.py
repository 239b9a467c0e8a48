"""Notifications leave through the outbox: in-app at once, by e-mail to a real SMTP sink.

The sink is aiosmtpd on 127.0.0.1 (a free port); delivery runs in-process here (the Celery
path is tests/e2e/test_celery_runtime.py). Each mail is bilingual and carries a Message-ID
derived from its notification's unique key; delivering twice sends once.
"""

from __future__ import annotations

import smtplib
import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from sandbox.adapters.mailer import message_id
from sandbox.adapters.tables import Notification
from sandbox.services import outbox
from tests.conftest import make_app
from tests.support.api import ApiClient
from tests.support.cast import KNPA, SECRETARIAT, SEJONG, make_cast
from tests.support.flows import district_in_resident_opinion, filed_district, fire_timers, ok
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
    # The request says by when (30 days, Act 49(4)) and where the agency answers.
    assert "회신 기한은 2026년 11월 16일(월)입니다" in body and "by 2026-11-16" in body
    assert "/agency/consultations" in body
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


class Killed(BaseException):
    """A SIGKILL as far as the code under test can tell: no handler of ours runs after it."""


def _sink_holds(sink, count: int) -> None:
    # aiosmtpd handles the end of data on its own thread.
    deadline = time.monotonic() + 5
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def _mail_status(rt, notification_id: int) -> str:
    with rt.uow() as uow:
        return uow.session.get(Notification, notification_id).mail_status


def _outbox_with_mails(mail_app):
    rt = mail_app.extensions["sandbox"]
    people = People(rt)
    make_cast(people)
    district_in_resident_opinion(ApiClient(mail_app.test_client(), people))
    with rt.uow() as uow:
        rows = list(uow.session.scalars(select(Notification).order_by(Notification.id)))
    assert len(rows) >= 2 and {r.mail_status for r in rows} == {"pending"}
    return rt, rows, mail_app.extensions["sandbox.delivery"]


def test_a_worker_killed_before_the_hand_over_is_retried_and_the_mail_arrives_once(
    mail_app, sink, monkeypatch
):
    """Killed while the message is being transmitted: the server never saw the end of data,
    so it holds nothing; after the lease the mail goes again, and arrives once."""
    with freeze_time("2026-09-10 00:30:00+00:00") as frozen:
        rt, rows, delivery = _outbox_with_mails(mail_app)
        target = rows[0]

        def killed_before_recording(*_args):
            raise Killed

        monkeypatch.setattr(outbox, "_record_hand_over", killed_before_recording)
        with pytest.raises(Killed):
            delivery.handle("notification", target.id)
        monkeypatch.undo()
        time.sleep(0.3)
        assert sink.messages == [] and _mail_status(rt, target.id) == "sending"

        frozen.tick(delivery.lease + timedelta(seconds=1))
        delivery.deliver_due()
        _sink_holds(sink, len(rows))
        assert sink.ids() == {message_id(r.key, "molit.example"): 1 for r in rows}
        assert _mail_status(rt, target.id) == "sent"


def test_a_worker_killed_after_the_end_of_data_never_sends_again(mail_app, sink, monkeypatch):
    """Killed after the end-of-data mark went out, before the 250 was read: the server has
    the mail, the row says ``handing_over``; the sweep settles it ``unconfirmed`` and does
    not send it a second time."""
    with freeze_time("2026-09-10 00:30:00+00:00") as frozen:
        rt, rows, delivery = _outbox_with_mails(mail_app)
        target = rows[0]
        real_send = smtplib.SMTP.send

        def killed_after_the_mark(self, data):
            real_send(self, data)
            if data == b".\r\n":
                raise Killed

        monkeypatch.setattr(smtplib.SMTP, "send", killed_after_the_mark)
        with pytest.raises(Killed):
            delivery.handle("notification", target.id)
        monkeypatch.undo()
        _sink_holds(sink, 1)
        assert _mail_status(rt, target.id) == "handing_over"

        frozen.tick(delivery.lease + timedelta(seconds=1))
        delivery.deliver_due()
        delivery.deliver_due()
        _sink_holds(sink, len(rows))
        time.sleep(0.2)
        assert sink.ids() == {message_id(r.key, "molit.example"): 1 for r in rows}
        assert _mail_status(rt, target.id) == "unconfirmed"
        assert delivery.handle("notification", target.id) == "skipped"


def test_the_filer_gets_a_receipt_and_mails_say_what_the_pages_say(mail_app, sink):
    """The filer is told of their own filing (the receipt), every mail links the case's page,
    names fields and deadlines in words, and its subject arrives exactly as written."""
    people = People(mail_app.extensions["sandbox"])
    make_cast(people)
    api = ApiClient(mail_app.test_client(), people)
    publisher = mail_app.extensions["sandbox.publisher"]
    with freeze_time("2026-12-02 01:00:00+00:00"):
        case = filed_district(api, name="세종 스마트 정기 회의 지구")
        ok(api.action(case["id"], "submit", SEJONG))
        ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="구역 경계 도면"))
        publisher.drain()
        kinds = [n["kind"] for n in ok(api.get("/api/v1/notifications", SEJONG))]
    assert sorted(kinds) == ["case:request_supplement", "case:submit"]

    to_filer = {str(m["Subject"]): m for m in sink.messages if SEJONG in str(m["To"])}
    receipt = next(m for s, m in to_filer.items() if "신청 접수" in s)
    assert "Filing received" in str(receipt["Subject"])
    body = receipt.get_content()
    assert case["reference"] in body and "접수증" in body and "receipt of filing" in body
    # Named, not only numbered: the secretariat learns of the new filing from the same words.
    assert "스마트규제혁신지구 지정 신청(세종 스마트 정기 회의 지구)이" in body
    assert 'filing "세종 스마트 정기 회의 지구" was received' in body
    assert f"/cases/{case['id']}" in body and "/api/v1/" not in body

    supplement = next(m for s, m in to_filer.items() if "보완 요청" in s).get_content()
    # The field by its label, and the answer-by day the request started (2027-01-04: the
    # 30 days end on New Year's Day, a Friday, and roll over it and the weekend, Civil
    # Act 161).
    assert "접수·검토 중에서 보완 요청으로 바뀌었습니다" in supplement  # 요청 ends in ㅇ: 으로
    assert "보완할 사항: 구역 경계 도면" in supplement
    assert "What must be supplemented: 구역 경계 도면" in supplement
    assert "보완 기한: 2027년 1월 4일(월)까지" in supplement
    assert "Supplement due: by 2027-01-04 (the last day)" in supplement
    assert "items:" not in supplement
    # Which filing, and who did what: a reader with many cases is not left with a number.
    assert "- 건명: 세종 스마트 정기 회의 지구" in supplement
    assert "- Filing: 세종 스마트 정기 회의 지구" in supplement
    assert "- 처리: 보완 요청 (김사무)" in supplement, supplement
    assert "- Done: Request a supplement (김사무)" in supplement

    # Hangul next to Latin text is folded without losing a space (RFC 2047 §6.2).
    with mail_app.extensions["sandbox"].uow() as uow:
        stored = {r.key: r for r in uow.session.scalars(select(Notification))}
    for mail in sink.messages:
        row = stored[str(mail["X-Sandbox-Notification"])]
        assert str(mail["Subject"]) == f"{row.subject_ko} / {row.subject_en}"
