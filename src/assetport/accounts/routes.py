"""The account endpoints under /api/v1/account (JSON bodies; see docs/accounts.md):

POST signup {email, password, termsVersion, language?} -> {status, email}: the same whether
                                             or not the address has an account; no session;
                                             -8027 unless `termsVersion` is the terms in force
POST verify {token}                       -> the address of the link is verified
POST verify/resend                        -> a new verification link (session)
POST login {email, password, totpCode?}   -> profile, sets the session cookie; `totpCode`
                                             takes a recovery code as well
POST logout, POST logout-all              -> ends this session / every session of the user
GET  me                                   -> profile (userId, email, emailVerified, ...)
GET  session                              -> {loggedIn: false}, or {loggedIn: true} + profile
POST password/change {currentPassword, newPassword, twoFactorCode?} -> ends the other
                                             sessions
POST password/forgot {email}              -> {status}: a reset link if there is an account
POST password/reset {token, password}     -> sets the password, ends every session
POST totp/enroll                          -> {secret, otpauthUri}
POST totp/confirm {code}                  -> {totpEnabled, recoveryCodes}: shown this once
POST totp/disable {password, twoFactorCode}
POST totp/recovery-codes {password, twoFactorCode} -> {recoveryCodes}: a new set
POST anti-phishing {code, password, twoFactorCode?}
GET  price-alerts, POST price-alerts {symbol, price}, DELETE price-alerts/{id}: alerts by
                                             email (alerts_page.py, price_alerts.py)
and the API key page's endpoints (keys_page.py; a key that may trade takes {password,
twoFactorCode?} too). `twoFactorCode` is a TOTP code or a recovery code, asked when
two-factor login is on (re-authentication, `Accounts.reauthenticate`). Every answer about
an account carries `antiPhishingCode`, and only those: never an answer to a visitor.
The operator's `POST /api/v1/admin/accounts/verify {email}` (admin token) verifies an
address by hand, for a server that sends no mail: an operator endpoint of the gateway
(`api/rest_admin.py`) calling `Accounts.verify_by_operator`.
"""

from typing import Any, Final, Protocol

from starlette.routing import BaseRoute

from assetport.accounts import keys_page
from assetport.accounts.alerts_page import AlertsPage
from assetport.accounts.price_alerts import PriceAlerts
from assetport.accounts.service import Accounts
from assetport.accounts.sessions import clear_cookie_header, set_cookie_header
from assetport.accounts.store import Account
from assetport.accounts.web_call import AccountCall, AccountHandler, WebContext, account_route
from assetport.edge.errors import ApiError

PREFIX: Final = "/api/v1/account"
CHECK_MAIL: Final = "CHECK_MAIL"
MAIL_NOT_CONFIGURED: Final = "MAIL_NOT_CONFIGURED"
_NO_MAIL_MSG: Final = (
    "This server sends no mail: ask its operator to verify your address "
    "(assetport admin account verify)."
)


def _profile(accounts: Accounts, account: Account, csrf_token: str) -> dict[str, Any]:
    return {
        "userId": account.user_id,
        "email": account.email,
        "emailVerified": account.email_verified,
        "totpEnabled": account.totp_enabled,
        "recoveryCodesLeft": accounts.recovery_codes_left(account),
        "csrfToken": csrf_token,
    }


class Mailboxes(Protocol):
    """The sandbox's mail catcher as the account endpoints use it (`sandbox/mail.py`, handed
    over by the composition root): a browser reads the mails of the accounts it made or
    logged into."""

    def mailbox(self, cookie_header: str | None, *, secure: bool) -> tuple[str, str | None]:
        """This browser's mailbox id, and the `Set-Cookie` value to send when it is new."""
        ...

    def claim(self, mailbox: str, address: str) -> None:
        """The mailbox now gets the mails to `address`."""
        ...


class AccountRoutes:
    """The handlers, with what only the server knows: the sandbox's mail catcher, and the
    price alerts (which read the gateway's market views)."""

    def __init__(self, catcher: Mailboxes | None, alerts: PriceAlerts | None = None) -> None:
        self.catcher = catcher
        self.alerts = AlertsPage(alerts)

    def _mailbox(self, call: AccountCall) -> str | None:
        """This browser's sandbox mailbox (made now if it has none); None off the sandbox."""
        if self.catcher is None:
            return None
        cookie = call.credentials.cookie if call.credentials is not None else None
        mailbox, set_cookie = self.catcher.mailbox(cookie, secure=call.secure)
        if set_cookie is not None:
            call.set_cookies.append(set_cookie)
        return mailbox

    def _mail_status(self, call: AccountCall) -> dict[str, Any]:
        if call.accounts.mail_configured:
            return {"status": CHECK_MAIL, "mailSent": True}
        return {"status": MAIL_NOT_CONFIGURED, "mailSent": False, "msg": _NO_MAIL_MSG}

    def _logged_in(self, call: AccountCall, account: Account) -> dict[str, Any]:
        session = call.accounts.start_session(account, call.now_ms)
        call.account = account
        call.set_cookies.append(set_cookie_header(session, secure=call.secure, now_ms=call.now_ms))
        return _profile(call.accounts, account, session.csrf_token)

    async def sign_up(self, call: AccountCall) -> dict[str, Any]:
        mailbox = self._mailbox(call)  # set whether or not an account is made
        done = await call.accounts.sign_up(
            call.text("email"), call.text("password"), call.now_ms, call.ip,
            call.optional_text("language") or "en",
            terms_version=call.optional_text("termsVersion") or "",
        )  # fmt: skip
        if done.created is not None and mailbox is not None and self.catcher is not None:
            self.catcher.claim(mailbox, done.email)
        return {**self._mail_status(call), "email": done.email}

    async def log_in(self, call: AccountCall) -> dict[str, Any]:
        account = await call.accounts.log_in(
            call.text("email"),
            call.text("password"),
            call.optional_text("totpCode"),
            call.ip,
            call.now_ms,
        )
        mailbox = self._mailbox(call)
        if mailbox is not None and self.catcher is not None:
            self.catcher.claim(mailbox, account.email)
        return self._logged_in(call, account)

    async def forgot_password(self, call: AccountCall) -> dict[str, Any]:
        call.accounts.request_password_reset(call.text("email"), call.ip, call.now_ms)
        return self._mail_status(call)


async def verify(call: AccountCall) -> dict[str, Any]:
    account = call.accounts.verify_email(call.text("token"), call.now_ms)
    return {"emailVerified": True, "email": account.email}


async def resend_verification(call: AccountCall) -> dict[str, Any]:
    sent = call.accounts.resend_verification(call.me, call.ip, call.now_ms)
    if not sent:
        return {"emailVerified": True, "mailSent": False}
    return {"emailVerified": False, "mailSent": call.accounts.mail_configured}


async def change_password(call: AccountCall) -> dict[str, Any]:
    ended = await call.accounts.change_password(
        call.me, call.text("currentPassword"), call.text("newPassword"), call.ip, call.now_ms,
        keep_session=call.accounts.sessions.id_hash(call.credentials),
        second_factor=call.optional_text("twoFactorCode"),
    )  # fmt: skip
    return {"passwordChanged": True, "sessionsEnded": ended}


async def reset_password(call: AccountCall) -> dict[str, Any]:
    await call.accounts.reset_password(call.text("token"), call.text("password"), call.now_ms)
    return {"passwordReset": True}


async def log_out(call: AccountCall) -> dict[str, Any]:
    if call.credentials is not None:
        call.accounts.sessions.end(call.credentials)
    call.set_cookies.append(clear_cookie_header(secure=call.secure))
    return {"loggedOut": True}


async def log_out_everywhere(call: AccountCall) -> dict[str, Any]:
    ended = call.accounts.sessions.end_all(call.me.user_id)
    call.set_cookies.append(clear_cookie_header(secure=call.secure))
    return {"loggedOut": True, "sessionsEnded": ended}


async def me(call: AccountCall) -> dict[str, Any]:
    return _profile(call.accounts, call.me, call.csrf_token)


async def session(call: AccountCall) -> dict[str, Any]:
    """Whether this browser is logged in, answered 200 either way: the pages ask on every
    load, and a visitor's page must not show a failed request (`me` answers 401)."""
    found = None
    if call.credentials is not None:
        try:
            found = call.accounts.sessions.user_of(
                call.credentials, state_changing=False, now_ms=call.now_ms
            )
        except ApiError:  # an unknown or expired session (no CSRF check on a read)
            found = None
    if found is None:
        return {"loggedIn": False}
    user_id, csrf_token = found
    call.account = call.accounts.account(user_id)
    return {"loggedIn": True, **_profile(call.accounts, call.account, csrf_token)}


async def totp_enrol(call: AccountCall) -> dict[str, Any]:
    secret, uri = call.accounts.enrol_totp(call.me)
    return {"secret": secret, "otpauthUri": uri, "totpEnabled": False}


async def totp_confirm(call: AccountCall) -> dict[str, Any]:
    codes = call.accounts.confirm_totp(call.me, call.text("code"), call.now_ms)
    return {"totpEnabled": True, "recoveryCodes": codes, "recoveryCodesLeft": len(codes)}


async def totp_disable(call: AccountCall) -> dict[str, Any]:
    await call.accounts.disable_totp(call.me, *call.reauthentication(), call.ip, call.now_ms)
    return {"totpEnabled": False, "recoveryCodesLeft": 0}


async def recovery_codes(call: AccountCall) -> dict[str, Any]:
    codes = await call.accounts.new_recovery_codes(
        call.me, *call.reauthentication(), call.ip, call.now_ms
    )
    return {"recoveryCodes": codes, "recoveryCodesLeft": len(codes)}


async def anti_phishing(call: AccountCall) -> dict[str, Any]:
    await call.accounts.set_anti_phishing(
        call.me, call.text("code"), *call.reauthentication(), call.ip, call.now_ms
    )
    return {}


def endpoints(
    handlers: AccountRoutes,
) -> tuple[tuple[str, str, AccountHandler, bool], ...]:
    """(method, path under PREFIX, handler, needs a session)."""
    return (
        ("POST", "/signup", handlers.sign_up, False),
        ("POST", "/verify", verify, False),
        ("POST", "/verify/resend", resend_verification, True),
        ("POST", "/login", handlers.log_in, False),
        ("POST", "/logout", log_out, True),
        ("POST", "/logout-all", log_out_everywhere, True),
        ("GET", "/me", me, True),
        ("GET", "/session", session, False),
        ("POST", "/password/change", change_password, True),
        ("POST", "/password/forgot", handlers.forgot_password, False),
        ("POST", "/password/reset", reset_password, False),
        ("POST", "/totp/enroll", totp_enrol, True),
        ("POST", "/totp/confirm", totp_confirm, True),
        ("POST", "/totp/disable", totp_disable, True),
        ("POST", "/totp/recovery-codes", recovery_codes, True),
        ("POST", "/anti-phishing", anti_phishing, True),
        ("GET", "/apikeys", keys_page.list_keys, True),
        ("POST", "/apikeys", keys_page.create_key, True),
        ("DELETE", "/apikeys/{api_key}", keys_page.delete_key, True),
        ("GET", "/price-alerts", handlers.alerts.list_alerts, True),
        ("POST", "/price-alerts", handlers.alerts.create_alert, True),
        ("DELETE", "/price-alerts/{alert_id}", handlers.alerts.delete_alert, True),
    )


def account_routes(
    accounts: Accounts,
    context: WebContext,
    *,
    catcher: Mailboxes | None = None,
    alerts: PriceAlerts | None = None,
) -> list[BaseRoute]:
    """The routes for `create_app(..., extra_routes=...)`. The composition root also hands
    `accounts.sessions` to the gateway, whose REST pipeline then takes this platform's
    session cookies, and `accounts` to the operator's endpoint that verifies an address by
    hand (`POST /api/v1/admin/accounts/verify`, `api/rest_admin.py`)."""
    return [
        account_route(accounts, context, method, PREFIX + path, handler, needs_session=session)
        for method, path, handler, session in endpoints(AccountRoutes(catcher, alerts))
    ]
