"""A real SMTP server for tests (aiosmtpd), on a free local port: what the app sends through
Django's SMTP backend arrives here, parsed, to be counted and read."""

from __future__ import annotations

import email
import email.policy
import logging
import threading

from aiosmtpd.controller import Controller

from tests.processes import free_port

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Handler:
    def __init__(self, server: MailServer):
        self.server = server

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> MailServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages that arrived for ``address``."""
        with self.lock:
            return [
                m for m, rcpt in zip(self.messages, self.envelopes, strict=True) if address in rcpt
            ]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()
