"""A real SMTP server in the test process (aiosmtpd in its own thread): the exchange under
test is started with `--smtp-url` pointing here, and the tests read what it sent, as its
users would read their inbox."""

import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

WAIT_S = 30.0


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    text: str

    def token(self) -> str:
        """The token of the mail's link (`.../verify#token=...` or a reset link)."""
        found = re.search(r"#token=([A-Za-z0-9_-]+)", self.text)
        assert found is not None, self.text
        return found.group(1)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        with socket.socket() as probe:  # a free port (aiosmtpd's controller wants one)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> "Inbox":
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        mail = Mail(tuple(envelope.rcpt_tos), str(message["Subject"]), text)
        with self._lock:
            self.mails.append(mail)
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        with self._lock:
            return [mail for mail in self.mails if address in mail.to]

    def wait_for(self, address: str, subject: str, count: int = 1) -> Mail:
        """The `count`-th mail to `address` whose subject contains `subject` (mail is sent
        after the answer, so it may take a moment)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            found = [mail for mail in self.to(address) if subject in mail.subject]
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail '{subject}' to {address}: {self.to(address)}")
            time.sleep(0.05)
