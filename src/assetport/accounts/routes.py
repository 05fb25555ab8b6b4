"""The account endpoints under /api/v1/account (JSON bodies; see docs/accounts.md):

POST signup {email, password}             -> profile, sets the session cookie
POST login {email, password, totpCode?}   -> profile, sets the session cookie
POST logout, POST logout-all              -> ends this session / every session of the user
GET  me                                   -> profile (userId, email, totpEnabled, csrfToken)
POST totp/enroll                          -> {secret, otpauthUri}
POST totp/confirm {code}, totp/disable {code}
POST anti-phishing {code}
and the API key page's endpoints (keys_page.py). Every answer carries `antiPhishingCode`.
"""

from typing import Any

from starlette.routing import BaseRoute

from assetport.accounts import keys_page
from assetport.accounts.service import Accounts
from assetport.accounts.sessions import clear_cookie_header, set_cookie_header
from assetport.accounts.store import Account
from assetport.accounts.web_call import AccountCall, AccountHandler, account_route
from assetport.api.gateway import Gateway

PREFIX = "/api/v1/account"


def _profile(account: Account, csrf_token: str) -> dict[str, Any]:
    return {
        "userId": account.user_id,
        "email": account.email,
        "totpEnabled": account.totp_enabled,
        "csrfToken": csrf_token,
    }


def _logged_in(call: AccountCall, account: Account) -> dict[str, Any]:
    session = call.accounts.start_session(account, call.now_ms)
    call.account = account
    call.set_cookie = set_cookie_header(session, secure=call.secure, now_ms=call.now_ms)
    return _profile(account, session.csrf_token)


async def sign_up(call: AccountCall) -> dict[str, Any]:
    account = await call.accounts.sign_up(call.text("email"), call.text("password"), call.now_ms)
    return _logged_in(call, account)


async def log_in(call: AccountCall) -> dict[str, Any]:
    account = await call.accounts.log_in(
        call.text("email"),
        call.text("password"),
        call.optional_text("totpCode"),
        call.ip,
        call.now_ms,
    )
    return _logged_in(call, account)


async def log_out(call: AccountCall) -> dict[str, Any]:
    if call.credentials is not None:
        call.accounts.sessions.end(call.credentials)
    call.set_cookie = clear_cookie_header(secure=call.secure)
    return {"loggedOut": True}


async def log_out_everywhere(call: AccountCall) -> dict[str, Any]:
    ended = call.accounts.sessions.end_all(call.me.user_id)
    call.set_cookie = clear_cookie_header(secure=call.secure)
    return {"loggedOut": True, "sessionsEnded": ended}


async def me(call: AccountCall) -> dict[str, Any]:
    return _profile(call.me, call.csrf_token)


async def totp_enrol(call: AccountCall) -> dict[str, Any]:
    secret, uri = call.accounts.enrol_totp(call.me)
    return {"secret": secret, "otpauthUri": uri, "totpEnabled": False}


async def totp_confirm(call: AccountCall) -> dict[str, Any]:
    call.accounts.confirm_totp(call.me, call.text("code"), call.now_ms)
    return {"totpEnabled": True}


async def totp_disable(call: AccountCall) -> dict[str, Any]:
    call.accounts.disable_totp(call.me, call.text("code"), call.now_ms)
    return {"totpEnabled": False}


async def anti_phishing(call: AccountCall) -> dict[str, Any]:
    call.accounts.set_anti_phishing(call.me, call.text("code"))
    return {}


# (method, path under PREFIX, handler, needs a session)
ENDPOINTS: tuple[tuple[str, str, AccountHandler, bool], ...] = (
    ("POST", "/signup", sign_up, False),
    ("POST", "/login", log_in, False),
    ("POST", "/logout", log_out, True),
    ("POST", "/logout-all", log_out_everywhere, True),
    ("GET", "/me", me, True),
    ("POST", "/totp/enroll", totp_enrol, True),
    ("POST", "/totp/confirm", totp_confirm, True),
    ("POST", "/totp/disable", totp_disable, True),
    ("POST", "/anti-phishing", anti_phishing, True),
    ("GET", "/apikeys", keys_page.list_keys, True),
    ("POST", "/apikeys", keys_page.create_key, True),
    ("DELETE", "/apikeys/{api_key}", keys_page.delete_key, True),
)


def account_routes(accounts: Accounts, gateway: Gateway) -> list[BaseRoute]:
    """The routes for `create_app(..., extra_routes=...)`; also makes the REST pipeline
    accept this platform's session cookies (`gateway.sessions`)."""
    gateway.sessions = accounts.sessions
    return [
        account_route(accounts, gateway, method, PREFIX + path, handler, needs_session=session)
        for method, path, handler, session in ENDPOINTS
    ]
