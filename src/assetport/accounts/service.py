"""What a person does with an account, without HTTP: sign up, log in, two-factor login,
the anti-phishing code. Password hashing runs in a worker thread: tens of milliseconds of
argon2 must not stall the event loop that also matches orders' replies.
"""

import asyncio
import sqlite3
import string
from pathlib import Path
from typing import Final

from assetport.accounts import errors, passwords, totp
from assetport.accounts.attempts import AttemptLimiter
from assetport.accounts.sessions import NewSession, Sessions
from assetport.accounts.store import Account, AccountStore
from assetport.api.errors import ApiError
from assetport.api.users import UserError, UserStore

TOTP_ISSUER: Final = "Assetport"
_ANTI_PHISHING_CHARS: Final = frozenset(string.ascii_letters + string.digits)


class Accounts:
    def __init__(
        self, data_dir: Path, users: UserStore, limiter: AttemptLimiter | None = None
    ) -> None:
        self.store = AccountStore(data_dir)
        self.sessions = Sessions(self.store)
        self.users = users
        self.limiter = limiter or AttemptLimiter()
        # One sign-up at a time: the user and the account row live in two files.
        self._signup_lock = asyncio.Lock()

    async def sign_up(self, email_text: str, password: str, now_ms: int) -> Account:
        email = passwords.normalise_email(email_text)
        if email is None:
            raise errors.INVALID_EMAIL.error()
        if not passwords.strong_enough(password):
            raise errors.WEAK_PASSWORD.error()
        password_hash = await asyncio.to_thread(passwords.hash_password, password)
        async with self._signup_lock:
            if self.store.by_email(email) is not None:
                raise errors.EMAIL_TAKEN.error()
            try:
                # The user's name is the email: unique, and what an operator recognises.
                user = self.users.create(email, now_ms)
            except UserError as exc:
                raise errors.EMAIL_TAKEN.error() from exc
            try:
                self.store.add(user.user_id, email, password_hash, now_ms)
            except sqlite3.IntegrityError as exc:
                raise errors.EMAIL_TAKEN.error() from exc
        account = self.store.by_user(user.user_id)
        assert account is not None
        return account

    async def log_in(
        self, email_text: str, password: str, totp_code: str | None, ip: str, now_ms: int
    ) -> Account:
        """The account, or BAD_CREDENTIALS alike for an unknown email and a wrong password
        (the answer must not tell which emails have accounts)."""
        email = passwords.normalise_email(email_text) or email_text.strip().lower()
        wait = self.limiter.retry_after_s(email, ip, now_ms)
        if wait is not None:
            raise ApiError(*errors.TOO_MANY_ATTEMPTS, retry_after=wait)
        account = self.store.by_email(email)
        stored = account.password_hash if account is not None else None
        if not await asyncio.to_thread(passwords.verify_password, stored, password):
            self.limiter.failed(email, ip, now_ms)
            raise errors.BAD_CREDENTIALS.error()
        assert account is not None
        if account.totp_enabled:
            if not totp_code:
                raise errors.TOTP_REQUIRED.error()
            if not self._use_code(account, totp_code, now_ms):
                self.limiter.failed(email, ip, now_ms)
                raise errors.TOTP_INVALID.error()
        self.limiter.succeeded(email)
        if passwords.needs_rehash(account.password_hash):
            rehashed = await asyncio.to_thread(passwords.hash_password, password)
            self.store.set_password_hash(account.user_id, rehashed)
        return account

    def start_session(self, account: Account, now_ms: int) -> NewSession:
        return self.sessions.start(account.user_id, now_ms)

    def account(self, user_id: int) -> Account:
        account = self.store.by_user(user_id)
        if account is None:  # a session whose account is gone
            raise errors.NOT_LOGGED_IN.error()
        return account

    def enrol_totp(self, account: Account) -> tuple[str, str]:
        """A new secret (not active until confirmed) and its otpauth:// URI."""
        if account.totp_enabled:
            raise errors.TOTP_ALREADY_ON.error()
        secret = totp.new_secret()
        self.store.set_totp(account.user_id, secret, enabled=False)
        return secret, totp.otpauth_uri(secret, account.email, TOTP_ISSUER)

    def confirm_totp(self, account: Account, code: str, now_ms: int) -> None:
        """Turn two-factor login on, once the user shows their app makes the right codes."""
        if account.totp_enabled:
            raise errors.TOTP_ALREADY_ON.error()
        if account.totp_secret is None:
            raise errors.TOTP_NOT_ENROLLED.error()
        step = totp.matching_step(account.totp_secret, code, now_ms // 1000)
        if step is None:
            raise errors.TOTP_INVALID.error()
        self.store.set_totp(account.user_id, account.totp_secret, enabled=True)
        self.store.use_totp_step(account.user_id, step)  # this code cannot log in again

    def disable_totp(self, account: Account, code: str, now_ms: int) -> None:
        """Needs a current code: a stolen session alone cannot remove the second factor."""
        if not account.totp_enabled:
            raise errors.TOTP_NOT_ENROLLED.error()
        if not self._use_code(account, code, now_ms):
            raise errors.TOTP_INVALID.error()
        self.store.set_totp(account.user_id, None, enabled=False)

    def set_anti_phishing(self, account: Account, code: str) -> str:
        code = code.strip()
        if not 4 <= len(code) <= 20 or not set(code) <= _ANTI_PHISHING_CHARS:
            raise errors.INVALID_ANTI_PHISHING.error()
        self.store.set_anti_phishing(account.user_id, code)
        return code

    def close(self) -> None:
        self.store.close()

    def _use_code(self, account: Account, code: str, now_ms: int) -> bool:
        if account.totp_secret is None:
            return False
        step = totp.matching_step(
            account.totp_secret, code, now_ms // 1000, after_step=account.totp_last_step
        )
        return step is not None and self.store.use_totp_step(account.user_id, step)
