"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests.

It listens on a free port of its own, so parallel test runs never share a sink.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        # A stopped controller cannot start again: a new one, same port, same mailbox.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)
