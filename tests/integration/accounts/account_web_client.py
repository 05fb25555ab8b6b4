"""A browser-like client of the account endpoints: keeps the session cookie and the CSRF
token, and shows the raw response headers (to check the cookie's attributes). Signing up
goes the whole way a person goes: the sign-up, the verification mail read from the server's
SMTP server (`smtp_inbox.py`), its link, then the login."""

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer
from smtp_inbox import Inbox

from assetport.accounts.terms import TERMS_VERSION

ACCOUNT = "/api/v1/account"
PASSWORD = "a long password"


@contextmanager
def account_server(data_dir: Path, *extra_args: str) -> Iterator[ExchangeServer]:
    """A real server whose mails go to an `Inbox` (`server.mailbox`); sign-ups are not
    limited per address (every test client is 127.0.0.1)."""
    with Inbox() as mailbox:
        args = ("--smtp-url", mailbox.url, "--signups-per-hour", "100000", *extra_args)
        with ExchangeServer(data_dir, *args) as server:
            server.mailbox = mailbox  # type: ignore[attr-defined]
            yield server


class WebUser:
    def __init__(self, server: ExchangeServer) -> None:
        self.server = server
        self.cookie: str | None = None
        self.csrf: str | None = None
        self.last_headers: Message | None = None

    @property
    def mailbox(self) -> Inbox:
        mailbox: Inbox = self.server.mailbox  # type: ignore[attr-defined]
        return mailbox

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.cookie is not None:
            headers["Cookie"] = self.cookie
        if csrf and self.csrf is not None:
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.server.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, self.last_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, self.last_headers = error.code, error.read(), error.headers
        for set_cookie in self.last_headers.get_all("set-cookie") or []:
            name, _, value = set_cookie.split(";", 1)[0].partition("=")
            if name == "ap_session":
                self.cookie = f"{name}={value}" if value else None
        answer = json.loads(raw)
        if status == 200 and isinstance(answer, dict) and "csrfToken" in answer:
            self.csrf = answer["csrfToken"]
        return status, answer

    def account(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        return self.call(method, ACCOUNT + path, body)

    def sign_up_only(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """The sign-up request alone: "check your mail", no session."""
        status, answer = self.account(
            "POST", "/signup", {"email": email, "password": password, "termsVersion": TERMS_VERSION}
        )
        assert status == 200, answer
        return dict(answer)

    def verify(self, email: str) -> None:
        """Opens the newest verification link mailed to `email`."""
        mails = [m for m in self.mailbox.to(email) if "Confirm your email" in m.subject]
        mail = mails[-1] if mails else self.mailbox.wait_for(email, "Confirm your email")
        status, answer = self.account("POST", "/verify", {"token": mail.token()})
        assert status == 200, answer

    def sign_up(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Signs up, verifies the address through the mail's link, logs in: the profile."""
        signed_up = self.sign_up_only(email, password)
        self.verify(signed_up["email"])
        status, profile = self.log_in(email, password)
        assert status == 200, profile
        return dict(profile)

    def log_in(self, email: str, password: str = PASSWORD, **extra: str) -> tuple[int, Any]:
        return self.account("POST", "/login", {"email": email, "password": password, **extra})
