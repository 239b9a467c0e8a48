"""Delivering the outbox's notifications by e-mail, each exactly once as far as SMTP allows.

The in-app notification is the row itself: it is there for the recipient the moment the
causing transaction commits. E-mail goes out here, in three steps, each its own commit:

1. **claim**: ``pending`` (or a ``sending`` whose lease ran out: its worker died) becomes
   ``sending`` by a conditional UPDATE, so of two deliveries of the same task only one
   wins and the other is a no-op;
2. **send** over SMTP with a Message-ID derived from the notification's unique key;
3. **mark** ``sent``, only if our claim still stands.

A worker killed between the SMTP server's "250 OK" and step 3 leaves a ``sending`` row that
is sent again after the lease: SMTP has no two-phase commit, so that window (well under a
millisecond) cannot be closed, only made recognisable: the second copy carries the same
Message-ID, which mail clients and the test sink treat as the same message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from jinja2 import TemplateNotFound
from sqlalchemy import and_, or_, select, update
from sqlmodel import col

from ..adapters.mailer import Mailer, build_message
from ..adapters.tables import Notification, User
from ..adapters.templating import environment
from .runtime import Runtime

__all__ = ["deliver_notification", "due_notifications", "mail_body", "MAX_ATTEMPTS"]

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
              "case_url": f"{base}/api/v1/cases/{n.case_id}" if n.case_id else None}
    subject = env.get_template("mail/subject.txt").render(**values).strip()
    return subject, env.get_template(mail_template(n.kind)).render(**values)


def deliver_notification(
    rt: Runtime, mailer: Mailer, notification_id: int, *, sender: str, public_url: str,
    lease: timedelta = timedelta(minutes=5),
) -> str:
    """Claim, send, mark. Returns sent, skipped (not ours to send now) or no_address."""
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
    try:
        mailer.send(message)
    except Exception as exc:
        failed = n.mail_attempts >= MAX_ATTEMPTS
        _finish(rt, notification_id, now, "failed" if failed else "pending",
                f"{type(exc).__name__}: {exc}"[:500])
        raise
    status = "logged" if mailer.mode == "log" else "sent"
    _finish(rt, notification_id, now, status, None)
    return "sent"


def _claimable(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        col(Notification.mail_status) == "pending",
        and_(col(Notification.mail_status) == "sending", col(Notification.mail_claimed_at) < now - lease),
    )


def _finish(rt: Runtime, notification_id: int, claimed_at: datetime, status: str, error: str | None) -> None:
    with rt.uow() as uow:
        uow.session.execute(
            update(Notification)
            .where(col(Notification.id) == notification_id, col(Notification.mail_status) == "sending",
                   col(Notification.mail_claimed_at) == claimed_at)
            .values(mail_status=status, mail_error=error,
                    mailed_at=rt.clock.now() if status in ("sent", "logged") else None)
        )
        uow.commit()


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
