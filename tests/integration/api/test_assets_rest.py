"""Real-world-asset tokens over real HTTP (issue #17): the public endpoints under
`/api/v1/assets` (tokens, one token with its latest attestation and bar list, attestation
history, supply for a chart, distributions, a retirement certificate), a holder's signed
requests (subscribe, redeem and cancel, retire; their own lists), the issuer's operator
endpoints (subscription terms, the redemption queue, confirm with a bar and cash, reject,
transfer, the holder register) and `assetport admin issuance`; bad input answered with
Binance-style errors and changing nothing; a retry answering what the first request did;
and a restart keeping it all (the journal for the engine, SQL for the history)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exchange_server import ExchangeServer, Trader
from websockets.sync.client import ClientConnection, connect

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

[[assets]]
code = "CO2"
precision = 3
kind = "rwa_token"
issuer = 102
"""
ADMIN = "/api/v1/admin/issuance"
KEY = Ed25519PrivateKey.generate()
BAR = 9_999_000  # 999.9 g of fine gold in AUG's units
BARS = (
    ReserveLot("AB1", "Heraeus 1 kg", "Busan vault 1", BAR, 10_000_000, 9_999),
    ReserveLot("AB2", "Heraeus 1 kg", "Busan vault 1", BAR, 10_000_000, 9_999),
)
CREDITS = (ReserveLot("VCS-1234-1-1000", "VCS 1234, vintage 2023", "Verra", 1_000_000),)
GOLD = {
    "asset": "AUG", "issuer": 101, "kind": "metal", "unit": "1 g of 999.9 fine gold",
    "custodian": "Korea Minting", "vault": "Busan vault 1",
    "redemption": {"minimum": 10_000, "fee_bps": 25, "physical_lot": BAR},
    "documents": [{"name": "terms", "sha256": "ab" * 32}],
}  # fmt: skip
CARBON = {
    "asset": "CO2", "issuer": 102, "kind": "carbon", "unit": "1 t CO2e, VCS 1234, 2023",
    "custodian": "Verra", "vault": "Verra registry", "redemption": {"minimum": 1_000},
}  # fmt: skip


def admin(server: ExchangeServer, method: str, path: str, **body: Any) -> tuple[int, Any]:
    token = (server.data_dir / "admin.token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if method == "GET":
        query = "&".join(f"{name}={value}" for name, value in body.items())
        return server.request("GET", f"{ADMIN}{path}?{query}", headers)
    return server.request("POST", ADMIN + path, headers, json.dumps(body).encode())


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def public(server: ExchangeServer, path: str) -> tuple[int, Any]:
    return server.request("GET", f"/api/v1/assets{path}")


def attestation(asset: str, key_id: str, lots: tuple[ReserveLot, ...]) -> dict[str, Any]:
    statement = ReserveStatement(asset, key_id, 1_764_000_000_000_000, lots,
                                 sum(lot.units for lot in lots))  # fmt: skip
    built: dict[str, Any] = msgspec.to_builtins(sign(statement, KEY))
    return built


def refused(answer: tuple[int, Any], status: int, code: int) -> None:
    assert (answer[0], answer[1]["code"]) == (status, code), answer


def issue(server: ExchangeServer) -> None:
    """The issuers' side: attestors, terms, attested reserves, subscription terms."""
    for issuer, key_id in ((101, "auditor"), (102, "registry")):
        ok(admin(server, "POST", "/attestors", issuer=issuer, key_id=key_id,
                 public_key=public_key_hex(KEY)))  # fmt: skip
    ok(admin(server, "POST", "/terms", terms=GOLD))
    ok(admin(server, "POST", "/terms", terms=CARBON))
    ok(admin(server, "POST", "/attestations", attestation=attestation("AUG", "auditor", BARS)))
    ok(admin(server, "POST", "/attestations",
             attestation=attestation("CO2", "registry", CREDITS)))  # fmt: skip
    terms = ok(admin(server, "POST", "/subscription-terms", asset="AUG", quote="KRW",
                     price="100000", fee_bps=50, minimum="1", open=True))  # fmt: skip
    assert terms == {"asset": "AUG", "quote": "KRW", "price": "100000", "fee_bps": 50,
                     "minimum": "1.0000", "open": True}  # fmt: skip
    refused(admin(server, "POST", "/subscription-terms", asset="AUG", quote="KRW", price="0",
                  fee_bps=50, minimum="1"), 400, -1130)  # fmt: skip
    refused(admin(server, "POST", "/subscription-terms", asset="KRW", quote="KRW",
                  price="1", fee_bps=0, minimum="1"), 400, -7060)  # fmt: skip


def subscribe(server: ExchangeServer, alice: Trader) -> None:
    bought = ok(alice.post("/api/v1/assets/subscribe", asset="AUG", amount="10", clientRef="s1"))
    assert (bought["amount"], bought["cost"], bought["fee"], bought["paid"]) == (
        "10.0000", "1000000", "5000", "1005000"
    )  # fmt: skip
    # The same request again (a lost answer): the same subscription, nothing paid twice.
    again = ok(alice.post("/api/v1/assets/subscribe", asset="AUG", amount="10", clientRef="s1"))
    assert again == bought
    assert alice.balance("AUG") == ("10.0000", "0.0000")
    assert alice.balance("KRW") == ("198995000", "0")

    # Bad input: each refused with its error, and nothing changes.
    bad = [
        ({"asset": "AUG", "amount": "10", "clientRef": "s1", "x": "1"}, 400, -1104),
        ({"asset": "AUG", "amount": "11", "clientRef": "s1"}, 409, -7002),  # ref reused
        ({"asset": "AUG"}, 400, -1102),
        ({"amount": "1"}, 400, -1102),
        ({"asset": "AUG", "amount": "0.5"}, 400, -7068),  # below the minimum
        ({"asset": "AUG", "amount": "2000"}, 400, -7065),  # beyond the reserve
        ({"asset": "AUG", "amount": "1e3"}, 400, -1100),
        ({"asset": "AUG", "amount": "1.00001"}, 400, -1111),
        ({"asset": "AUG", "amount": "0"}, 400, -1130),
        ({"asset": "KRW", "amount": "1"}, 400, -7060),
        ({"asset": "CO2", "amount": "1"}, 400, -7067),  # no subscription open
        ({"asset": "AUG", "amount": "1", "clientRef": "no spaces"}, 400, -1100),
    ]
    for params, status, code in bad:
        refused(alice.post("/api/v1/assets/subscribe", **params), status, code)
    poor = server.user("poor", KRW="1000")
    refused(poor.post("/api/v1/assets/subscribe", asset="AUG", amount="1"), 400, -2010)
    assert alice.balance("KRW") == ("198995000", "0") and poor.balance("KRW") == ("1000", "0")
    ok(alice.post("/api/v1/assets/subscribe", asset="AUG", amount="1000", clientRef="s2"))
    refused(server.request("POST", "/api/v1/assets/subscribe?asset=AUG&amount=1"), 401, -2014)


def redeem(server: ExchangeServer, alice: Trader) -> None:
    # 1005 g physically: one bar, the rest (less the 0.25 % fee) in cash.
    asked = ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="1005", physical="true",
                          clientRef="r1"))  # fmt: skip
    assert (asked["status"], asked["fee"], asked["physical"]) == ("PENDING", "2.5125", True)
    assert ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="1005", physical="true",
                         clientRef="r1")) == asked  # fmt: skip
    assert alice.balance("AUG") == ("5.0000", "1005.0000")
    refused(alice.post("/api/v1/assets/redeem", asset="AUG", amount="0.5"), 400, -7068)
    refused(alice.post("/api/v1/assets/redeem", asset="AUG", amount="1", physical="yes"),
            400, -1130)  # fmt: skip
    refused(alice.post("/api/v1/assets/redeem", asset="AUG", amount="100"), 400, -2010)

    queue = ok(admin(server, "GET", "/redemptions", asset="AUG"))
    assert [(r["redemption_id"], r["account"], r["amount"]) for r in queue] == [
        (asked["redemptionId"], alice.user_id, "1005.0000")
    ]
    rid = asked["redemptionId"]
    refused(admin(server, "POST", "/redemptions/confirm", redemption_id=rid, bars=["XX9"],
                  pay_asset="KRW", cash_price="100000"), 400, -7071)  # fmt: skip
    done = ok(admin(server, "POST", "/redemptions/confirm", redemption_id=rid, bars=["AB1"],
                    pay_asset="KRW", cash_price="100000"))  # fmt: skip
    assert (done["status"], done["bars"], done["cash"], done["burned"], done["supply"]) == (
        "completed", ["AB1"], "258750", "1002.4875", "7.5125"
    )  # fmt: skip
    refused(admin(server, "POST", "/redemptions/confirm", redemption_id=rid, bars=[]),
            409, -7070)  # fmt: skip
    refused(admin(server, "POST", "/redemptions/confirm", redemption_id=999), 400, -7069)
    assert alice.balance("AUG") == ("5.0000", "0.0000")

    # In cash: one canceled by Alice, one rejected by the issuer.
    second = ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="2"))
    canceled = ok(alice.delete("/api/v1/assets/redeem", redemptionId=second["redemptionId"]))
    assert (canceled["status"], canceled["amount"]) == ("CANCELED", "2.0000")
    refused(alice.delete("/api/v1/assets/redeem", redemptionId=second["redemptionId"]),
            409, -7070)  # fmt: skip
    refused(alice.delete("/api/v1/assets/redeem", redemptionId=rid), 409, -7070)
    refused(alice.delete("/api/v1/assets/redeem", redemptionId=12345), 400, -7069)
    third = ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="2"))
    ended = ok(admin(server, "POST", "/redemptions/reject", redemption_id=third["redemptionId"],
                     reason="holder not verified"))  # fmt: skip
    assert ended["status"] == "rejected"
    assert alice.balance("AUG") == ("5.0000", "0.0000")
    mine = ok(alice.get("/api/v1/assets/redemptions"))
    assert [(r["status"], r["reason"]) for r in mine] == [
        ("REJECTED", "holder not verified"),
        ("CANCELED", "canceled by the holder"),
        ("COMPLETED", ""),
    ]
    assert mine[2]["bars"] == [{"serial": "AB1", "amount": "999.9000", "units": BAR}]
    assert (mine[2]["cash"], mine[2]["payAsset"], mine[2]["cashAmount"]) == (
        "258750", "KRW", "2.5875"
    )  # fmt: skip


def carbon(server: ExchangeServer, alice: Trader, bob: Trader) -> int:
    """Credits minted, allocated, retired with a certificate; a distribution."""
    ok(admin(server, "POST", "/mint", asset="CO2", amount="100", ref="m-co2"))
    for holder, amount in ((alice, "10"), (bob, "3")):
        moved = ok(admin(server, "POST", "/transfer", asset="CO2", source=102,
                         target=holder.user_id, amount=amount, kind="allocation",
                         ref=f"t-{holder.user_id}"))  # fmt: skip
        assert moved["amount"] == f"{amount}.000"
    refused(admin(server, "POST", "/transfer", asset="CO2", source=102, target=1,
                  amount="1", kind="allocation", ref="t-x"), 400, -7073)  # fmt: skip
    refused(admin(server, "POST", "/transfer", asset="CO2", source=102, target=alice.user_id,
                  amount="1", kind="gift", ref="t-y"), 400, -1130)  # fmt: skip
    certificate = ok(alice.post("/api/v1/assets/retire", asset="CO2", amount="3",
                                beneficiary="Busan Port Authority", purpose="2026 emissions",
                                clientRef="c1"))  # fmt: skip
    assert certificate["serials"] == [
        {"serial": "VCS-1234-1-1000", "amount": "3.000", "units": 3_000}
    ]
    assert ok(alice.post("/api/v1/assets/retire", asset="CO2", amount="3",
                         beneficiary="Busan Port Authority", purpose="2026 emissions",
                         clientRef="c1")) == certificate  # fmt: skip
    refused(alice.post("/api/v1/assets/retire", asset="AUG", amount="1", beneficiary="x"),
            400, -7072)  # fmt: skip
    refused(alice.post("/api/v1/assets/retire", asset="CO2", amount="1"), 400, -1102)
    refused(alice.post("/api/v1/assets/retire", asset="CO2", amount="1", beneficiary="x" * 201),
            400, -1130)  # fmt: skip
    assert alice.balance("CO2") == ("7.000", "0.000")
    ok(admin(server, "POST", "/fund", issuer=102, asset="KRW", amount="10000"))
    ok(admin(server, "POST", "/distribute", asset="CO2", pay_asset="KRW", amount="10000",
             ref="rent-1"))  # fmt: skip
    register = ok(admin(server, "GET", "/holders", asset="CO2"))
    assert register == [
        {"account": alice.user_id, "free": "7.000", "held": "0.000"},
        {"account": bob.user_id, "free": "3.000", "held": "0.000"},
    ]
    refused(admin(server, "GET", "/holders", asset="NOPE"), 404, -7060)
    certificate_id: int = certificate["certificateId"]
    return certificate_id


def check_public(server: ExchangeServer, alice: Trader, certificate_id: int) -> None:
    tokens = ok(public(server, ""))
    assert [(t["asset"], t["kind"], t["supply"], t["reserve"], t["headroom"]) for t in tokens] == [
        ("AUG", "metal", "7.5125", "999.9000", "992.3875"),
        ("CO2", "carbon", "97.000", "997.000", "900.000"),
    ]
    assert tokens[0]["subscription"] == {"quote": "KRW", "price": "100000", "feeBps": 50,
                                         "minimum": "1.0000", "open": True}  # fmt: skip
    gold = ok(public(server, "/AUG"))
    assert gold["documents"] == [{"name": "terms", "sha256": "ab" * 32}]
    assert gold["redemption"] == {"minimum": "1.0000", "feeBps": 25, "physicalLot": "999.9000",
                                  "cash": True}  # fmt: skip
    assert gold["reserveDetail"]["used"] == "999.9000"
    latest = gold["latestAttestation"]
    assert (latest["reserve"], latest["lotCount"], latest["totalUnits"]) == ("1999.8000", 2,
                                                                           2 * BAR)  # fmt: skip
    assert [lot["serial"] for lot in latest["lots"]] == ["AB1", "AB2"]
    refused(public(server, "/NOPE"), 404, -7060)
    refused(public(server, "/KRW"), 404, -7060)  # listed, but not a token
    refused(public(server, "/AUG?asset=CO2"), 400, -1101)

    (listed,) = ok(public(server, "/AUG/attestations"))
    assert "lots" not in listed
    one = ok(public(server, f"/AUG/attestations?seq={listed['seq']}&offset=1&limit=1"))
    assert [lot["serial"] for lot in one["lots"]] == ["AB2"]
    refused(public(server, "/AUG/attestations?seq=1"), 404, -7078)
    refused(public(server, "/AUG/attestations?offset=1"), 400, -1128)
    refused(public(server, "/AUG/attestations?limit=0"), 400, -1130)

    points = ok(public(server, "/AUG/supply"))
    assert [(p["kind"], p["supply"], p["reserve"]) for p in points] == [
        ("attestation", "0.0000", "1999.8000"),
        ("subscription", "10.0000", "1999.8000"),
        ("subscription", "1010.0000", "1999.8000"),
        ("redemption", "7.5125", "999.9000"),
    ]
    (paid,) = ok(public(server, "/CO2/distributions"))
    assert (paid["amount"], paid["paid"], paid["holders"]) == ("10000", "10000", 2)
    assert ok(public(server, "/AUG/distributions")) == []

    shown = ok(public(server, f"/certificates/{certificate_id}"))
    assert (shown["beneficiary"], shown["amount"]) == ("Busan Port Authority", "3.000")
    assert "clientRef" not in shown  # the holder's own reference is theirs
    refused(public(server, "/certificates/999"), 404, -7079)
    refused(public(server, "/certificates/x"), 400, -1100)

    mine = ok(alice.get("/api/v1/assets/certificates"))
    assert [(c["certificateId"], c["clientRef"]) for c in mine] == [(certificate_id, "c1")]
    (payout,) = ok(alice.get("/api/v1/assets/distributions/mine"))
    assert (payout["asset"], payout["payAsset"], payout["amount"]) == ("CO2", "KRW", "7000")
    subscriptions = ok(alice.get("/api/v1/assets/subscriptions", asset="AUG"))
    assert [s["clientRef"] for s in subscriptions] == ["s2", "s1"]
    refused(alice.get("/api/v1/assets/subscriptions", asset="NOPE"), 404, -7060)


def next_events(stream: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [json.loads(stream.recv(timeout=10)) for _ in range(count)]


def user_stream(server: ExchangeServer) -> None:
    """A holder's user data stream has a balanceUpdate for what a subscription and a
    retirement moved, then the account's position."""
    holder = server.user("streamer", KRW="200000")
    headers = {"X-MBX-APIKEY": holder.api_key}
    listen_key = ok(server.request("POST", "/api/v3/userDataStream", headers))["listenKey"]
    with connect(f"ws://127.0.0.1:{server.port}/ws/{listen_key}") as stream:
        # Followed once a deposit's own balanceUpdate arrives (the socket is registered).
        for attempt in range(100):
            server.admin("/api/v1/admin/deposits", user_id=holder.user_id, asset="KRW",
                         amount="1", ref=f"ping-{attempt}")  # fmt: skip
            try:
                first = json.loads(stream.recv(timeout=0.2))
                break
            except TimeoutError:
                continue
        assert first["e"] == "balanceUpdate"
        # A last deposit of 2 marks the end of the pings' events (they come in order).
        server.admin("/api/v1/admin/deposits", user_id=holder.user_id, asset="KRW",
                     amount="2", ref="mark")  # fmt: skip
        while json.loads(stream.recv(timeout=10)).get("d") != "2":
            pass
        assert json.loads(stream.recv(timeout=10))["e"] == "outboundAccountPosition"
        ok(holder.post("/api/v1/assets/subscribe", asset="AUG", amount="1"))
        gold, krw, position = next_events(stream, 3)
        assert (gold["e"], gold["a"], gold["d"]) == ("balanceUpdate", "AUG", "1.0000")
        assert (krw["a"], krw["d"]) == ("KRW", "-100500")
        assert position["e"] == "outboundAccountPosition"
        assert {row["a"]: row["f"] for row in position["B"]}["AUG"] == "1.0000"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", "admin", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_assets_over_http_survive_a_restart(tmp_path: Path) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        before = ok(public(server, ""))
        assert [(t["asset"], t["supply"], t["reserve"]) for t in before] == [
            ("AUG", "0.0000", "0.0000"),
            ("CO2", "0.000", "0.000"),
        ]
        assert ok(public(server, "/AUG"))["latestAttestation"] is None
        issue(server)
        alice = server.user("alice", KRW="200000000")
        bob = server.user("bob")
        subscribe(server, alice)
        redeem(server, alice)
        certificate_id = carbon(server, alice, bob)
        check_public(server, alice, certificate_id)
        document = ok(server.request("GET", "/openapi.json"))
        (parameter,) = document["paths"]["/api/v1/assets/{asset}"]["get"]["parameters"]
        assert (parameter["name"], parameter["in"], parameter["required"]) == ("asset", "path",
                                                                              True)  # fmt: skip
        user_stream(server)  # 1 g more of AUG issued

        data = str(data_dir)
        done = cli("--data-dir", data, "issuance", "subscription-terms", "AUG", "KRW", "110000",
                   "40", "1", "--closed")  # fmt: skip
        assert done.returncode == 0 and json.loads(done.stdout)["open"] is False, done
        refused(alice.post("/api/v1/assets/subscribe", asset="AUG", amount="1"), 400, -7067)
        done = cli("--data-dir", data, "issuance", "holders", "CO2", "--from",
                   str(alice.user_id + 1))  # fmt: skip
        assert done.returncode == 0 and [h["account"] for h in json.loads(done.stdout)] == [
            bob.user_id
        ], done
        asked = ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="1"))
        done = cli("--data-dir", data, "issuance", "redemptions", "AUG")
        assert [r["redemption_id"] for r in json.loads(done.stdout)] == [asked["redemptionId"]]
        done = cli("--data-dir", data, "issuance", "confirm", str(asked["redemptionId"]),
                   "--pay-asset", "KRW", "--cash-price", "100000")  # fmt: skip
        assert done.returncode == 0 and json.loads(done.stdout)["cash"] == "99750", done
        done = cli("--data-dir", data, "issuance", "reject", str(asked["redemptionId"]), "late")
        assert done.returncode == 1 and "no longer pending" in done.stderr, done

    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        alice = Trader(server, alice.user_id, alice.api_key, alice.secret)
        tokens = ok(public(server, ""))
        assert [(t["asset"], t["supply"], t["reserve"]) for t in tokens] == [
            ("AUG", "7.5150", "999.9000"),  # 1 g more issued, 0.9975 g more redeemed
            ("CO2", "97.000", "997.000"),
        ]
        assert tokens[0]["subscription"]["open"] is False
        assert ok(public(server, "/AUG"))["latestAttestation"]["lotCount"] == 2
        assert [r["status"] for r in ok(alice.get("/api/v1/assets/redemptions"))] == [
            "COMPLETED", "REJECTED", "CANCELED", "COMPLETED",
        ]  # fmt: skip
        assert ok(public(server, f"/certificates/{certificate_id}"))["amount"] == "3.000"
        # The engine still knows the retirement's reference: a retry changes nothing.
        again = ok(alice.post("/api/v1/assets/retire", asset="CO2", amount="3",
                              beneficiary="Busan Port Authority", purpose="2026 emissions",
                              clientRef="c1"))  # fmt: skip
        assert again["certificateId"] == certificate_id
        assert alice.balance("CO2") == ("7.000", "0.000")
