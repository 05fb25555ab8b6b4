"""Web sessions as the gateway sees them: the request's credentials, and the protocol the
REST pipeline checks them through.

The web page uses the same public API as every client: a USER_DATA or TRADE request may
carry the session cookie (and, when it changes state, the session's CSRF token) instead of
an API key and signature. The accounts package implements `SessionCheck`; the composition
root (`server/`) sets it on the gateway. Defined on this floor, below both, so neither the
gateway nor the accounts import the other. The cookies' format is here too, shared by the
session cookie and the sandbox's mailbox one.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SessionCredentials:
    """The raw `Cookie` header and `X-CSRF-Token` header of a request."""

    cookie: str
    csrf_token: str | None


class SessionCheck(Protocol):
    def account_of(
        self,
        credentials: SessionCredentials,
        *,
        state_changing: bool,
        now_ms: int,
        trading: bool = False,
    ) -> int | None:
        """The account of the session the cookie names; None when the cookie names no
        session (the API-key rules then apply). Raises `ApiError` for an unknown, expired
        or idle session, a state-changing request without the session's CSRF token, or a
        `trading` request (a TRADE endpoint) of an account whose email is not verified."""
        ...


def cookie_named(cookie_header: str | None, name: str) -> str | None:
    """The value of the cookie `name` in a `Cookie` header, or None (absent or empty)."""
    for pair in (cookie_header or "").split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name and value:
            return value
    return None


def cookie_header(name: str, value: str, *, max_age: int, secure: bool) -> str:
    """A `Set-Cookie` value: `HttpOnly` (scripts, an injected one included, cannot read it),
    `SameSite=Strict` (not sent on requests other sites start), `Secure` whenever the
    request came over https."""
    parts = [f"{name}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def session_credentials(cookie: str | None, csrf_token: str | None) -> SessionCredentials | None:
    """The web session's cookie and CSRF header, when the request has the cookie."""
    return SessionCredentials(cookie, csrf_token) if cookie else None
