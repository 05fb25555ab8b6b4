"""Sending mail over SMTP: the outbox every account mail goes through.

`assetport serve --smtp-url URL --mail-from ADDRESS` names the server: `smtp://host:port`
(plain, for a relay on the same host or the sandbox's catcher), `smtp+starttls://host:587`
or `smtps://host:465`, with `user@` in the URL and the password in the environment
variable `ASSETPORT_SMTP_PASSWORD` (a command line is visible to every local user; the
password in the URL works too). Without a URL the server sends nothing, and says so.

Mails are queued (at most `QUEUE_BOUND`; beyond it a mail is dropped and logged) and sent
one at a time by one task, each in a worker thread (`smtplib` blocks), so a slow or absent
mail server never slows a request. A job makes its message only when its turn comes, on
the event loop: the answer to a request is the same whether or not a mail follows it, and
takes the same time. Nothing about a mail's content (links are keys) is ever logged.
"""

import asyncio
import contextlib
import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Final
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

QUEUE_BOUND: Final = 1000
SEND_TIMEOUT_S: Final = 30.0
CLOSE_TIMEOUT_S: Final = 5.0
PASSWORD_ENV: Final = "ASSETPORT_SMTP_PASSWORD"
_PORTS: Final = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}

MailJob = Callable[[], EmailMessage | None]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    scheme: str  # smtp, smtp+starttls or smtps
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str, environ: Mapping[str, str] = os.environ) -> SmtpServer:
    """Raises ValueError naming what is wrong (never echoing a password)."""
    parts = urlsplit(url)
    if parts.scheme not in _PORTS:
        raise ValueError("--smtp-url must start with smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise ValueError("--smtp-url names no host")
    try:
        port = parts.port or _PORTS[parts.scheme]
    except ValueError as exc:
        raise ValueError("--smtp-url has a bad port") from exc
    password = unquote(parts.password) if parts.password else None
    if password is None:
        password = environ.get(PASSWORD_ENV)
    username = unquote(parts.username) if parts.username else None
    return SmtpServer(parts.hostname, port, parts.scheme, username, password)


class Outbox:
    def __init__(self, server: SmtpServer | None, sender: str) -> None:
        self.server = server
        self.sender = sender
        self._queue: asyncio.Queue[MailJob] = asyncio.Queue(QUEUE_BOUND)
        self._task: asyncio.Task[None] | None = None

    @property
    def configured(self) -> bool:
        return self.server is not None

    def send(self, job: MailJob) -> None:
        """Queues a mail; `job` makes the message (or None: no mail after all) later."""
        if self.server is None:
            return
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            logger.warning("the mail queue is full (%d): a mail was dropped", QUEUE_BOUND)

    async def _run(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                message = job()
                if message is not None:
                    message["From"] = self.sender
                    await asyncio.to_thread(self._deliver, message)
            except Exception as exc:  # one mail failing must not stop the others
                logger.warning(
                    "a mail could not be sent via %s: %s", self.server, type(exc).__name__
                )
            finally:
                self._queue.task_done()

    def _deliver(self, message: EmailMessage) -> None:
        server = self.server
        assert server is not None
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if server.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=SEND_TIMEOUT_S, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=SEND_TIMEOUT_S)
        with smtp:
            if server.scheme == "smtp+starttls":
                smtp.starttls(context=context)
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)

    async def close(self) -> None:
        """Sends what is queued, the mail being sent included (a few seconds at most), then
        stops."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), CLOSE_TIMEOUT_S)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
