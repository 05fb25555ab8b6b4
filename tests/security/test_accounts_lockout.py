"""Issue 13, accounts: the login lockout holds against concurrent guesses and restarts.

The attempt used to be checked before the password hash and counted after it, so 41 logins
sent at once all passed a limit of 5 (40 wrong passwords checked, then the right one logged
in), and 60 two-factor codes were all tried. Now an attempt is counted before its hash, in
one step with the check, and the counts live in the accounts database.
"""

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assetport.accounts import passwords, totp
from assetport.accounts.service import Accounts
from assetport.api.errors import ApiError
from assetport.edge.users import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import ExchangeServer, WebUser

from assetport.accounts.terms import TERMS_VERSION

NOW_MS = 1_700_000_015_000
EMAIL = "victim@example.com"
PASSWORD = "a long password"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many password hashes and two-factor codes were checked."""
    counts = {"hashes": 0, "codes": 0}
    lock = threading.Lock()
    verify, matching_step = passwords.verify_password, totp.matching_step

    def counting_verify(*args: Any) -> bool:
        with lock:
            counts["hashes"] += 1
        return verify(*args)

    def counting_step(*args: Any, **kwargs: Any) -> int | None:
        counts["codes"] += 1
        return matching_step(*args, **kwargs)

    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    monkeypatch.setattr(totp, "matching_step", counting_step)
    yield counts


def new_accounts(data_dir: Path) -> Accounts:
    accounts = Accounts(data_dir, UserStore(data_dir))
    asyncio.run(accounts.sign_up(EMAIL, PASSWORD, NOW_MS))
    return accounts


async def logins(accounts: Accounts, tries: list[tuple[str, str | None]]) -> list[Any]:
    return await asyncio.gather(
        *(accounts.log_in(EMAIL, password, code, "10.0.0.1", NOW_MS) for password, code in tries),
        return_exceptions=True,
    )


def codes(results: list[Any]) -> list[int | None]:
    return [r.code if isinstance(r, ApiError) else None for r in results]


def test_41_parallel_logins_check_at_most_5_hashes(tmp_path: Path, counted: dict[str, int]) -> None:
    accounts = new_accounts(tmp_path)
    guesses: list[tuple[str, str | None]] = [(f"guess number {i}", None) for i in range(40)]
    results = asyncio.run(logins(accounts, [*guesses, (PASSWORD, None)]))
    assert counted["hashes"] <= 5
    assert codes(results).count(-8004) <= 5
    assert codes(results)[-1] == -8005  # the right password came too late: still locked
    assert all(isinstance(result, ApiError) for result in results)
    accounts.close()


def test_60_parallel_two_factor_codes_check_at_most_5(
    tmp_path: Path, counted: dict[str, int]
) -> None:
    accounts = new_accounts(tmp_path)
    account = accounts.store.by_email(EMAIL)
    assert account is not None
    secret, _ = accounts.enrol_totp(account)
    accounts.confirm_totp(
        accounts.account(account.user_id), totp.code_at(secret, NOW_MS // 1000), NOW_MS
    )
    right = {totp.code_at(secret, NOW_MS // 1000 + 30 * step) for step in (-1, 0, 1)}
    wrong = [f"{n:06d}" for n in range(1000) if f"{n:06d}" not in right][:60]
    counted["codes"] = 0
    results = asyncio.run(logins(accounts, [(PASSWORD, code) for code in wrong]))
    assert counted["codes"] <= 5
    assert codes(results).count(-8007) <= 5
    assert codes(results).count(-8005) >= 55
    accounts.close()


def test_the_lockout_survives_a_restart(tmp_path: Path) -> None:
    server = ExchangeServer(tmp_path / "data")
    with server:
        assert (
            WebUser(server).account(
                "POST",
                "/signup",
                {"email": EMAIL, "password": PASSWORD, "termsVersion": TERMS_VERSION},
            )[0]
            == 200
        )
        for guess in range(5):
            assert WebUser(server).log_in(EMAIL, f"guess number {guess}")[0] == 401
    with server:  # the same data directory, a new process
        status, answer = WebUser(server).log_in(EMAIL, PASSWORD)
        assert (status, answer["code"]) == (429, -8005)


def test_parallel_logins_over_http_get_at_most_5_answers_from_a_hash(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        assert (
            WebUser(server).account(
                "POST",
                "/signup",
                {"email": EMAIL, "password": PASSWORD, "termsVersion": TERMS_VERSION},
            )[0]
            == 200
        )
        time.sleep(0.2)
        with ThreadPoolExecutor(41) as pool:
            answers = list(
                pool.map(lambda i: WebUser(server).log_in(EMAIL, f"guess number {i}")[0], range(41))
            )
        assert answers.count(401) <= 5
        assert answers.count(429) >= 36
        assert WebUser(server).log_in(EMAIL, PASSWORD)[0] == 429
