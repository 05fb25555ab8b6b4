"""A browser-like client of the account endpoints: keeps the session cookie and the CSRF
token, and shows the raw response headers (to check the cookie's attributes)."""

import json
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer

ACCOUNT = "/api/v1/account"


class WebUser:
    def __init__(self, server: ExchangeServer) -> None:
        self.server = server
        self.cookie: str | None = None
        self.csrf: str | None = None
        self.last_headers: Message | None = None

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, csrf: bool = True
    ) -> tuple[int, Any]:
        headers = {}
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
        set_cookie = self.last_headers.get("set-cookie")
        if set_cookie is not None:
            value = set_cookie.split(";", 1)[0]
            self.cookie = value if value.split("=", 1)[1] else None
        answer = json.loads(raw)
        if status == 200 and isinstance(answer, dict) and "csrfToken" in answer:
            self.csrf = answer["csrfToken"]
        return status, answer

    def account(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        return self.call(method, ACCOUNT + path, body)

    def sign_up(self, email: str, password: str = "a long password") -> dict[str, Any]:
        status, answer = self.account("POST", "/signup", {"email": email, "password": password})
        assert status == 200, answer
        return dict(answer)

    def log_in(
        self, email: str, password: str = "a long password", **extra: str
    ) -> tuple[int, Any]:
        return self.account("POST", "/login", {"email": email, "password": password, **extra})
