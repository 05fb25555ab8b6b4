"""Issuer agents over real HTTP (issue #17: "an issuer ... has an issuer account with a
treasury and agents who act for it"): `assetport admin issuer-agent add ISSUER NAME` gives
an agent its own token; with it the issuer endpoints act for that issuer alone, and the
holder sees the agent's name beside what was done to their holding. Another issuer's token,
treasury or redemption is refused with -7080 (403) and nothing changes; compliance's
identity endpoint stays the admin token's; an unknown or removed token is 401, at once."""

import json
import stat
from pathlib import Path
from typing import Any

from exchange_server import ExchangeServer, Trader
from test_admin_issuance import assetport
from test_assets_rest import CARBON, GOLD, LISTING, issue, ok, refused

PREFIX = "/api/v1/admin/issuance"


def add_agent(data_dir: Path, issuer: int, name: str) -> str:
    """`assetport admin issuer-agent add`: the token is the last line it prints."""
    done = assetport("admin", "--data-dir", str(data_dir), "issuer-agent", "add", str(issuer), name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def call(
    server: ExchangeServer, token: str, path: str, method: str = "POST", **body: Any
) -> tuple[int, Any]:
    """An operator endpoint with `token`: the admin token or an agent's."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if method == "GET":
        query = "&".join(f"{name}={value}" for name, value in body.items())
        return server.request("GET", f"{path}?{query}", headers)
    return server.request("POST", path, headers, json.dumps(body).encode())


def test_an_agent_acts_for_its_own_issuer_alone_and_the_holder_sees_its_name(
    tmp_path: Path,
) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        admin = (data_dir / "admin.token").read_text().strip()
        issue(server)  # both issuers' attestors, terms and attested reserves
        ok(call(server, admin, f"{PREFIX}/mint", asset="CO2", amount="100", ref="co2-1"))
        kim = add_agent(data_dir, 101, "kim")  # the gold issuer's agent
        lee = add_agent(data_dir, 102, "lee")  # the carbon issuer's
        alice = server.user("alice")

        minted = ok(call(server, kim, f"{PREFIX}/mint", asset="AUG", amount="100", ref="m-1"))
        assert minted["supply"] == "100.0000", minted
        ok(call(server, kim, f"{PREFIX}/transfer", asset="AUG", source=101,
                target=alice.user_id, amount="10", kind="allocation", ref="place-1"))  # fmt: skip
        frozen = ok(call(server, kim, f"{PREFIX}/freeze", asset="AUG", user_id=alice.user_id,
                         amount="4", reason="AML review 77"))  # fmt: skip
        assert frozen["frozen"] == "4.0000", frozen
        # The platform's operator releases one gram: no agent's name on that.
        ok(call(server, admin, f"{PREFIX}/unfreeze", asset="AUG", user_id=alice.user_id,
                amount="1", reason="partly cleared"))  # fmt: skip
        assert alice.balance("AUG") == ("7.0000", "3.0000")

        status, actions = alice.get("/api/v1/assets/actions")
        assert status == 200, actions
        assert [(a["type"], a["amount"], a["agent"]) for a in actions] == [
            ("UNFREEZE", "1.0000", None),
            ("FREEZE", "4.0000", "kim"),
            ("ALLOCATION", "10.0000", "kim"),
        ]

        # The agent of the gold issuer, on the carbon issuer's token, treasury or steps:
        # refused before anything is sent.
        co2 = server.request("GET", "/api/v1/assets/CO2")[1]
        elsewhere: list[tuple[str, dict[str, Any]]] = [
            ("/mint", {"asset": "CO2", "amount": "1", "ref": "m-x"}),
            ("/burn", {"asset": "CO2", "amount": "1", "ref": "b-x"}),
            ("/transfer", {"asset": "CO2", "source": 102, "target": alice.user_id,
                           "amount": "1", "kind": "allocation", "ref": "t-x"}),
            ("/freeze", {"asset": "CO2", "user_id": alice.user_id, "reason": "no"}),
            ("/attestors", {"issuer": 102, "key_id": "mine", "public_key": "ab" * 32}),
            ("/terms", {"terms": CARBON}),
            ("/terms", {"terms": GOLD | {"asset": "CO2"}}),  # its own issuer, another's token
            ("/subscription-terms", {"asset": "CO2", "quote": "KRW", "price": "1",
                                     "fee_bps": 0, "minimum": "1"}),
            ("/distribute", {"asset": "CO2", "pay_asset": "KRW", "amount": "1"}),
            ("/holders", {"asset": "CO2"}),
            ("/redemptions", {"asset": "CO2"}),
        ]  # fmt: skip
        for path, body in elsewhere:
            refused(call(server, kim, PREFIX + path, **body), 403, -7080)
        refused(call(server, kim, f"{PREFIX}/holders", "GET", asset="CO2"), 403, -7080)
        assert server.request("GET", "/api/v1/assets/CO2")[1] == co2
        assert alice.balance("CO2") == ("0.000", "0.000")
        assert ok(call(server, kim, f"{PREFIX}/holders", "GET", asset="AUG")) == [
            {"account": alice.user_id, "free": "7.0000", "held": "3.0000"}
        ]

        # A redemption of gold: only the gold issuer's agent sees and works it.
        asked = ok(alice.post("/api/v1/assets/redeem", asset="AUG", amount="2"))
        rid = asked["redemptionId"]
        assert ok(call(server, lee, f"{PREFIX}/redemptions", "GET")) == []
        (queued,) = ok(call(server, kim, f"{PREFIX}/redemptions", "GET"))
        assert (queued["redemption_id"], queued["agent"]) == (rid, None)
        refused(call(server, lee, f"{PREFIX}/redemptions/reject", redemption_id=rid,
                     reason="not ours"), 403, -7080)  # fmt: skip
        ok(call(server, kim, f"{PREFIX}/redemptions/reject", redemption_id=rid,
                reason="holder not verified"))  # fmt: skip
        status, mine = alice.get("/api/v1/assets/redemptions")
        assert status == 200, mine
        assert [(r["redemptionId"], r["status"], r["agent"]) for r in mine] == [
            (rid, "REJECTED", "kim")
        ]
        assert alice.balance("AUG") == ("7.0000", "3.0000")

        # Compliance's word is the platform's, and so is money received off the platform
        # (even for the agent's own treasury); a token nobody was given opens nothing.
        identity = {"user_id": alice.user_id, "kyc_level": 2, "country": "KR"}
        refused(call(server, kim, "/api/v1/admin/identity", **identity), 401, -1002)
        refused(call(server, kim, f"{PREFIX}/fund", issuer=101, asset="KRW", amount="1000"),
                401, -1002)  # fmt: skip
        refused(call(server, kim, "/api/v1/admin/deposits", user_id=alice.user_id,
                     asset="KRW", amount="1"), 401, -1002)  # fmt: skip
        refused(call(server, "ia_" + "x" * 43, f"{PREFIX}/mint", asset="AUG", amount="1"),
                401, -1002)  # fmt: skip
        ok(call(server, admin, "/api/v1/admin/identity", **identity))

    # The names are history: after a restart the holder still sees who acted.
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        again = Trader(server, alice.user_id, alice.api_key, alice.secret)
        status, actions = again.get("/api/v1/assets/actions", asset="AUG")
        assert status == 200 and [a["agent"] for a in actions] == [None, "kim", "kim"], actions


def test_the_command_line_adds_lists_and_removes_agents_at_once(tmp_path: Path) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING)
    data_dir = tmp_path / "data"
    data = str(data_dir)
    with ExchangeServer(data_dir, "--config", str(listing)) as server:
        token = add_agent(data_dir, 101, "kim.treasury")
        assert token.startswith("ia_")
        # The running server reads the agents' file at each request: the token works now.
        assert ok(call(server, token, f"{PREFIX}/holders", "GET", asset="AUG")) == []
        assert stat.S_IMODE((data_dir / "issuer_agents.sqlite3").stat().st_mode) == 0o600

        listed = assetport("admin", "--data-dir", data, "issuer-agent", "list")
        assert listed.returncode == 0, listed.stderr
        assert [(a["name"], a["issuer"]) for a in json.loads(listed.stdout)] == [
            ("kim.treasury", 101)
        ]
        assert token not in listed.stdout
        for args, says in (
            (("add", "101", "kim.treasury"), "exists already"),
            (("add", "99", "lee"), "treasury account"),
            (("add", "101", "Lee Kim"), "lower-case"),
            (("remove", "lee"), "no agent is named 'lee'"),
        ):
            done = assetport("admin", "--data-dir", data, "issuer-agent", *args)
            assert done.returncode == 1 and says in done.stderr, done

        removed = assetport("admin", "--data-dir", data, "issuer-agent", "remove", "kim.treasury")
        assert removed.returncode == 0, removed.stderr
        refused(call(server, token, f"{PREFIX}/holders", "GET", asset="AUG"), 401, -1002)
        listed = assetport("admin", "--data-dir", data, "issuer-agent", "list")
        assert json.loads(listed.stdout) == []
