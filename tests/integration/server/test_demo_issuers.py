"""The demo's issuers (issue #17): `assetport serve` on the demo listings issues the demo's
real-world-asset tokens itself. After a start every token is an rwa_token with terms, its
reserve counted by an auditor whose signature verifies, its supply within that reserve; the
office tower's rent is paid to its holders once a month (a restart pays nothing more and
records no second attestation); the makers quote every market and the faucet gives every
token, from its issuer, until a reserve is used up (-7065, and nothing given); a data
directory from before the demo issuers keeps its coins as they were.

What the engine did is read back from the journal the server wrote (a replay, as
`assetport journal replay` does), beside the public API."""

import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from exchange_server import ExchangeServer

from assetport.domain.accounts import DEMO_MARKET_MAKER, DEMO_TAKER
from assetport.domain.assets import AssetKind
from assetport.domain.commands import Command, Distribute, decode_command
from assetport.domain.events import (
    AttestorRegistered,
    DistributionPaid,
    Event,
    ReserveAttested,
    RwaTransferred,
)
from assetport.domain.issuance.attestations import public_key_hex, signature_is_valid
from assetport.engine.engine import Engine
from assetport.listings import DEMO_ASSETS, DEMO_ISSUERS, DEMO_MARKETS
from assetport.runtime.replay import read_records
from assetport.server.demo_issuers import (
    ATTESTOR_KEY_FILE,
    DEMO_TOKENS,
    RENT_PER_SHARE,
    document_text,
    rent_month,
)

DEADLINE_S = 60
SYMBOLS = {market["symbol"] for market in DEMO_MARKETS}


class Replayed:
    """The engine as the journal rebuilds it, with every command and the events it made."""

    def __init__(self, data_dir: Path) -> None:
        self.engine = Engine()
        self.steps: list[tuple[Command, list[Event]]] = []
        # distribution ref -> the shares outside the issuer's treasury when it was sent
        self.shares_out: dict[str, int] = {}
        for record in read_records(data_dir):
            command = decode_command(record.payload)
            if isinstance(command, Distribute):
                issuer = DEMO_ISSUERS[command.asset]
                supply = self.engine.rwa_supplies()[command.asset]
                self.shares_out[command.ref] = supply - self.held(issuer, command.asset)
            self.steps.append((command, self.engine.apply(record.seq, record.time, command)))

    def held(self, account: int, asset: str) -> int:
        return sum(free + held for _, code, free, held in self.engine.balances(account)
                   if code == asset)  # fmt: skip

    def events(self, kind: type[Any]) -> list[Any]:
        return [event for _, events in self.steps for event in events if isinstance(event, kind)]

    def commands(self, kind: type[Any]) -> list[Any]:
        return [command for command, _ in self.steps if isinstance(command, kind)]


def wait_for(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not ready():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_S} s"
        time.sleep(0.5)


def books_alive(server: ExchangeServer) -> bool:
    for symbol in SYMBOLS:
        status, book = server.request("GET", f"/api/v3/depth?symbol={symbol}&limit=5")
        assert status == 200, book
        if not (book["bids"] and book["asks"]):
            return False
    return True


def rent_sent(data_dir: Path, times: int) -> Callable[[], bool]:
    """Whether the server has sent the rent's distribution `times` times (paid or not)."""

    def sent() -> bool:
        commands = (decode_command(record.payload) for record in read_records(data_dir))
        rents = [c for c in commands if isinstance(c, Distribute) and c.ref.startswith("rent-")]
        return len(rents) >= times

    return sent


def admin_post(server: ExchangeServer, path: str, **body: Any) -> tuple[int, Any]:
    token = (server.data_dir / "admin.token").read_text().strip()
    return server.request(
        "POST", path,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )  # fmt: skip


def test_every_demo_token_is_issued_against_a_signed_reserve_and_the_rent_is_paid_once(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--demo", "--no-chain") as server:
        wait_for("living book on every market", lambda: books_alive(server))
        learner = server.user("learner")
        status, answer = learner.post("/api/v1/sandbox/faucet")
        assert status == 200, answer
        given = {row["asset"]: row["amount"] for row in answer["given"]}
        assert (given["KGLD"], given["KRE1"], given["KCO2"]) == ("50.0000", "100", "10"), given
        assert learner.balance("KRE1") == ("100", "0")
        assert learner.balance("KSLV") == ("1000.0000", "0.0000")
        wait_for("the rent", rent_sent(data_dir, 1))

    first = Replayed(data_dir)
    engine = first.engine
    key = load_pem_private_key((data_dir / ATTESTOR_KEY_FILE).read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    registered = {(e.issuer, e.key_id): e.public_key for e in first.events(AttestorRegistered)}
    terms = {t.asset: t for t in engine.rwa_terms()}
    reserves = {row[0]: row for row in engine.rwa_reserves()}
    supplies = engine.rwa_supplies()
    attested = {e.attestation.statement.asset: e.attestation for e in first.events(ReserveAttested)}
    for token in DEMO_TOKENS:
        asset = engine.assets.get(token.code)
        assert asset is not None and asset.kind is AssetKind.RWA_TOKEN, token.code
        assert asset.issuer == DEMO_ISSUERS[token.code] == terms[token.code].issuer
        (document,) = terms[token.code].documents
        assert document.sha256 == hashlib.sha256(document_text(token).encode()).hexdigest()
        attestation = attested[token.code]
        public_key = registered[(token.issuer, attestation.statement.attestor)]
        assert public_key == public_key_hex(key)
        assert signature_is_valid(attestation, public_key), token.code
        _, units, used, *_ = reserves[token.code]
        assert used == 0 and units == attestation.statement.total_units
        assert 0 < supplies[token.code] <= units, token.code
    assert not any(engine.ledger_totals().values())  # the ledger sums to zero per asset
    gold_bars = attested["KGLD"].statement.lots
    assert len(gold_bars) == 1_100 and all(bar.fineness == 9999 for bar in gold_bars)
    assert {bar.units for bar in gold_bars} == {terms["KGLD"].redemption.physical_lot}

    # The faucet's tokens came from their issuers, as allocations from the treasury.
    to_learner = [e for e in first.events(RwaTransferred) if e.target == learner.user_id]
    assert {e.asset for e in to_learner} == {token.code for token in DEMO_TOKENS}
    assert all(e.source == e.issuer == DEMO_ISSUERS[e.asset] for e in to_learner)

    # This month's rent, paid once: 20 won a share held outside the issuer's treasury then,
    # the makers' shares among them.
    (rent,) = first.events(DistributionPaid)
    month = rent_month(int(time.time() * 1000))
    assert (rent.asset, rent.pay_asset, rent.ref) == ("KRE1", "KRW", f"rent-KRE1-{month}")
    assert {DEMO_MARKET_MAKER, DEMO_TAKER} <= {account for account, _ in rent.payouts}
    assert rent.amount == int(RENT_PER_SHARE) * first.shares_out[rent.ref] > 0
    assert sum(paid for _, paid in rent.payouts) + rent.remainder == rent.amount

    with ExchangeServer(data_dir, "--demo", "--no-chain") as server:
        wait_for("the rent's second look", rent_sent(data_dir, 2))
        status, answer = server.request("GET", "/api/v3/depth?symbol=KRE1KRW&limit=5")
        assert status == 200 and answer["asks"], answer

    again = Replayed(data_dir)
    assert again.events(DistributionPaid) == [rent]  # paid once
    assert len(again.events(ReserveAttested)) == len(DEMO_TOKENS)  # not attested again
    assert again.engine.rwa_reserves() == engine.rwa_reserves()


def test_the_faucet_stops_with_a_clear_error_when_a_reserve_is_used_up(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--demo", "--no-chain") as server:
        wait_for("living book on every market", lambda: books_alive(server))
        holder = server.user("holder")

        # The operator's deposits take the rest of the carbon credits' reserve: each one
        # that would pass it is refused (-7065), so halving finds exactly what is left.
        def deposit(amount: int) -> tuple[int, Any]:
            return admin_post(server, "/api/v1/admin/deposits", user_id=holder.user_id,
                              asset="KCO2", amount=str(amount))  # fmt: skip

        amount = 2**17
        while amount >= 1:
            status, answer = deposit(amount)
            if status != 200:
                assert answer["code"] == -7065, answer
                amount //= 2
        status, answer = deposit(1)
        assert (status, answer["code"]) == (400, -7065), answer

        learner = server.user("learner")
        status, answer = learner.post("/api/v1/sandbox/faucet")
        assert (status, answer["code"]) == (400, -7065), answer
        assert "KCO2" in answer["msg"], answer
        assert learner.balance("KRW") == ("0", "0")  # nothing of the grant was given
        assert learner.balance("KGLD") == ("0.0000", "0.0000")


def old_listing(path: Path) -> Path:
    """The demo listing as it was before the demo issuers: every asset a plain coin."""
    old = [(code, precision) for code, precision in DEMO_ASSETS if code not in ("KRE1", "KCO2")]
    lines: list[str] = []
    for code, precision in old:
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}", ""]
    for market in DEMO_MARKETS:
        if market["base"] in dict(old):
            lines.append("[[markets]]")
            lines += [f'{name} = "{value}"' for name, value in market.items()]
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_data_directory_from_before_keeps_its_coins(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--no-chain", "--config", str(old_listing(tmp_path / "l.toml"))):
        pass
    with ExchangeServer(data_dir, "--no-chain") as server:  # now on the demo listings
        holder = server.user("holder", KGLD="1000000")  # a coin: no reserve to stay within
        assert holder.balance("KGLD") == ("1000000.0000", "0.0000")
    log = server.log_path.read_text()
    assert log.count("left as they are") == 1, log

    replayed = Replayed(data_dir)
    gold = replayed.engine.assets.get("KGLD")
    assert gold is not None and gold.kind is AssetKind.COIN
    terms = {t.asset for t in replayed.engine.rwa_terms()}
    assert terms == {"KRE1", "KCO2"}  # the new tokens have their issuers
