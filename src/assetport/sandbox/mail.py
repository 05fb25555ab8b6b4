"""The sandbox's mail catcher: a local SMTP server (aiosmtpd) on 127.0.0.1 that keeps the
mails the exchange sends instead of delivering them, and shows each learner theirs.

`assetport serve --demo` without `--smtp-url` starts it on a free port and points the
accounts' outbox at it, so sign-up, verification and password reset work end to end with
real SMTP and no mail server. `/sandbox/mail` (the page) and `GET /api/v1/sandbox/mail`
(its data) show the mails of this browser's **mailbox**: a random id in the
`ap_sandbox_mail` cookie (`HttpOnly`, `SameSite=Strict`), to which an address is added when
this browser creates an account with it or logs into it. So a learner sees the mails of
their own accounts, and nobody reads another's verification or reset link (the
sandbox may be shared). Kept in memory only: the last `MAX_MESSAGES` mails, gone at restart.
"""

import asyncio
import contextlib
import email
import email.policy
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Final

import msgspec
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from assetport.edge.errors import ApiError
from assetport.edge.requests import Clock, RequestWeigher, client_ip
from assetport.edge.sessions import cookie_header, cookie_named

MAILBOX_COOKIE: Final = "ap_sandbox_mail"
MAX_MESSAGES: Final = 500
MAX_MAIL_BYTES: Final = 256 * 1024
MAX_MAILBOXES: Final = 10_000
MAX_ADDRESSES_PER_MAILBOX: Final = 20
_MAILBOX_AGE_S: Final = 30 * 24 * 3600
_MAILBOX_ID_BYTES: Final = 24
_MAILBOX_ID_CHARS: Final = 32  # base64 of 24 bytes


@dataclass(frozen=True)
class CaughtMail:
    number: int
    time_ms: int
    to: tuple[str, ...]
    subject: str
    text: str


class MailCatcher:
    def __init__(self, clock_ms: Callable[[], int]) -> None:
        self._clock_ms = clock_ms
        self._messages: deque[CaughtMail] = deque(maxlen=MAX_MESSAGES)
        self._mailboxes: OrderedDict[str, set[str]] = OrderedDict()
        self._server: asyncio.Server | None = None
        self._count = 0

    async def start(self, host: str = "127.0.0.1") -> int:
        """Listens on a free port of `host`; returns the port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(
                self,
                hostname="assetport-sandbox",
                data_size_limit=MAX_MAIL_BYTES,
                enable_SMTPUTF8=True,
                loop=loop,
            ),
            host,
            0,
        )
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd's hook: one mail arrived."""
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        self._count += 1
        self._messages.append(
            CaughtMail(
                self._count,
                self._clock_ms(),
                tuple(address.lower() for address in envelope.rcpt_tos),
                str(message.get("Subject", "")),
                text,
            )
        )
        return "250 Message accepted for delivery"

    def mailbox(self, cookie_header: str | None, *, secure: bool) -> tuple[str, str | None]:
        """This browser's mailbox id (from its cookie, or new), and the `Set-Cookie` value to
        send when it is new (the accounts' `Mailboxes`)."""
        mailbox = mailbox_of(cookie_header)
        if mailbox is not None:
            return mailbox, None
        mailbox = new_mailbox()
        return mailbox, mailbox_cookie(mailbox, secure=secure)

    def claim(self, mailbox: str, address: str) -> None:
        """This browser now reads the mails to `address` (it created or opened its account)."""
        addresses = self._mailboxes.pop(mailbox, set())
        if len(addresses) < MAX_ADDRESSES_PER_MAILBOX:
            addresses.add(address.lower())
        self._mailboxes[mailbox] = addresses
        while len(self._mailboxes) > MAX_MAILBOXES:
            self._mailboxes.popitem(last=False)

    def mails_for(self, mailbox: str | None) -> list[CaughtMail]:
        """The mails to the mailbox's addresses, newest first."""
        addresses = self._mailboxes.get(mailbox or "", set())
        return [m for m in reversed(self._messages) if addresses.intersection(m.to)]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None


def mailbox_of(header: str | None) -> str | None:
    """This browser's mailbox id in a `Cookie` header, or None: only an id `new_mailbox`
    could have made (a client's own, longer value would be kept in memory as a key)."""
    mailbox = cookie_named(header, MAILBOX_COOKIE)
    return mailbox if mailbox is not None and len(mailbox) == _MAILBOX_ID_CHARS else None


def new_mailbox() -> str:
    return secrets.token_urlsafe(_MAILBOX_ID_BYTES)


def mailbox_cookie(mailbox: str, *, secure: bool) -> str:
    return cookie_header(MAILBOX_COOKIE, mailbox, max_age=_MAILBOX_AGE_S, secure=secure)


def sandbox_mail_routes(
    catcher: MailCatcher, clock_ms: Clock, weigher: RequestWeigher
) -> list[BaseRoute]:
    """`GET /api/v1/sandbox/mail`: this browser's caught mails, for the /sandbox/mail page
    (each request weighed against its address like the gateway's own)."""

    async def mails(request: Request) -> Response:
        now = clock_ms()
        try:
            usage = weigher.check_request(client_ip(request), 1, now)
        except ApiError as error:
            headers = {"retry-after": str(error.retry_after)} if error.retry_after else {}
            return Response(error.body(), error.http_status, headers, "application/json")
        found = catcher.mails_for(mailbox_of(request.headers.get("cookie")))
        body = {
            "mails": [
                {"id": m.number, "time": m.time_ms, "to": list(m.to), "subject": m.subject,
                 "text": m.text}
                for m in found
            ]
        }  # fmt: skip
        return Response(
            msgspec.json.encode(body), 200, {**dict(usage.headers()), "cache-control": "no-store"},
            "application/json",
        )  # fmt: skip

    return [Route("/api/v1/sandbox/mail", mails, methods=["GET"])]
