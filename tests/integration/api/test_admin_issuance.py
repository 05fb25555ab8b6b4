"""Issuance through the operator endpoints of a real server (issue #17): a listing file
names a gold token with its issuer; the issuer's attestor key is registered, the terms set,
a signed bar list recorded; mints stop at the reserve with -7065; a forged attestation is
refused with -7063 and changes nothing; a distribution pays a holder in KRW, who sees it
on `/api/v3/account`; a restart keeps it all (the journal)."""

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exchange_server import ExchangeServer

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

        # A holder (through the operator's transfer, for the test) is paid the rent.
        holder = server.user("holder", AUG="2.5")
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
