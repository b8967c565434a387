"""A real SMTP server on 127.0.0.1 (aiosmtpd) that can refuse recipients or fail for a while."""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()  # 550 at RCPT
        self.temp_fail_data = 0  # answer DATA with 451 this many times
        self.busy_data = 0  # answer DATA with 421 (service not available) this many times
        self.drop_data = 0  # hang up in the middle of DATA this many times

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.temp_fail_data > 0:
            self.temp_fail_data -= 1
            return "451 4.3.0 try again later"
        if self.busy_data > 0:
            self.busy_data -= 1
            return "421 4.3.2 service not available, closing"
        if self.drop_data > 0:
            self.drop_data -= 1
            server.transport.close()  # the connection drops before the server answers
            return "250 never seen"
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def env(self) -> dict[str, str]:
        return {"BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(self.port),
                "BRIEFING_SMTP_SECURITY": "none", "BRIEFING_MAIL_FROM": "briefing@news.example",
                "BRIEFING_SMTP_BACKOFF": "0.1"}  # fmt: skip
