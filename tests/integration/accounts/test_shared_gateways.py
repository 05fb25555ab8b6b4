"""Two `assetport serve --engine ... --shared-db ...` gateways in front of one `assetport
engine-serve` process, over real HTTP (issue #20): a user and an API key made through
gateway A's admin endpoint sign an order on gateway B, both gateways hold the one admin
token of the deployment, and a web session made on A works on B until it logs out on A."""

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from account_web_client import WebUser  # puts tests/integration/api on the path
from exchange_server import ROOT, ExchangeServer, Trader, engine_process
from smtp_inbox import Inbox


@pytest.fixture
def engine_port(tmp_path: Path) -> Iterator[int]:
    with engine_process(tmp_path) as port:
        yield port


def test_a_key_made_on_gateway_a_trades_on_gateway_b(
    tmp_path: Path, engine_port: int, shared_url: str
) -> None:
    key_file = tmp_path / "secrets.key"
    key_file.write_text(secrets.token_hex(32) + "\n")
    key_file.chmod(0o600)
    common = (
        "--engine", f"127.0.0.1:{engine_port}", "--no-chain",
        "--shared-db", shared_url, "--secrets-key-file", str(key_file),
    )  # fmt: skip
    with (
        Inbox() as mailbox,
        ExchangeServer(tmp_path / "a", *common, "--smtp-url", mailbox.url) as gateway_a,
        ExchangeServer(tmp_path / "b", *common, "--smtp-url", mailbox.url) as gateway_b,
    ):
        token_a = (tmp_path / "a" / "admin.token").read_text()
        assert (tmp_path / "b" / "admin.token").read_text() == token_a
        created = gateway_a.admin("/api/v1/admin/users", name="alice")
        assert created["user_id"] >= 1000
        # B knows the user (its admin endpoint, with the same token) and the key at once.
        gateway_b.admin("/api/v1/admin/deposits", user_id=created["user_id"], asset="KRW",
                        amount="1000000")  # fmt: skip
        on_b = Trader(gateway_b, created["user_id"], created["api_key"], created["secret_key"])
        status, placed = on_b.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="1", price="130000", newOrderRespType="RESULT",
        )  # fmt: skip
        assert (status, placed["status"]) == (200, "NEW"), placed
        # A second user made on B gets the next number, not A's again.
        bob = gateway_b.admin("/api/v1/admin/users", name="bob")
        assert bob["user_id"] != created["user_id"]
        status, refused = gateway_b.request(
            "POST", "/api/v1/admin/users",
            {"Authorization": f"Bearer {token_a.strip()}", "Content-Type": "application/json"},
            json.dumps({"name": "alice"}).encode(),
        )  # fmt: skip
        assert status == 400 and "taken" in refused["msg"], refused

        # A person signs up and logs in on A; the cookie works on B, until a logout on A.
        gateway_a.mailbox = mailbox  # type: ignore[attr-defined]
        web = WebUser(gateway_a)
        profile = web.sign_up("carol@example.com")
        web.server = gateway_b
        status, me = web.account("GET", "/me")
        assert (status, me["userId"]) == (200, profile["userId"]), me
        cookie, web.server = web.cookie, gateway_a
        status, _ = web.account("POST", "/logout")
        assert status == 200
        web.server, web.cookie = gateway_b, cookie

        def logged_out_on_b() -> bool:
            return web.account("GET", "/me")[0] == 401

        deadline = time.monotonic() + 30
        while not logged_out_on_b():
            assert time.monotonic() < deadline, "the logout never reached gateway B"
            time.sleep(0.05)
    # Nothing of it in the gateways' own SQLite files.
    for gateway in ("a", "b"):
        assert not (tmp_path / gateway / "users.sqlite3").exists()
        assert not (tmp_path / gateway / "api_keys.sqlite3").exists()
        assert not (tmp_path / gateway / "accounts.sqlite3").exists()


def test_a_gateway_without_the_secrets_key_stops_with_a_clear_message(
    tmp_path: Path, shared_url: str
) -> None:
    command = [
        sys.executable, "-m", "assetport.cli", "serve", "--data-dir", str(tmp_path / "g"),
        "--port", "0", "--no-chain", "--shared-db", shared_url,
    ]  # fmt: skip
    env = {name: value for name, value in os.environ.items() if name != "ASSETPORT_SECRETS_KEY"}
    stopped = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False
    )
    assert stopped.returncode == 1
    assert "--secrets-key-file" in stopped.stderr and "Traceback" not in stopped.stderr
