"""Web sessions: a random 256-bit id in a cookie, its SHA-256 on the server, with an expiry,
an idle timeout and a CSRF token.

A session ends 24 hours after it started, or after `idle_ms` (30 minutes by default)
without a request that carried its cookie, whichever comes first: a computer left logged
in is not an open account for the rest of the day. Its last use is written at most once a
minute, so the page's requests do not each cost a database write. Gateways sharing one
database (`store.py`) share the sessions: a cookie made on one works on another, and a
logout or a password change on one ends the session on all of them.

CSRF uses the synchronizer-token pattern: each session has its own random token, given to
the page in the JSON of login and `me` (which another site cannot read), and every
state-changing request (any method but GET) made with the cookie must send it back in the
`X-CSRF-Token` header, compared in constant time. The cookie is also `SameSite=Strict`, so
browsers do not send it on requests started by other sites at all: two independent walls.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from assetport.accounts import errors
from assetport.accounts.store import AccountStore
from assetport.edge.sessions import SessionCredentials, cookie_header, cookie_named

COOKIE_NAME: Final = "ap_session"
SESSION_TTL_MS: Final = 24 * 3600 * 1000  # absolute: a stolen cookie is worth a day at most
IDLE_MS: Final = 30 * 60 * 1000
_TOUCH_EVERY_MS: Final = 60 * 1000
_ID_BYTES: Final = 32  # 256 bits


@dataclass(frozen=True)
class NewSession:
    session_id: str  # the cookie's value, known only to the browser after this response
    csrf_token: str
    expires_ms: int


def cookie_value(header: str) -> str | None:
    """The session id in a `Cookie` header, or None."""
    return cookie_named(header, COOKIE_NAME)


def set_cookie_header(session: NewSession, *, secure: bool, now_ms: int) -> str:
    """`HttpOnly`, `SameSite=Strict`, and `Secure` whenever the page came over https (see
    `edge.sessions.cookie_header`); it lasts as long as the session may."""
    max_age = max(0, (session.expires_ms - now_ms) // 1000)
    return cookie_header(COOKIE_NAME, session.session_id, max_age=max_age, secure=secure)


def clear_cookie_header(*, secure: bool) -> str:
    return cookie_header(COOKIE_NAME, "", max_age=0, secure=secure)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """Creates, checks and ends sessions; the gateway's `SessionCheck`."""

    def __init__(
        self, store: AccountStore, ttl_ms: int = SESSION_TTL_MS, idle_ms: int = IDLE_MS
    ) -> None:
        self._store = store
        self._ttl_ms = ttl_ms
        self.idle_ms = idle_ms

    def start(self, user_id: int, now_ms: int) -> NewSession:
        self._store.delete_expired_sessions(now_ms, self.idle_ms)
        session = NewSession(
            secrets.token_urlsafe(_ID_BYTES),
            secrets.token_urlsafe(_ID_BYTES),
            now_ms + self._ttl_ms,
        )
        self._store.add_session(
            _hash(session.session_id), user_id, session.csrf_token, now_ms, session.expires_ms
        )
        return session

    def user_of(
        self, credentials: SessionCredentials, *, state_changing: bool, now_ms: int
    ) -> tuple[int, str] | None:
        """(user id, CSRF token) of the cookie's session; None without a session cookie.
        Raises NOT_LOGGED_IN (unknown or expired) or CSRF_FAILED."""
        session_id = cookie_value(credentials.cookie)
        if session_id is None:
            return None
        id_hash = _hash(session_id)
        session = self._store.session(id_hash)
        if session is None or session.expires_ms <= now_ms:
            raise errors.NOT_LOGGED_IN.error()
        if now_ms - session.last_seen_ms >= self.idle_ms:
            # Used since on another gateway sharing the database? Its last use, as stored.
            session = self._store.fresh_session(id_hash)
            if session is None or now_ms - session.last_seen_ms >= self.idle_ms:
                self._store.delete_session(id_hash)
                raise errors.NOT_LOGGED_IN.error()
        if state_changing and not hmac.compare_digest(
            (credentials.csrf_token or "").encode(), session.csrf_token.encode()
        ):
            raise errors.CSRF_FAILED.error()
        if now_ms - session.last_seen_ms >= _TOUCH_EVERY_MS:
            self._store.touch_session(id_hash, now_ms)
        return session.user_id, session.csrf_token

    def account_of(
        self,
        credentials: SessionCredentials,
        *,
        state_changing: bool,
        now_ms: int,
        trading: bool = False,
    ) -> int | None:
        found = self.user_of(credentials, state_changing=state_changing, now_ms=now_ms)
        if found is None:
            return None
        if trading and not self._store.is_verified(found[0]):
            raise errors.EMAIL_NOT_VERIFIED.error()
        return found[0]

    def id_hash(self, credentials: SessionCredentials | None) -> str | None:
        """The stored name of the cookie's session (to keep it when ending the others)."""
        session_id = cookie_value(credentials.cookie) if credentials is not None else None
        return _hash(session_id) if session_id is not None else None

    def end(self, credentials: SessionCredentials) -> None:
        session_id = cookie_value(credentials.cookie)
        if session_id is not None:
            self._store.delete_session(_hash(session_id))

    def end_all(self, user_id: int, keep: str | None = None) -> int:
        """Ends every session of the user but `keep` (an id hash); the number ended."""
        return self._store.delete_sessions_of(user_id, keep)
