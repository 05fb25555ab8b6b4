"""Issue 13, accounts: sign-up floods and email verification before trading.

200 sign-ups from one address used to hash 200 passwords on asyncio's shared executor, and
a real user's login waited behind them (15 s). Now sign-ups are limited per address, the
hashes run in their own lanes with bounded threads and queues (429 beyond), and a login
checks its hash in a lane of its own. A new account must verify its email address (a link
mailed over SMTP) before it can place an order or make a trading API key.
"""

import asyncio
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assetport.accounts import passwords
from assetport.accounts.service import Accounts
from assetport.api.errors import ApiError
from assetport.edge.users import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import ExchangeServer, WebUser, account_server
from exchange_server import ROOT

from assetport.accounts.terms import TERMS_VERSION

NOW_MS = 1_700_000_015_000
PASSWORD = "a long password"
ORDER = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "1", "price": "100000"}  # fmt: skip


def test_200_sign_ups_from_one_address_are_cut_at_the_limit(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        WebUser(server).account(
            "POST",
            "/signup",
            {"email": "real@example.com", "password": PASSWORD, "termsVersion": TERMS_VERSION},
        )

        def sign_up(n: int) -> tuple[int, Any, str | None]:
            web = WebUser(server)
            status, answer = web.account(
                "POST",
                "/signup",
                {
                    "email": f"flood{n}@example.com",
                    "password": PASSWORD,
                    "termsVersion": TERMS_VERSION,
                },
            )
            assert web.last_headers is not None
            return status, answer, web.last_headers.get("retry-after")

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(sign_up, range(200)))
        accepted = [a for a in answers if a[0] == 200]
        refused = [a for a in answers if a[0] != 200]
        assert len(accepted) <= 10 - 1  # the real user's sign-up took one place
        assert {(status, answer["code"]) for status, answer, _ in refused} == {(429, -8021)}
        assert all(retry is not None and int(retry) > 0 for _, _, retry in refused)
        # The real user logs in all the same (only sign-ups are limited).
        assert WebUser(server).log_in("real@example.com", PASSWORD)[0] == 200


def test_a_login_is_not_queued_behind_sign_up_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = Accounts(tmp_path, UserStore(tmp_path))
    asyncio.run(accounts.sign_up("real@example.com", PASSWORD, NOW_MS))
    release = threading.Event()
    running = {"now": 0, "most": 0}
    lock = threading.Lock()
    real_hash = passwords.hash_password

    def slow_hash(password: str) -> str:  # a hash that waits until the test lets it go
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        release.wait(60)
        with lock:
            running["now"] -= 1
        return real_hash(password)

    monkeypatch.setattr(passwords, "hash_password", slow_hash)

    async def flood_then_log_in() -> tuple[list[Any], Any]:
        flood = [
            asyncio.ensure_future(accounts.sign_up(f"flood{n}@example.com", PASSWORD, NOW_MS))
            for n in range(50)
        ]
        await asyncio.sleep(0.5)  # the flood is in: its hashes hold every place they may
        early = [f.exception() for f in flood if f.done()]
        login = await asyncio.wait_for(
            accounts.log_in("real@example.com", PASSWORD, None, "10.9.9.9", NOW_MS), 20
        )
        release.set()
        await asyncio.gather(*flood, return_exceptions=True)
        return early, login

    try:
        early, login = asyncio.run(flood_then_log_in())
    finally:
        release.set()
    assert login.email == "real@example.com"
    # Hashes at once: the new-hash lane's threads, not one thread per request.
    from assetport.accounts.service import NEW_HASH_WORKERS  # the baseline lacks it

    assert running["most"] <= NEW_HASH_WORKERS
    # Beyond the bounded queue (or the address's hourly sign-ups) a sign-up is told at once
    # to come back later: 429 with Retry-After, never a wait in an unbounded queue.
    refused = [e for e in early if isinstance(e, ApiError)]
    assert any(e.code == -8022 for e in refused)  # the hash queue was full
    assert {e.http_status for e in refused} == {429} and all(e.retry_after for e in refused)
    accounts.close()


def test_an_unverified_account_looks_but_does_not_trade(tmp_path: Path) -> None:
    with account_server(tmp_path / "data") as server:
        web = WebUser(server)
        signed_up = web.sign_up_only("newbie@example.com")
        assert signed_up["status"] == "CHECK_MAIL" and web.cookie is None
        status, me = web.log_in("newbie@example.com")  # logging in works before verifying
        assert status == 200 and me["emailVerified"] is False
        server.admin("/api/v1/admin/deposits", user_id=me["userId"], asset="KRW", amount="1000000")
        assert web.call("GET", "/api/v3/account")[0] == 200  # looking works
        order = "/api/v3/order?" + urllib.parse.urlencode(ORDER)
        status, refused = web.call("POST", order)
        assert (status, refused["code"]) == (403, -8020)
        assert "Verify your email address" in refused["msg"]
        status, refused = web.account("POST", "/apikeys", {"permissions": ["read", "trade"]})
        assert (status, refused["code"]) == (403, -8020)
        assert web.account("POST", "/apikeys", {"permissions": ["read"]})[0] == 200
        # The link in the mail, sent over SMTP, verifies the address; then orders go in.
        mail = server.mailbox.wait_for("newbie@example.com", "Confirm your email")  # type: ignore[attr-defined]
        assert f"{server.base_url}/verify#token=" in mail.text
        status, verified = web.account("POST", "/verify", {"token": mail.token()})
        assert status == 200 and verified["email"] == "newbie@example.com"
        assert web.account("POST", "/verify", {"token": mail.token()})[1]["code"] == -8018
        assert web.account("GET", "/me")[1]["emailVerified"] is True
        status, placed = web.call("POST", order)
        assert status == 200 and placed["status"] == "NEW"


def test_without_mail_the_server_says_so_and_the_operator_verifies(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        web = WebUser(server)
        answer = web.sign_up_only("nomail@example.com")
        assert answer["status"] == "MAIL_NOT_CONFIGURED" and answer["mailSent"] is False
        assert "assetport admin account verify" in answer["msg"]
        web.log_in("nomail@example.com")
        assert web.call("POST", "/api/v1/account/apikeys", {"permissions": ["trade"]})[0] == 403
        done = subprocess.run(
            [sys.executable, "-m", "assetport.cli", "admin", "--data-dir", str(server.data_dir),
             "account", "verify", "NoMail@Example.com"],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert '"emailVerified": true' in done.stdout
        assert web.account("GET", "/me")[1]["emailVerified"] is True
        trading_key = {"permissions": ["trade"], "password": PASSWORD}
        assert web.call("POST", "/api/v1/account/apikeys", trading_key)[0] == 200
        # No sandbox, no mail catcher to read.
        assert web.call("GET", "/api/v1/sandbox/mail")[0] == 404


def test_the_sandbox_catches_the_mail_and_shows_it_only_to_its_browser(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--demo") as server:
        learner, stranger = WebUser(server), WebUser(server)
        status, answer = learner.call(
            "POST",
            "/api/v1/account/signup",
            {"email": "learner@example.com", "password": PASSWORD, "termsVersion": TERMS_VERSION},
        )
        assert status == 200 and answer["status"] == "CHECK_MAIL"
        mailbox = [c.split(";")[0] for c in learner.last_headers.get_all("set-cookie")]  # type: ignore[union-attr]
        assert mailbox and mailbox[0].startswith("ap_sandbox_mail=")
        learner.cookie = mailbox[0]
        deadline = time.monotonic() + 30
        while not (mails := learner.call("GET", "/api/v1/sandbox/mail")[1]["mails"]):
            assert time.monotonic() < deadline, "the sandbox caught no mail"
            time.sleep(0.05)
        assert mails[0]["to"] == ["learner@example.com"]
        assert "Confirm your email address" in mails[0]["subject"]
        assert stranger.call("GET", "/api/v1/sandbox/mail")[1]["mails"] == []
        token = mails[0]["text"].split("#token=")[1].split()[0]
        assert learner.call("POST", "/api/v1/account/verify", {"token": token})[0] == 200
