"""Issuance through the operator endpoints of a real server (issue #17): a listing file
names a gold token with its issuer; the issuer's attestor key is registered, the terms set,
a signed bar list recorded; mints stop at the reserve with -7065; a forged attestation is
refused with -7063 and changes nothing; a distribution pays a holder in KRW, who sees it
on `/api/v3/account`; a restart keeps it all (the journal)."""

import json
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exchange_server import ExchangeServer, Trader

from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)

LISTING = """
[[assets]]
code = "KRW"
precision = 0

[[assets]]
code = "AUG"
precision = 4
kind = "rwa_token"
issuer = 101
"""
PREFIX = "/api/v1/admin/issuance"
TERMS = {
    "asset": "AUG", "issuer": 101, "kind": "metal", "unit": "1 g of 999.9 fine gold",
    "custodian": "Korea Minting Corp.", "vault": "Busan vault 1",
    "redemption": {"minimum": 10_000, "fee_bps": 25, "physical_lot": 9_999_000},
    "documents": [{"name": "terms", "sha256": "ab" * 32}],
}  # fmt: skip
KEY = Ed25519PrivateKey.generate()
BAR = ReserveLot("AB12345", "Heraeus", "Busan vault 1", 9_999_000, 10_000_000, 9_999)


def post(server: ExchangeServer, path: str, **body: Any) -> tuple[int, Any]:
    token = (server.data_dir / "admin.token").read_text().strip()
    return server.request(
        "POST", PREFIX + path,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )  # fmt: skip


def attestation(*lots: ReserveLot, key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    total = sum(lot.units for lot in lots)
    statement = ReserveStatement("AUG", "auditor-1", 1_764_000_000_000_000, lots, total)
    built: dict[str, Any] = msgspec.to_builtins(sign(statement, key))
    return built


def test_an_issuer_attests_mints_and_pays_a_distribution(tmp_path: Path) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        status, answer = post(server, "/attestors", issuer=101, key_id="auditor-1",
                              public_key=public_key_hex(KEY))  # fmt: skip
        assert status == 200, answer
        status, answer = post(server, "/terms", terms=TERMS)
        assert status == 200 and answer["terms"]["unit"] == "1 g of 999.9 fine gold", answer
        status, answer = post(server, "/mint", asset="AUG", amount="1", ref="m-0")
        assert (status, answer["code"]) == (400, -7065), answer  # no reserve yet

        forged = attestation(BAR, key=Ed25519PrivateKey.generate())
        status, answer = post(server, "/attestations", attestation=forged)
        assert (status, answer["code"]) == (400, -7063), answer
        status, answer = post(server, "/attestations", attestation=attestation(BAR))
        assert status == 200, answer
        assert (answer["reserve"], answer["supply"], answer["lots"]) == ("999.9000", "0.0000", 1)

        status, answer = post(server, "/mint", asset="AUG", amount="1000", ref="m-1")
        assert (status, answer["code"]) == (400, -7065), answer  # past 999.9 g
        status, answer = post(server, "/mint", asset="AUG", amount="999.9", ref="m-1")
        assert status == 200 and answer["supply"] == answer["reserve"] == "999.9000", answer
        status, answer = post(server, "/attestations", attestation={"statement": 1})
        assert (status, answer["code"]) == (400, -1130), answer

        # The reserve is all issued: an operator's deposit of the token is issuance too.
        holder = server.user("holder")
        token = (data_dir / "admin.token").read_text().strip()
        status, answer = server.request(
            "POST", "/api/v1/admin/deposits",
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps({"user_id": holder.user_id, "asset": "AUG", "amount": "0.0001"}).encode(),
        )  # fmt: skip
        assert (status, answer["code"]) == (400, -7065), answer
        # A holder, placed by the issuer from its treasury, is paid the rent.
        status, answer = post(server, "/transfer", asset="AUG", source=101,
                              target=holder.user_id, amount="2.5", kind="allocation",
                              ref="place-1")  # fmt: skip
        assert status == 200 and answer["amount"] == "2.5000", answer
        status, answer = post(server, "/fund", issuer=101, asset="KRW", amount="10000")
        assert status == 200, answer
        status, paid = post(server, "/distribute", asset="AUG", pay_asset="KRW",
                            amount="10000", ref="rent-1")  # fmt: skip
        assert status == 200 and (paid["holders_paid"], paid["paid"]) == (1, "10000"), paid
        status, again = post(server, "/distribute", asset="AUG", pay_asset="KRW",
                             amount="10000", ref="rent-1")  # fmt: skip
        assert status == 200 and again["applied"] == "already", again
        assert holder.balance("KRW") == ("10000", "0")

    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        status, answer = post(server, "/mint", asset="AUG", amount="0.0001", ref="m-2")
        assert (status, answer["code"]) == (400, -7065), answer  # the reserve is still full


def assetport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_attestor_signs_with_its_own_tool_and_the_issuer_uses_the_cli(
    tmp_path: Path,
) -> None:
    key = tmp_path / "auditor.pem"
    made = assetport("attest", "keygen", "--out", str(key))
    assert made.returncode == 0, made.stderr
    public_key = made.stdout.strip()
    assert len(public_key) == 64 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "never overwritten" in assetport("attest", "keygen", "--out", str(key)).stderr

    statement = tmp_path / "statement.json"
    counted = ReserveStatement("AUG", "auditor-1", 1_764_000_000_000_000, (BAR,), BAR.units)
    statement.write_text(msgspec.json.encode(counted).decode())
    signed = assetport("attest", "sign", "--key", str(key), str(statement))
    assert signed.returncode == 0, signed.stderr
    attested = tmp_path / "attestation.json"
    attested.write_text(signed.stdout)
    checked = assetport("attest", "verify", str(attested), "--public-key", public_key)
    assert checked.returncode == 0 and checked.stdout.startswith("OK: AUG, 1 lots"), checked
    other = public_key_hex(Ed25519PrivateKey.generate())
    refused = assetport("attest", "verify", str(attested), "--public-key", other)
    assert refused.returncode == 1 and refused.stdout.startswith("FAILED"), refused

    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps(TERMS))
    data = str(tmp_path / "data")
    with ExchangeServer(tmp_path / "data", "--config", str(listing)):
        for step in (
            ("attestor", "101", "auditor-1", public_key),
            ("terms", str(terms)),
            ("attestation", str(attested)),
        ):
            done = assetport("admin", "--data-dir", data, "issuance", *step)
            assert done.returncode == 0, done.stderr
        done = assetport("admin", "--data-dir", data, "issuance", "mint", "AUG", "999.9")
        assert done.returncode == 0 and json.loads(done.stdout)["supply"] == "999.9000"
        done = assetport("admin", "--data-dir", data, "issuance", "mint", "AUG", "0.0001")
        assert done.returncode == 1 and "exceed the attested reserve" in done.stderr, done


MARKET = """
[[markets]]
symbol = "AUGKRW"
base = "AUG"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "100000"
min_notional = "1"
"""


def test_a_permissioned_token_reaches_only_the_accounts_its_rules_allow(tmp_path: Path) -> None:
    """Compliance records identities, the issuer sets holder rules: an unverified buyer's
    order is a rejected new order (-2010) and a placement to it is refused (-7074); a
    frozen holding cannot be sold; everything survives a restart."""
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING + MARKET)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        post(server, "/attestors", issuer=101, key_id="auditor-1", public_key=public_key_hex(KEY))
        post(server, "/terms", terms=TERMS)
        post(server, "/attestations", attestation=attestation(BAR))
        post(server, "/mint", asset="AUG", amount="100", ref="m-1")
        kim = server.user("kim", KRW="1000000")
        john = server.user("john", KRW="1000000")
        token = (data_dir / "admin.token").read_text().strip()
        status, answer = server.request(
            "POST", "/api/v1/admin/identity",
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps({"user_id": kim.user_id, "kyc_level": 2, "country": "KR"}).encode(),
        )  # fmt: skip
        assert status == 200 and answer["country"] == "KR", answer
        status, answer = post(server, "/holder-rules", asset="AUG", min_kyc_level=2,
                              countries_allowed=["KR"], max_per_holder="50")  # fmt: skip
        assert status == 200 and answer["rules"]["max_per_holder"] == 500_000, answer
        status, answer = post(server, "/holder-rules", asset="AUG", countries_allowed=["Korea"])
        assert (status, answer["code"]) == (400, -7061), answer

        placed = {"asset": "AUG", "source": 101, "amount": "10", "kind": "allocation"}
        status, answer = post(server, "/transfer", target=john.user_id, ref="p-1", **placed)
        assert (status, answer["code"]) == (400, -7074), answer
        status, answer = post(server, "/transfer", target=kim.user_id, ref="p-2", **placed)
        assert status == 200, answer
        # The treasury offers 10 g on the book; John may not buy it, Kim may.
        sell = {"symbol": "AUGKRW", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                "quantity": "10", "price": "1000"}  # fmt: skip
        status, answer = post(server, "/transfer", target=kim.user_id, ref="p-3",
                              **(placed | {"amount": "45"}))  # fmt: skip
        assert (status, answer["code"]) == (400, -7075), answer  # 55 g > 50 g
        status, answer = john.post("/api/v3/order", **(sell | {"side": "BUY"}))
        assert (status, answer["code"]) == (400, -2010), answer
        assert "holder rules" in answer["msg"]
        assert john.balance("KRW") == ("1000000", "0")

        status, answer = post(server, "/freeze", asset="AUG", user_id=kim.user_id,
                              amount="4", reason="AML review 77")  # fmt: skip
        assert status == 200 and answer["frozen"] == "4.0000", answer
        status, answer = kim.post("/api/v3/order", **(sell | {"quantity": "7"}))
        assert status == 400, answer  # 6 g free
        assert kim.balance("AUG") == ("6.0000", "4.0000")
        status, answer = post(server, "/unfreeze", asset="AUG", user_id=kim.user_id,
                              amount="5", reason="cleared")  # fmt: skip
        assert (status, answer["code"]) == (400, -7077), answer

    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        status, answer = post(server, "/transfer", target=john.user_id, ref="p-4", **placed)
        assert (status, answer["code"]) == (400, -7074), answer  # the rules were journaled
        status, answer = post(server, "/unfreeze", asset="AUG", user_id=kim.user_id,
                              reason="cleared")  # fmt: skip
        assert status == 200 and answer["amount"] == "4.0000", answer
        again = Trader(server, kim.user_id, kim.api_key, kim.secret)
        assert again.balance("AUG") == ("10.0000", "0.0000")


def test_a_token_s_documents_are_kept_by_their_hash_and_served_to_anyone(
    tmp_path: Path,
) -> None:
    """The operator keeps the prospectus with `assetport admin document` (no server
    needed); its entry goes into the terms; anyone downloads it by its hash, and a file
    changed on disk is no longer served as the document the terms bound."""
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    prospectus = tmp_path / "prospectus.pdf"
    prospectus.write_bytes(b"%PDF-1.7\n% AUG prospectus\n" + bytes(range(256)) * 400)
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        kept = assetport("admin", "--data-dir", str(data_dir), "document", str(prospectus),
                         "--name", "Prospectus")  # fmt: skip
        assert kept.returncode == 0, kept.stderr
        entry = json.loads(kept.stdout)
        assert entry["name"] == "Prospectus" and len(entry["sha256"]) == 64
        status, answer = post(server, "/terms", terms=TERMS | {"documents": [entry]})
        assert status == 200, answer

        url = f"{server.base_url}/api/v1/assets/documents/{entry['sha256']}"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            assert "immutable" in response.headers["Cache-Control"]
            assert response.read() == prospectus.read_bytes()
        status, answer = server.request("GET", "/api/v1/assets/documents/" + "ab" * 32)
        assert (status, answer["code"]) == (404, -7081), answer
        status, answer = server.request("GET", "/api/v1/assets/documents/not-a-hash")
        assert (status, answer["code"]) == (400, -1130), answer

        again = assetport("admin", "--data-dir", str(data_dir), "document", str(prospectus))
        assert json.loads(again.stdout)["sha256"] == entry["sha256"]  # kept once
        missing = assetport("admin", "--data-dir", str(data_dir), "document",
                            str(tmp_path / "nothing.pdf"))  # fmt: skip
        assert missing.returncode != 0 and "cannot read" in missing.stderr
