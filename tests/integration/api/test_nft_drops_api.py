"""Primary sales over real HTTP, against a real server: a label's fixed-price drop sold to its
cap; a mystery-box sale whose seed the server keeps secret (only the commitment is public),
reveals by itself once the window closes, opens every box into a unit of the published pool,
and which anyone re-derives, through the verify endpoint and with `assetport nft
verify-drop` from outside; a subscription draw whose winners pay and the rest get their money
back. Bad input answers a clear code and moves nothing."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader

LISTING = """
[[assets]]
code = "KRW"
precision = 0
kind = "fiat"
"""
NFT = "/api/v1/nft"
CLI = Path(sys.executable).with_name("assetport")


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def refused(answer: tuple[int, Any], code: int) -> None:
    assert answer[0] in (400, 409) and answer[1]["code"] == code, answer


def now_ms() -> int:
    return int(time.time() * 1000)


def public(server: ExchangeServer, path: str) -> tuple[int, Any]:
    return server.request("GET", path)


def wait_for(server: ExchangeServer, drop_id: int, status: str) -> dict[str, Any]:
    """The drop's record once it has the status (the server's timer reveals within a
    second of the end): waiting, not timing."""
    deadline = time.monotonic() + 30
    while True:
        drop: dict[str, Any] = ok(public(server, f"{NFT}/drops/{drop_id}"))
        if drop["status"] == status or time.monotonic() > deadline:
            return drop
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    root: Path = tmp_path_factory.mktemp("nft-drops")
    listing = root / "listing.toml"
    listing.write_text(LISTING)
    with ExchangeServer(root / "data", "--config", str(listing)) as running:
        yield running


def label_with_cards(server: ExchangeServer, name: str, cards: int) -> Trader:
    """A creator with a collection `<name>-cards` of `cards` cards."""
    label = server.user(name)
    code = f"{name}-cards"
    ok(label.post(f"{NFT}/collections", code=code, name="Cards", standard="erc721",
                  currency="KRW", royaltyBps=500))  # fmt: skip
    items = [{"tokenId": i, "name": f"Card {i}"} for i in range(1, cards + 1)]
    ok(label.post(f"{NFT}/collections/{code}/mint", items=json.dumps(items)))
    return label


def drop(label: Trader, code: str, kind: str, lots: list[tuple[int, int]], window_s: float,
         **params: Any) -> dict[str, Any]:  # fmt: skip
    start = now_ms() + 1500
    return dict(ok(label.post(
        f"{NFT}/drops", collection=code, kind=kind, price="10000",
        startAt=start, endAt=start + int(window_s * 1000),
        lots=json.dumps([{"tokenId": t, "units": u} for t, u in lots]), **params,
    )))  # fmt: skip


def test_a_fixed_price_drop_sells_to_its_cap(server: ExchangeServer) -> None:
    label = label_with_cards(server, "fixedlabel", 3)
    fan = server.user("fan", KRW="100000")
    created = drop(label, "fixedlabel-cards", "fixed", [(1, 1), (2, 1), (3, 1)], 60, perAccount=2)
    assert (created["status"], created["commitment"], created["left"]) == ("upcoming", None, 3)
    time.sleep(max(0, created["startTime"] / 1000 - time.time()) + 0.1)
    bought = ok(fan.post(f"{NFT}/drops/buy", dropId=created["dropId"], quantity=2))
    assert bought["paid"] == "20000" and bought["items"] == [
        {"tokenId": 1, "quantity": 1}, {"tokenId": 2, "quantity": 1}
    ]  # fmt: skip
    # The creator got the price less the 1 % fee: a primary sale pays no royalty.
    assert label.balance("KRW") == ("19800", "0")
    refused(fan.post(f"{NFT}/drops/buy", dropId=created["dropId"]), -7137)  # past the cap
    refused(label.post(f"{NFT}/drops/buy", dropId=created["dropId"]), -7122)  # its own
    assert fan.balance("KRW") == ("80000", "0")


def test_mystery_boxes_reveal_by_themselves_and_anyone_re_derives_them(
    server: ExchangeServer,
) -> None:
    label = label_with_cards(server, "boxlabel", 6)
    alice = server.user("alice", KRW="100000")
    bob = server.user("bob", KRW="100000")
    created = drop(label, "boxlabel-cards", "box", [(i, 1) for i in range(1, 7)], 4)
    drop_id = created["dropId"]
    assert len(created["commitment"]) == 64 and created["seed"] is None
    # The seed is the server's secret: not in the journal, not in the record.
    journal = b"".join(p.read_bytes() for p in (server.data_dir).rglob("*") if p.is_file()
                       and "seed" not in p.parent.name)  # fmt: skip
    time.sleep(max(0, created["startTime"] / 1000 - time.time()) + 0.1)
    ok(alice.post(f"{NFT}/drops/buy", dropId=drop_id, quantity=2))
    ok(bob.post(f"{NFT}/drops/buy", dropId=drop_id, quantity=1))
    assert alice.balance("KRW") == ("80000", "20000")  # held until the reveal
    ended = wait_for(server, drop_id, "ended")
    assert ended["seed"] is not None and ended["seed"].encode() not in journal
    assert [b["serial"] for b in ended["boxes"]] == [1, 2, 3]
    assert [b["account"] for b in ended["boxes"]] == [alice.user_id, alice.user_id, bob.user_id]
    assert {b["tokenId"] for b in ended["boxes"]} <= set(range(1, 7))
    assert alice.balance("KRW") == ("80000", "0")  # paid from the hold
    mine = ok(alice.get(f"{NFT}/my/items"))
    assert sorted(i["tokenId"] for i in mine) == sorted(
        b["tokenId"] for b in ended["boxes"] if b["account"] == alice.user_id
    )
    verified = ok(public(server, f"{NFT}/drops/{drop_id}/verify"))
    assert verified["seedOpensCommitment"] and verified["matches"]
    command = [str(CLI), "nft", "verify-drop", "--url", server.base_url, "--drop", str(drop_id)]
    cli = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "everything matches" in cli.stdout and "the seed opens it" in cli.stdout
    # The pool held 6 units; 3 boxes took 3 and the rest went back to the label.
    assert ended["left"] == 3 and ended["endReason"] == "sold"
    assert len(ok(label.get(f"{NFT}/my/items"))) == 3


def test_a_draw_charges_its_winners_and_gives_the_rest_back(server: ExchangeServer) -> None:
    label = label_with_cards(server, "drawlabel", 2)
    fans = [server.user(f"drawfan{i}", KRW="50000") for i in range(3)]
    created = drop(label, "drawlabel-cards", "draw", [(1, 1), (2, 1)], 4, perAccount=3)
    time.sleep(max(0, created["startTime"] / 1000 - time.time()) + 0.1)
    for fan in fans:
        ok(fan.post(f"{NFT}/drops/buy", dropId=created["dropId"], quantity=3))
    refused(fans[0].post(f"{NFT}/drops/buy", dropId=created["dropId"]), -7137)  # the cap
    ended = wait_for(server, created["dropId"], "ended")
    won = {w["account"]: w["units"] for w in ended["won"]}
    assert sum(won.values()) == 2
    for fan in fans:
        assert fan.balance("KRW") == (str(50000 - 10000 * won.get(fan.user_id, 0)), "0")
    assert ok(public(server, f"{NFT}/drops/{created['dropId']}/verify"))["matches"]


def test_bad_drops_are_refused_and_move_nothing(server: ExchangeServer) -> None:
    label = label_with_cards(server, "badlabel", 2)
    stranger = server.user("stranger")
    lots = json.dumps([{"tokenId": 1, "units": 1}])
    base = {"collection": "badlabel-cards", "price": "100", "endAt": now_ms() + 60_000}
    refused(stranger.post(f"{NFT}/drops", kind="fixed", lots=lots, **base), -7113)
    refused(label.post(f"{NFT}/drops", kind="lottery", lots=lots, **base), -1130)
    refused(label.post(f"{NFT}/drops", kind="box", lots="[{]", **base), -1130)
    over = json.dumps([{"tokenId": 1, "units": 2}])  # more than it holds
    refused(label.post(f"{NFT}/drops", kind="fixed", lots=over, **base), -7117)
    past = {**base, "endAt": now_ms() - 1000}
    refused(label.post(f"{NFT}/drops", kind="fixed", lots=lots, **past), -7118)
    assert ok(public(server, f"{NFT}/drops?collection=badlabel-cards")) == []
    status, body = public(server, f"{NFT}/drops/99999")
    assert (status, body["code"]) == (404, -7130)
