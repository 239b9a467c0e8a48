"""The mail port: SMTP in production, the log in the embedded mode, a list in unit tests.

Every message carries a Message-ID derived from its notification's unique key.

``send`` takes ``before_end``: called once the whole message has been transmitted but
before the end-of-data mark (the lone ``.``) that makes the server accept it. A server
that never sees that mark discards the message (RFC 5321 §4.1.1.4), so until then a
crash loses nothing and a retry doubles nothing; the caller records "handed over" in
``before_end`` (sending its COMMIT without waiting) and may return a function that runs
once the mark is out (waiting for that COMMIT): the window left is the time between the
two writes (services/outbox.py).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import smtplib
from collections.abc import Callable
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from typing import Any, Protocol

__all__ = [
    "Mailer", "SmtpMailer", "LogMailer", "MemoryMailer", "HandedOverUnconfirmed", "message_id",
    "build_message",
]

log = logging.getLogger("sandbox.mail")


def message_id(key: str, domain: str) -> str:
    return f"<n-{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


class EncodedWords(str):
    """A header value written as RFC 2047 encoded words only, every space inside them.

    Python's default folding (3.11) mixes encoded and plain words and, where one encoded
    word meets the next, leaves the space between them as folding white space, which
    readers drop (RFC 2047 §6.2): "정기 회의" arrived as "정기회의". ``email.header.Header``
    encodes the whole value, spaces included, so it reads back exactly as written.
    """

    name: str

    def __new__(cls, name: str, value: str) -> EncodedWords:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def build_message(*, sender: str, to: str, to_name: str, subject: str, body: str, key: str,
                  sent_at: Any, domain: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((to_name, to))
    msg["Subject"] = subject if subject.isascii() else EncodedWords("Subject", subject)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id(key, domain)
    msg["X-Sandbox-Notification"] = key
    msg["Content-Language"] = "ko, en"
    msg.set_content(body, charset="utf-8")
    return msg


# Runs just before the mark; what it returns (if anything) runs once the mark is out,
# whatever happened to it: the caller's record of the hand-over is confirmed there.
BeforeEnd = Callable[[], Callable[[], None] | None] | None


def _hand_over(before_end: BeforeEnd, mark: Callable[[], None]) -> None:
    after = before_end() if before_end is not None else None
    try:
        mark()
    finally:
        if after is not None:
            after()


class Mailer(Protocol):
    mode: str

    def send(self, message: EmailMessage, before_end: BeforeEnd = None) -> None:
        """Hand the message over, or raise; ``before_end`` runs just before it is final."""


class HandedOverUnconfirmed(Exception):
    """The end-of-data mark went out but no reply came back: the server may hold the mail."""


def _wire_bytes(message: EmailMessage) -> bytes:
    """The message as SMTP DATA content: CRLF lines, leading dots doubled (RFC 5321
    §4.5.2), ending with CRLF, without the end-of-data mark."""
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    data = re.sub(rb"(?m)^\.", b"..", out.getvalue())
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class SmtpMailer:
    mode = "smtp"

    def __init__(self, host: str, port: int, *, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage, before_end: BeforeEnd = None) -> None:
        # smtplib's send_message sends the content and its end mark in one write; the
        # transaction is spelt out here to put ``before_end`` between the two.
        sender = parseaddr(message["From"])[1]
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            smtp.send(_wire_bytes(message))
            _hand_over(before_end, lambda: smtp.send(b".\r\n"))
            try:
                code, reply = smtp.getreply()
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                raise HandedOverUnconfirmed(str(exc)) from exc
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except BaseException:
            smtp.close()  # mid-DATA a QUIT would be read as content: just hang up
            raise
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the mail was accepted; a failed goodbye changes nothing


class LogMailer:
    """Embedded mode: the mail is written to the log (and the in-app notification shows it)."""

    mode = "log"

    def send(self, message: EmailMessage, before_end: BeforeEnd = None) -> None:
        _hand_over(before_end, lambda: None)
        log.info("mail (not sent, embedded mode) %s to %s: %s\n%s", message["Message-ID"],
                 message["To"], message["Subject"], message.get_content())


class MemoryMailer:
    mode = "memory"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage, before_end: BeforeEnd = None) -> None:
        _hand_over(before_end, lambda: self.sent.append(message))


def mailer_from_config(config: dict[str, Any]) -> Mailer:
    if not config.get("MAIL_SERVER"):
        return LogMailer()
    return SmtpMailer(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
        starttls=str(config.get("MAIL_USE_TLS")) == "1",
    )
