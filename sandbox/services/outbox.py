"""Delivering the outbox's notifications by e-mail, each exactly once.

The in-app notification is the row itself: it is there for the recipient the moment the
causing transaction commits. E-mail goes out here, each step its own commit:

1. **claim**: ``pending`` (or a ``sending`` whose lease ran out: its worker died before
   the server could accept anything) becomes ``sending`` by a conditional UPDATE, so of
   two deliveries of the same task only one wins and the other is a no-op;
2. **transmit** the whole message over SMTP, Message-ID derived from the notification's
   unique key, but hold back the end-of-data mark that makes the server accept it;
3. **hand over**: record ``handing_over`` (only if our claim still stands), then send the
   mark. A crash before this commit leaves ``sending``: the server dropped the unfinished
   message, the mail goes again after the lease. A crash after it leaves
   ``handing_over``: the server has it, or was five bytes short of having it;
4. **mark** ``sent`` on the server's 250.

SMTP has no two-phase commit, so one of "maybe twice" and "maybe never" has to be
accepted somewhere; this order shrinks the uncertain window from "until our commit
after the 250" (milliseconds, where kills were seen to land) to the moment between
sending the hand-over's COMMIT and sending the mark (the COMMIT is not waited for in
between: once sent, PostgreSQL commits it even if the worker dies; waiting for its answer
and fsync first left a window in which one kill in about twenty lost a mail), and
resolves it as delivered: a ``handing_over`` row whose
worker died is settled ``unconfirmed`` and never sent again. A server that answers the
mark with an error refused the mail, which is then retried as usual; one that answers
nothing at all is ``unconfirmed`` as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from jinja2 import TemplateNotFound
from sqlalchemy import and_, bindparam, or_, select, update
from sqlmodel import col

from ..adapters.mailer import HandedOverUnconfirmed, Mailer, build_message
from ..adapters.tables import Notification, User
from ..adapters.templating import environment
from .runtime import Runtime

__all__ = [
    "deliver_notification", "due_notifications", "settle_handed_over", "mail_body", "MAX_ATTEMPTS",
]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def mail_template(kind: str) -> str:
    """``templates/mail/<kind with . for :>.txt``, else its family's, else ``default.txt``."""
    env = environment()
    for name in (kind.replace(":", "."), kind.split(":", 1)[0], "default"):
        try:
            env.get_template(f"mail/{name}.txt")
            return f"mail/{name}.txt"
        except TemplateNotFound:
            continue
    raise TemplateNotFound("mail/default.txt")  # pragma: no cover - default.txt ships


def mail_body(n: Notification, user: User, public_url: str) -> tuple[str, str]:
    env = environment()
    base = public_url.rstrip("/")
    values = {"n": n, "user_name": user.name, "public_url": base,
              "case_url": f"{base}/cases/{n.case_id}" if n.case_id else None}
    subject = env.get_template("mail/subject.txt").render(**values).strip()
    return subject, env.get_template(mail_template(n.kind)).render(**values)


class LeaseLost(Exception):
    """Our claim was taken over (we were slower than the lease): stop before the mark."""


def deliver_notification(
    rt: Runtime, mailer: Mailer, notification_id: int, *, sender: str, public_url: str,
    lease: timedelta = timedelta(minutes=5),
) -> str:
    """Claim, transmit, hand over, mark. Returns sent, skipped (not ours to send now),
    no_address or unconfirmed."""
    now = rt.clock.now()
    with rt.uow() as uow:
        claimed = uow.session.execute(
            update(Notification)
            .where(col(Notification.id) == notification_id, _claimable(now, lease))
            .values(mail_status="sending", mail_claimed_at=now,
                    mail_attempts=Notification.mail_attempts + 1)
        ).rowcount  # type: ignore[attr-defined]
        uow.commit()
    if not claimed:
        return "skipped"
    with rt.uow() as uow:
        n = uow.session.get(Notification, notification_id)
        assert n is not None
        user = uow.session.get(User, n.user_id)
    if user is None or not user.active or not user.email:
        _finish(rt, notification_id, now, "no_address", None)
        return "no_address"
    subject, body = mail_body(n, user, public_url)
    domain = sender.rpartition("@")[2] or "localhost"
    message = build_message(sender=sender, to=user.email, to_name=user.name, subject=subject,
                            body=body, key=n.key, sent_at=now, domain=domain)

    def hand_over() -> Callable[[], None]:
        return _record_hand_over(rt, notification_id, now)

    try:
        mailer.send(message, before_end=hand_over)
    except HandedOverUnconfirmed as exc:
        log.warning("mail %s: no reply after the end of data; not sent again", notification_id)
        _finish(rt, notification_id, now, "unconfirmed", f"no reply after end of data: {exc}"[:500])
        return "unconfirmed"
    except LeaseLost:
        return "skipped"
    except Exception as exc:
        failed = n.mail_attempts >= MAX_ATTEMPTS
        _finish(rt, notification_id, now, "failed" if failed else "pending",
                f"{type(exc).__name__}: {exc}"[:500])
        raise
    status = "logged" if mailer.mode == "log" else "sent"
    _finish(rt, notification_id, now, status, None)
    return "sent"


# The states a claim holds a row in; only its own claim (same claimed_at) may move it on.
CLAIMED = ("sending", "handing_over")


def _claimable(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        col(Notification.mail_status) == "pending",
        and_(col(Notification.mail_status) == "sending", col(Notification.mail_claimed_at) < now - lease),
    )


# A claim's own move from one status to the next (nobody else's claim moves).
_MOVE = (
    update(Notification)
    .where(col(Notification.id) == bindparam("n_id"),
           col(Notification.mail_status) == bindparam("n_from"),
           col(Notification.mail_claimed_at) == bindparam("n_claimed"))
    .values(mail_status=bindparam("n_to"))
    .execution_options(synchronize_session=False)
)


def _record_hand_over(rt: Runtime, notification_id: int, claimed_at: datetime) -> Callable[[], None]:
    """``sending`` → ``handing_over`` if our claim still stands, its COMMIT sent but not
    waited for (``UnitOfWork.commit_in_flight``): the mailer sends the end-of-data mark
    straight after it, then the returned function waits for the commit. A worker killed
    between the two leaves the smallest window there is: two writes apart."""
    uow = rt.uow().__enter__()
    try:
        moved = uow.session.execute(_MOVE, {"n_id": notification_id, "n_claimed": claimed_at,
                                            "n_from": "sending", "n_to": "handing_over"}).rowcount  # type: ignore[attr-defined]
        if not moved:
            raise LeaseLost(f"notification {notification_id}: claim taken over")
        finish = uow.commit_in_flight()
    except BaseException:
        uow.__exit__(None, None, None)
        raise

    def confirmed() -> None:
        try:
            finish()
        finally:
            uow.__exit__(None, None, None)

    return confirmed


def _finish(rt: Runtime, notification_id: int, claimed_at: datetime, status: str, error: str | None) -> None:
    delivered = status in ("sent", "logged", "unconfirmed")
    with rt.uow() as uow:
        uow.session.execute(
            update(Notification)
            .where(col(Notification.id) == notification_id, col(Notification.mail_status).in_(CLAIMED),
                   col(Notification.mail_claimed_at) == claimed_at)
            .values(mail_status=status, mail_error=error,
                    mailed_at=rt.clock.now() if delivered else None)
        )
        uow.commit()


def settle_handed_over(rt: Runtime, *, lease: timedelta) -> int:
    """Rows whose worker died after recording the hand-over: the server has the mail (or
    was five bytes short of it); they are settled ``unconfirmed``, never sent again."""
    now = rt.clock.now()
    with rt.uow() as uow:
        settled = uow.session.execute(
            update(Notification)
            .where(col(Notification.mail_status) == "handing_over",
                   col(Notification.mail_claimed_at) < now - lease)
            .values(mail_status="unconfirmed", mailed_at=now,
                    mail_error="the worker stopped after handing the mail over")
        ).rowcount  # type: ignore[attr-defined]
        uow.commit()
    if settled:
        log.warning("outbox: %s mail(s) handed over by a worker that died; not sent again", settled)
    return int(settled)


def due_notifications(rt: Runtime, *, grace: timedelta, lease: timedelta, limit: int = 500) -> list[int]:
    """Rows the outbox sweep should (re)publish: pending for longer than ``grace`` (their
    after-commit publish was lost, say Redis was down), or claimed by a worker that died."""
    now = rt.clock.now()
    with rt.uow() as uow:
        return list(uow.session.scalars(
            select(Notification.id)
            .where(or_(
                and_(col(Notification.mail_status) == "pending", col(Notification.created_at) <= now - grace),
                _claimable(now, lease) & (col(Notification.mail_status) == "sending"),
            ))
            .order_by(col(Notification.id)).limit(limit)
        ))
