"""A permissioned token as its holders and the public see it, over real HTTP (issue #17,
docs/issuance.md "Permissioned holding"): compliance verifies identities, the issuer sets
holder rules, and then the public token answers show the rules; a holder's signed
`eligibility` says whether it may hold the token and trade it now and, if not, why; a
freeze, a release, an allocation and a forced transfer appear, with their reasons, in the
holder's `actions`; a freeze reaches the holder's user data stream as its new position; and
a restart keeps all of it (the journal for the engine and the views, SQL for the actions)."""

import json
import time
from pathlib import Path
from typing import Any

from exchange_server import ExchangeServer, Trader
from test_assets_rest import LISTING, admin, issue, ok, refused
from websockets.sync.client import ClientConnection, connect

# A month from now: the lock-up runs all through the test.
LOCKUP_MS = time.time_ns() // 1_000_000 + 30 * 24 * 3600 * 1000
RULES = {
    "asset": "AUG", "min_kyc_level": 2, "countries_allowed": ["KR"], "max_holders": 2,
    "max_per_holder": "100", "lockup_until_ms": LOCKUP_MS, "withdrawable": False,
}  # fmt: skip
SHOWN_RULES = {
    "minKycLevel": 2, "countriesAllowed": ["KR"], "countriesDenied": [], "maxHolders": 2,
    "maxPerHolder": "100.0000", "lockupUntil": LOCKUP_MS, "withdrawable": False,
}  # fmt: skip


def issue_gold(server: ExchangeServer) -> None:
    """The issuers' tokens (test_assets_rest's), and 500 g of gold in its treasury."""
    issue(server)
    ok(admin(server, "POST", "/mint", asset="AUG", amount="500", ref="m1"))


def verify(server: ExchangeServer, user: Trader, level: int, country: str) -> None:
    shown = server.admin("/api/v1/admin/identity", user_id=user.user_id, kyc_level=level,
                         country=country)  # fmt: skip
    assert shown == {"user_id": user.user_id, "kyc_level": level, "country": country}


def eligibility(user: Trader, asset: str = "AUG") -> Any:
    return ok(user.get("/api/v1/assets/eligibility", asset=asset))


def reasons(answer: Any) -> list[str]:
    return [reason["reason"] for reason in answer["reasons"]]


def public_rules(server: ExchangeServer) -> None:
    tokens = ok(server.request("GET", "/api/v1/assets"))
    assert [(t["asset"], t["permissioned"], t["holderRules"]) for t in tokens] == [
        ("AUG", True, SHOWN_RULES),
        ("CO2", False, None),
    ]
    gold = ok(server.request("GET", "/api/v1/assets/AUG"))
    assert (gold["permissioned"], gold["holderRules"]) == (True, SHOWN_RULES)


def who_may_hold(alice: Trader, bob: Trader, carol: Trader) -> None:
    """Before anything is allocated: Alice may hold the gold but not trade it in the
    lock-up; Bob lives where the token is not offered; Carol was never verified."""
    mine = eligibility(alice)
    assert (mine["permissioned"], mine["eligible"], mine["tradable"]) == (True, True, False)
    assert mine["identity"] == {"kycLevel": 2, "country": "KR"}
    assert reasons(mine) == ["LOCKED_UP"]
    assert (mine["holding"], mine["frozen"], mine["room"]) == ("0.0000", "0.0000", "100.0000")
    assert mine["holderRules"] == SHOWN_RULES

    bobs = eligibility(bob)
    assert (bobs["eligible"], reasons(bobs)) == (False, ["COUNTRY", "LOCKED_UP"])
    assert bobs["reasons"][0]["msg"] == "The token does not admit holders residing in US."
    carols = eligibility(carol)
    assert carols["identity"] == {"kycLevel": 0, "country": None}
    assert (carols["eligible"], reasons(carols)) == (False, ["KYC_LEVEL", "COUNTRY", "LOCKED_UP"])
    assert "level 2" in carols["reasons"][0]["msg"]

    # A token without holder rules: anyone may hold and trade it.
    plain = eligibility(carol, "CO2")
    assert (plain["permissioned"], plain["eligible"], plain["tradable"]) == (False, True, True)
    assert (plain["reasons"], plain["room"], plain["holderRules"]) == ([], None, None)

    refused(alice.get("/api/v1/assets/eligibility"), 400, -1102)
    refused(alice.get("/api/v1/assets/eligibility", asset="NOPE"), 404, -7060)
    refused(alice.get("/api/v1/assets/eligibility", asset="KRW"), 404, -7060)
    refused(alice.get("/api/v1/assets/eligibility", asset="AUG", x="1"), 400, -1104)


def issuer_acts(server: ExchangeServer, alice: Trader, bob: Trader, dave: Trader) -> None:
    """The issuer allocates 60 g to Alice (Bob is refused: the rules hold for it too), its
    agent freezes 20 g of hers on a court's order and releases 5 g, and a forced transfer
    moves 10 g of hers to Dave."""
    transfer = {"asset": "AUG", "source": 101, "amount": "60", "kind": "allocation"}
    ok(admin(server, "POST", "/transfer", **transfer, target=alice.user_id, ref="t-alice"))
    refused(admin(server, "POST", "/transfer", **transfer, target=bob.user_id, ref="t-bob"),
            400, -7074)  # fmt: skip
    frozen = ok(admin(server, "POST", "/freeze", asset="AUG", user_id=alice.user_id,
                      amount="20", reason="Busan court order 2026-17"))  # fmt: skip
    assert (frozen["amount"], frozen["frozen"]) == ("20.0000", "20.0000")
    ok(admin(server, "POST", "/unfreeze", asset="AUG", user_id=alice.user_id, amount="5",
             reason="order partly lifted"))  # fmt: skip
    ok(admin(server, "POST", "/transfer", asset="AUG", source=alice.user_id,
             target=dave.user_id, amount="10", kind="forced", reason="Busan court order 2026-18",
             ref="f1"))  # fmt: skip
    assert alice.balance("AUG") == ("35.0000", "15.0000")


def alices_view(alice: Trader, erin: Trader) -> None:
    """What Alice and a newcomer are told once the token has its two holders."""
    mine = eligibility(alice)
    assert (mine["holding"], mine["frozen"], mine["room"]) == ("50.0000", "15.0000", "50.0000")
    assert (mine["eligible"], reasons(mine)) == (True, ["LOCKED_UP"])
    # Erin is verified as Alice is, but Alice and Dave are all the holders it may have.
    erins = eligibility(erin)
    assert (erins["eligible"], reasons(erins)) == (False, ["MAX_HOLDERS", "LOCKED_UP"])
    assert erins["reasons"][0]["msg"] == "The token has all the holders it may have (2)."

    actions = ok(alice.get("/api/v1/assets/actions"))
    shown = [(a["type"], a["direction"], a["amount"], a["frozen"], a["reason"], a["ref"])
             for a in actions]  # fmt: skip
    assert shown == [
        ("FORCED", "OUT", "10.0000", None, "Busan court order 2026-18", "f1"),
        ("UNFREEZE", None, "5.0000", "15.0000", "order partly lifted", None),
        ("FREEZE", None, "20.0000", "20.0000", "Busan court order 2026-17", None),
        ("ALLOCATION", "IN", "60.0000", None, "", "t-alice"),
    ]
    assert all(a["asset"] == "AUG" and a["issuer"] == 101 for a in actions)
    assert actions[0]["time"] >= actions[-1]["time"] and actions[0]["actionId"] > 0
    assert [a["type"] for a in ok(alice.get("/api/v1/assets/actions", limit=1))] == ["FORCED"]
    assert ok(alice.get("/api/v1/assets/actions", asset="CO2")) == []
    assert ok(erin.get("/api/v1/assets/actions")) == []
    refused(alice.get("/api/v1/assets/actions", asset="NOPE"), 404, -7060)
    refused(alice.get("/api/v1/assets/actions", limit=0), 400, -1130)


def listen_key(server: ExchangeServer, user: Trader) -> str:
    headers = {"X-MBX-APIKEY": user.api_key}
    key: str = ok(server.request("POST", "/api/v3/userDataStream", headers))["listenKey"]
    return key


def until_delivered(server: ExchangeServer, user: Trader, stream: ClientConnection) -> None:
    """Wait until the server delivers to `stream`: until then each deposit of 1 won goes
    unseen; then a deposit of 2 marks where the pings' events end (they come in order)."""
    for attempt in range(100):
        server.admin("/api/v1/admin/deposits", user_id=user.user_id, asset="KRW", amount="1",
                     ref=f"ping-{user.user_id}-{attempt}")  # fmt: skip
        try:
            stream.recv(timeout=0.2)
            break
        except TimeoutError:
            continue
    server.admin("/api/v1/admin/deposits", user_id=user.user_id, asset="KRW", amount="2",
                 ref=f"mark-{user.user_id}")  # fmt: skip
    while json.loads(stream.recv(timeout=10)).get("d") != "2":
        pass
    assert json.loads(stream.recv(timeout=10))["e"] == "outboundAccountPosition"


def freeze_on_the_stream(server: ExchangeServer, alice: Trader) -> None:
    """A freeze moves free to locked: the holder's stream shows the new position, as an
    order's hold does (no balanceUpdate: nothing came in or left)."""
    with connect(f"ws://127.0.0.1:{server.port}/ws/{listen_key(server, alice)}") as stream:
        until_delivered(server, alice, stream)
        ok(admin(server, "POST", "/freeze", asset="AUG", user_id=alice.user_id, amount="1",
                 reason="inquiry"))  # fmt: skip
        position = json.loads(stream.recv(timeout=10))
        assert position["e"] == "outboundAccountPosition"
        assert position["B"] == [{"a": "AUG", "f": "34.0000", "l": "16.0000"}]
        ok(admin(server, "POST", "/unfreeze", asset="AUG", user_id=alice.user_id, amount="1",
                 reason="inquiry closed"))  # fmt: skip
        position = json.loads(stream.recv(timeout=10))
        assert position["B"] == [{"a": "AUG", "f": "35.0000", "l": "15.0000"}]


def test_a_permissioned_token_for_its_holders_survives_a_restart(tmp_path: Path) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        issue_gold(server)
        names = ("alice", "bob", "carol", "dave", "erin")
        alice, bob, carol, dave, erin = (server.user(name, KRW="10") for name in names)
        for user, country in ((alice, "KR"), (bob, "US"), (dave, "KR"), (erin, "KR")):
            verify(server, user, 2, country)
        plain = ok(server.request("GET", "/api/v1/assets/AUG"))
        assert (plain["permissioned"], plain["holderRules"]) == (False, None)
        answer = ok(admin(server, "POST", "/holder-rules", **RULES))
        assert answer["rules"]["countries_allowed"] == ["KR"]
        public_rules(server)
        who_may_hold(alice, bob, carol)
        issuer_acts(server, alice, bob, dave)
        alices_view(alice, erin)
        document = ok(server.request("GET", "/openapi.json"))
        for path in ("/api/v1/assets/eligibility", "/api/v1/assets/actions"):
            operation = document["paths"][path]["get"]
            assert "asset" in [p["name"] for p in operation["parameters"]], path

    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        alice, erin = (Trader(server, u.user_id, u.api_key, u.secret) for u in (alice, erin))
        public_rules(server)
        alices_view(alice, erin)
        freeze_on_the_stream(server, alice)
        latest = ok(alice.get("/api/v1/assets/actions", limit=2))
        assert [(a["type"], a["reason"]) for a in latest] == [
            ("UNFREEZE", "inquiry closed"),
            ("FREEZE", "inquiry"),
        ]
        assert eligibility(alice)["frozen"] == "15.0000"
