"""What a person does with an account, without HTTP: sign up, verify the email, log in,
two-factor login and its recovery codes, change or reset the password, the anti-phishing
code, and re-authentication: the password (and a second factor when two-factor login is on)
asked again before a change that would let whoever holds the session keep the account.

Every password hash runs in a `HashLane` (bounded threads and queue), never on the event
loop; every attempt a guesser or a flood would repeat is counted before its work starts
(`attempts.py`); every mail goes through the outbox (`mail.py`).
"""

import ipaddress
import sqlite3
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Final, TypeVar

from assetport.accounts import errors, letters, passwords, recovery, terms, totp
from assetport.accounts.attempts import (
    LOGIN_PER_ADDRESS,
    LOGIN_PER_EMAIL,
    MAILS_PER_ADDRESS,
    MAILS_PER_EMAIL,
    SIGNUPS_PER_ADDRESS,
    Attempts,
    Limit,
    Reservation,
    TooMany,
)
from assetport.accounts.emails import MAX_EMAIL, normalise_email
from assetport.accounts.hashing import RETRY_AFTER_S, Busy, HashLane
from assetport.accounts.mail import Outbox
from assetport.accounts.recovery import RecoveryCodes
from assetport.accounts.sessions import NewSession, Sessions
from assetport.accounts.settings import AccountSettings
from assetport.accounts.store import Account, AccountStore
from assetport.accounts.tokens import Purpose, Tokens
from assetport.edge.errors import ApiError, ErrorSpec
from assetport.edge.users import UserError, UserStore

T = TypeVar("T")

TOTP_ISSUER: Final = "Assetport"
_ANTI_PHISHING_CHARS: Final = frozenset(string.ascii_letters + string.digits)
# Checking a login's password: two at once (the machine has two cores), a short queue.
LOGIN_WORKERS: Final = 2
LOGIN_QUEUE: Final = 32
# Making new hashes (sign-up, password change and reset): one at a time.
NEW_HASH_WORKERS: Final = 1
NEW_HASH_QUEUE: Final = 8


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did. `created` is None when the address already had an account:
    the caller must answer the same either way (the owner gets a mail instead)."""

    email: str
    created: Account | None


class Accounts:
    def __init__(
        self,
        data_dir: Path,
        users: UserStore,
        *,
        settings: AccountSettings | None = None,
        outbox: Outbox | None = None,
        store: AccountStore | None = None,  # the shared database's (`--shared-db`)
    ) -> None:
        self.settings = settings or AccountSettings()
        self.store = store if store is not None else AccountStore(data_dir)
        self.attempts = Attempts(self.store.database)
        self.tokens = Tokens(self.store.database)
        self.recovery_codes = RecoveryCodes(
            self.store.database, self.store.derived_key("recovery-codes")
        )
        self.sessions = Sessions(self.store, idle_ms=self.settings.session_idle_minutes * 60_000)
        self.users = users
        self.outbox = outbox or Outbox(None, self.settings.mail_from)
        self.signups = replace(SIGNUPS_PER_ADDRESS, count=self.settings.signups_per_hour)
        # Links in mails; the server sets it to its own address once it listens.
        self.public_url = (self.settings.public_url or "http://127.0.0.1:8000").rstrip("/")
        self.login_lane = HashLane("argon2-login", workers=LOGIN_WORKERS, queue=LOGIN_QUEUE)
        self.hash_lane = HashLane("argon2-new", workers=NEW_HASH_WORKERS, queue=NEW_HASH_QUEUE)
        # Off the start-up path (argon2 lets go of the GIL), done before any login arrives.
        threading.Thread(target=passwords.prepare, name="argon2-dummy", daemon=True).start()

    @property
    def mail_configured(self) -> bool:
        return self.outbox.configured

    # -- sign up and verify ----------------------------------------------------------------

    async def sign_up(
        self,
        email_text: str,
        password: str,
        now_ms: int,
        ip: str = "",
        language: str = "en",
        *,
        terms_version: str | None = None,
    ) -> SignUp:
        """`terms_version` is the version of the terms of use and risk disclosure the person
        accepted on the sign-up form (the endpoint always passes what it was sent, "" for
        nothing); refused (-8027) unless it is the one in force, and kept with the account.
        None only for an account the server makes itself (tests, tools): no consent recorded."""
        email = _email(email_text)
        passwords.check_form(password)
        # After the fields' own checks, as the form asks them: the box is ticked last.
        if terms_version is not None:
            terms.check_consent(terms_version)
        language = language if language in letters.LANGUAGES else "en"
        # Per client address; a call from inside the server (no address) is not limited.
        checks = ((self.signups, ip),) if ip else ()
        reservation = self._reserve(errors.TOO_MANY_SIGNUPS, now_ms, *checks)
        try:
            # Hashed whether or not the address has an account: the same time either way.
            password_hash = await self._run(self.hash_lane, passwords.checked_hash, password, email)
        except ApiError:
            self.attempts.forget(reservation)  # refused before any hash: not a sign-up
            raise
        existing = self.store.by_email(email)
        if existing is not None:
            self._warn_of_sign_up(existing, now_ms)
            return SignUp(email, None)
        try:
            # The user's name is the email: unique, and what an operator recognises.
            user = self.users.create(email, now_ms)
            self.store.add(user.user_id, email, password_hash, now_ms, language, terms_version)
        except (UserError, sqlite3.IntegrityError):
            return SignUp(email, None)  # taken a moment ago, or an operator's user
        account = self.account(user.user_id)
        if ip:
            self.store.note_login_address(account.user_id, network_of(ip), now_ms)
        self._send_verification(account, now_ms)
        return SignUp(email, account)

    def verify_email(self, token: str, now_ms: int) -> Account:
        owner = self.tokens.use(Purpose.VERIFY, token, now_ms)
        account = self.store.by_user(owner.user_id) if owner is not None else None
        if owner is None or account is None or account.email != owner.email:
            raise errors.INVALID_LINK.error()
        self.store.set_verified(account.user_id)
        return self.account(account.user_id)

    def resend_verification(self, account: Account, ip: str, now_ms: int) -> bool:
        """A new link for an unverified account; False when it is verified already."""
        if account.email_verified:
            return False
        self._reserve(
            errors.TOO_MANY_MAILS, now_ms, (MAILS_PER_EMAIL, account.email),
            (MAILS_PER_ADDRESS, ip),
        )  # fmt: skip
        self._send_verification(account, now_ms)
        return True

    def verify_by_operator(self, email_text: str) -> Account | None:
        """`assetport admin account verify`: for a server that sends no mail."""
        account = self.store.by_email(normalise_email(email_text) or "")
        if account is None:
            return None
        self.store.set_verified(account.user_id)
        return self.account(account.user_id)

    # -- log in ----------------------------------------------------------------------------

    async def log_in(
        self, email_text: str, password: str, totp_code: str | None, ip: str, now_ms: int
    ) -> Account:
        """The account, or BAD_CREDENTIALS alike for an unknown email and a wrong password
        (the answer must not tell which emails have accounts)."""
        email = normalise_email(email_text) or email_text[:MAX_EMAIL].strip().lower()
        # Counted before the hash: concurrent guesses cannot all pass the limit.
        reservation = self._reserve(
            errors.TOO_MANY_ATTEMPTS, now_ms, (LOGIN_PER_EMAIL, email), (LOGIN_PER_ADDRESS, ip)
        )
        account = self.store.by_email(email)
        stored = account.password_hash if account is not None else None
        try:
            matched = await self._run(self.login_lane, passwords.verify_password, stored, password)
        except ApiError:
            self.attempts.forget(reservation)
            raise
        if not matched:
            raise errors.BAD_CREDENTIALS.error()  # the attempt stays counted
        assert account is not None
        if account.totp_enabled:
            if not totp_code:
                self.attempts.forget(reservation)  # no code was tried
                raise errors.TOTP_REQUIRED.error()
            if not self._second_factor(account, totp_code, now_ms):
                raise errors.TOTP_INVALID.error()
        self.attempts.forget(reservation)
        self.attempts.clear(LOGIN_PER_EMAIL, email)
        if ip and self.store.note_login_address(account.user_id, network_of(ip), now_ms):
            self._tell_of_new_login(account.user_id, network_of(ip), now_ms)
        if passwords.needs_rehash(account.password_hash):
            try:
                rehashed = await self._run(self.hash_lane, passwords.hash_password, password)
                self.store.set_password_hash(account.user_id, rehashed)
            except ApiError:
                pass  # busy: the next login rehashes
        return account

    def start_session(self, account: Account, now_ms: int) -> NewSession:
        return self.sessions.start(account.user_id, now_ms)

    def account(self, user_id: int) -> Account:
        account = self.store.by_user(user_id)
        if account is None:  # a session whose account is gone
            raise errors.NOT_LOGGED_IN.error()
        return account

    # -- passwords -------------------------------------------------------------------------

    async def change_password(
        self, account: Account, current: str, new: str, ip: str, now_ms: int,
        keep_session: str | None, second_factor: str | None = None,
    ) -> int:  # fmt: skip
        """Needs the current password, and a second factor when two-factor login is on
        (`reauthenticate`); ends every other session. The number of sessions ended."""
        passwords.check_form(new)
        await self.reauthenticate(account, current, second_factor, ip, now_ms)
        new_hash = await self._run(self.hash_lane, passwords.checked_hash, new, account.email)
        self.store.set_password_hash(account.user_id, new_hash)
        self.tokens.revoke(account.user_id, Purpose.RESET)
        ended = self.sessions.end_all(account.user_id, keep=keep_session)
        self._mail(lambda: self._changed_letter(account))
        return ended

    def request_password_reset(self, email_text: str, ip: str, now_ms: int) -> None:
        """Mails a reset link when the address has an account. Does the same work either
        way here (count, queue a job); the job finds out whether there is an account."""
        email = _email(email_text)
        self._reserve(
            errors.TOO_MANY_MAILS, now_ms, (MAILS_PER_EMAIL, email), (MAILS_PER_ADDRESS, ip)
        )

        def letter() -> EmailMessage | None:
            account = self.store.by_email(email)
            if account is None:
                return None
            token = self.tokens.issue(Purpose.RESET, account.user_id, account.email, now_ms)
            return letters.password_reset(
                account.email, account.language, account.anti_phishing, self.public_url, token
            )

        self._mail(letter)

    async def reset_password(self, token: str, new: str, now_ms: int) -> Account:
        """Sets the password of the link's account: the link proved the mailbox, so the
        address counts as verified too; every session ends and the login lock lifts."""
        passwords.check_form(new)
        owner = self.tokens.peek(Purpose.RESET, token, now_ms)
        account = self.store.by_user(owner.user_id) if owner is not None else None
        if owner is None or account is None or account.email != owner.email:
            raise errors.INVALID_LINK.error()
        new_hash = await self._run(self.hash_lane, passwords.checked_hash, new, account.email)
        if self.tokens.use(Purpose.RESET, token, now_ms) is None:  # used meanwhile
            raise errors.INVALID_LINK.error()
        self.store.set_password_hash(account.user_id, new_hash)
        self.store.set_verified(account.user_id)
        self.sessions.end_all(account.user_id)
        self.attempts.clear(LOGIN_PER_EMAIL, account.email)
        self._mail(lambda: self._changed_letter(account))
        return self.account(account.user_id)

    # -- two-factor login, anti-phishing code ----------------------------------------------

    def enrol_totp(self, account: Account) -> tuple[str, str]:
        """A new secret (not active until confirmed) and its otpauth:// URI."""
        if account.totp_enabled:
            raise errors.TOTP_ALREADY_ON.error()
        secret = totp.new_secret()
        self.store.set_totp(account.user_id, secret, enabled=False)
        return secret, totp.otpauth_uri(secret, account.email, TOTP_ISSUER)

    def confirm_totp(self, account: Account, code: str, now_ms: int) -> list[str]:
        """Turn two-factor login on, once the user shows their app makes the right codes;
        the new recovery codes, to show once."""
        if account.totp_enabled:
            raise errors.TOTP_ALREADY_ON.error()
        if account.totp_secret is None:
            raise errors.TOTP_NOT_ENROLLED.error()
        step = totp.matching_step(account.totp_secret, code, now_ms // 1000)
        if step is None:
            raise errors.TOTP_INVALID.error()
        self.store.set_totp(account.user_id, account.totp_secret, enabled=True)
        self.store.use_totp_step(account.user_id, step)  # this code cannot log in again
        return self.recovery_codes.replace(account.user_id, now_ms)

    async def disable_totp(
        self, account: Account, password: str | None, second_factor: str | None, ip: str,
        now_ms: int,
    ) -> None:  # fmt: skip
        """Needs the password and a current code or a recovery code (`reauthenticate`): a
        stolen session can neither remove the second factor alone nor guess codes until
        one fits. The recovery codes go with it; the owner gets a mail."""
        if not account.totp_enabled:
            raise errors.TOTP_NOT_ENROLLED.error()
        await self.reauthenticate(account, password, second_factor, ip, now_ms)
        self.store.set_totp(account.user_id, None, enabled=False)
        self.recovery_codes.forget(account.user_id)
        self._mail(lambda: self._letter_to(account.user_id, letters.two_factor_off))

    async def new_recovery_codes(
        self, account: Account, password: str | None, second_factor: str | None, ip: str,
        now_ms: int,
    ) -> list[str]:  # fmt: skip
        """A new set of recovery codes (the old ones stop working), after re-authentication:
        for someone who used or lost theirs."""
        if not account.totp_enabled:
            raise errors.TOTP_NOT_ENROLLED.error()
        await self.reauthenticate(account, password, second_factor, ip, now_ms)
        return self.recovery_codes.replace(account.user_id, now_ms)

    def recovery_codes_left(self, account: Account) -> int:
        return self.recovery_codes.left(account.user_id) if account.totp_enabled else 0

    async def set_anti_phishing(
        self, account: Account, code: str, password: str | None, second_factor: str | None,
        ip: str, now_ms: int,
    ) -> str:  # fmt: skip
        """A security setting: whoever holds a session must not pick the code a phishing
        mail would then show, so it takes re-authentication."""
        code = code.strip()
        if not 4 <= len(code) <= 20 or not set(code) <= _ANTI_PHISHING_CHARS:
            raise errors.INVALID_ANTI_PHISHING.error()
        await self.reauthenticate(account, password, second_factor, ip, now_ms)
        self.store.set_anti_phishing(account.user_id, code)
        return code

    # -- re-authentication -----------------------------------------------------------------

    async def reauthenticate(
        self, account: Account, password: str | None, second_factor: str | None, ip: str,
        now_ms: int,
    ) -> None:  # fmt: skip
        """The account's password again, and with two-factor login on a current TOTP code
        or an unused recovery code (used up here). Counted as a login attempt of the email
        and the address, so a stolen session cannot guess either. Refusals: REAUTH_REQUIRED
        (no password), REAUTH_CODE_REQUIRED (no code), WRONG_PASSWORD,
        REAUTH_CODE_INVALID, TOO_MANY_ATTEMPTS."""
        if not password:
            raise errors.REAUTH_REQUIRED.error()
        if account.totp_enabled and not second_factor:
            raise errors.REAUTH_CODE_REQUIRED.error()
        reservation = self._reserve(
            errors.TOO_MANY_ATTEMPTS, now_ms, (LOGIN_PER_EMAIL, account.email),
            (LOGIN_PER_ADDRESS, ip),
        )  # fmt: skip
        try:
            matched = await self._run(
                self.login_lane, passwords.verify_password, account.password_hash, password
            )
        except ApiError:
            self.attempts.forget(reservation)
            raise
        if not matched:
            raise errors.WRONG_PASSWORD.error()  # the attempt stays counted
        # The password first: a wrong one must not spend a code that was right.
        if account.totp_enabled and not self._second_factor(account, second_factor or "", now_ms):
            raise errors.REAUTH_CODE_INVALID.error()
        self.attempts.forget(reservation)

    def close(self) -> None:
        """The outbox is its maker's to close (the server drains it first)."""
        self.login_lane.close()
        self.hash_lane.close()
        self.store.close()

    # -- helpers ---------------------------------------------------------------------------

    def _second_factor(self, account: Account, code: str, now_ms: int) -> bool:
        """A current TOTP code, or else an unused recovery code (which is used up, and its
        owner told by mail: a recovery code used by someone else is an account taken)."""
        if self._use_code(account, code, now_ms):
            return True
        if not recovery.looks_like(code) or not self.recovery_codes.use(account.user_id, code):
            return False
        left = self.recovery_codes.left(account.user_id)
        self._mail(
            lambda: self._letter_to(
                account.user_id,
                lambda to, language, code, url: letters.recovery_code_used(
                    to, language, code, url, left
                ),
            )
        )
        return True

    def _use_code(self, account: Account, code: str, now_ms: int) -> bool:
        if account.totp_secret is None:
            return False
        step = totp.matching_step(
            account.totp_secret, code, now_ms // 1000, after_step=account.totp_last_step
        )
        return step is not None and self.store.use_totp_step(account.user_id, step)

    def _reserve(self, refusal: ErrorSpec, now_ms: int, *checks: tuple[Limit, str]) -> Reservation:
        try:
            return self.attempts.reserve(now_ms, *checks)
        except TooMany as exc:
            raise ApiError(*refusal, retry_after=exc.retry_after_s) from exc

    async def _run(self, lane: HashLane, work: Callable[..., T], *args: object) -> T:
        try:
            return await lane.run(work, *args)
        except Busy as exc:
            raise ApiError(*errors.BUSY, retry_after=RETRY_AFTER_S) from exc

    def _mail(self, job: Callable[[], EmailMessage | None]) -> None:
        self.outbox.send(job)

    def _send_verification(self, account: Account, now_ms: int) -> None:
        def letter() -> EmailMessage:
            fresh = self.store.by_user(account.user_id) or account
            token = self.tokens.issue(Purpose.VERIFY, fresh.user_id, fresh.email, now_ms)
            return letters.verification(
                fresh.email, fresh.language, fresh.anti_phishing, self.public_url, token
            )

        self._mail(letter)

    def _warn_of_sign_up(self, account: Account, now_ms: int) -> None:
        """Tells the owner someone tried to sign up with their address, unless five mails
        went to it this hour already."""
        try:
            self.attempts.reserve(now_ms, (MAILS_PER_EMAIL, account.email))
        except TooMany:
            return
        self._mail(
            lambda: letters.sign_up_attempt(
                account.email, account.language, account.anti_phishing, self.public_url
            )
        )

    def _tell_of_new_login(self, user_id: int, address: str, now_ms: int) -> None:
        """A mail to the owner: the account was used from an address it had not been."""
        when = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")

        def letter(to: str, language: str, code: str | None, base_url: str) -> EmailMessage:
            return letters.new_login(to, language, code, base_url, address, when)

        self._mail(lambda: self._letter_to(user_id, letter))

    def _letter_to(
        self, user_id: int, letter: Callable[[str, str, str | None, str], EmailMessage]
    ) -> EmailMessage | None:
        """A notice to the account as it is when the mail is sent (its newest anti-phishing
        code and language)."""
        fresh = self.store.by_user(user_id)
        if fresh is None:
            return None
        return letter(fresh.email, fresh.language, fresh.anti_phishing, self.public_url)

    def _changed_letter(self, account: Account) -> EmailMessage:
        fresh = self.store.by_user(account.user_id) or account
        return letters.password_changed(
            fresh.email, fresh.language, fresh.anti_phishing, self.public_url
        )


def network_of(ip: str) -> str:
    """The address a login is told by: an IPv4 address itself, an IPv6 address by its /64
    (one household or phone rotates through a /64); anything else as it came."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _email(text: str) -> str:
    email = normalise_email(text)
    if email is None:
        raise errors.INVALID_EMAIL.error()
    return email
