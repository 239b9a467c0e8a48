"""The mail port: SMTP in production, the log in the embedded mode, a list in unit tests.

Every message carries a Message-ID derived from its notification's unique key, so a mail
sent again after a crash between "sent" and "recorded" is recognisably the same mail.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any, Protocol

__all__ = ["Mailer", "SmtpMailer", "LogMailer", "MemoryMailer", "message_id", "build_message"]

log = logging.getLogger("sandbox.mail")


def message_id(key: str, domain: str) -> str:
    return f"<n-{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(*, sender: str, to: str, to_name: str, subject: str, body: str, key: str,
                  sent_at: Any, domain: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((to_name, to))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id(key, domain)
    msg["X-Sandbox-Notification"] = key
    msg["Content-Language"] = "ko, en"
    msg.set_content(body, charset="utf-8")
    return msg


class Mailer(Protocol):
    mode: str

    def send(self, message: EmailMessage) -> None:
        """Hand the message over, or raise."""


class SmtpMailer:
    mode = "smtp"

    def __init__(self, host: str, port: int, *, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class LogMailer:
    """Embedded mode: the mail is written to the log (and the in-app notification shows it)."""

    mode = "log"

    def send(self, message: EmailMessage) -> None:
        log.info("mail (not sent, embedded mode) %s to %s: %s\n%s", message["Message-ID"],
                 message["To"], message["Subject"], message.get_content())


class MemoryMailer:
    mode = "memory"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def mailer_from_config(config: dict[str, Any]) -> Mailer:
    if not config.get("MAIL_SERVER"):
        return LogMailer()
    return SmtpMailer(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
        starttls=str(config.get("MAIL_USE_TLS")) == "1",
    )
