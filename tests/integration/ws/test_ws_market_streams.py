"""Market streams (`/ws`, `/stream`) against a real server process: Binance's subscribe
protocol, trade / aggTrade / bookTicker messages for a trade, and a diff-depth stream that a
client keeps in sync with the REST snapshot under a flow of orders (docs/binance-api.md,
"Depth")."""

import asyncio
import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from ws_support import ExchangeServer, WsApi, cross, hmac_signed, ws_url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("streams") / "data") as running:
        yield running


async def _ask(connection: Any, message: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(0.2)  # Binance allows 5 messages a second per connection
    await connection.send(json.dumps(message))
    while True:
        answer = json.loads(await asyncio.wait_for(connection.recv(), 5))
        if "id" in answer:
            return answer  # type: ignore[no-any-return]


def test_subscribe_protocol(server: ExchangeServer) -> None:
    async def scenario() -> None:
        async with websockets.connect(ws_url(server, "/ws/0")) as ws:
            names = ["kgldkrw@depth@100ms", "kgldkrw@trade", "!miniTicker@arr"]
            ack = await _ask(ws, {"method": "SUBSCRIBE", "params": names, "id": 1})
            assert ack == {"result": None, "id": 1}
            listed = await _ask(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 2})
            assert listed == {"result": names, "id": 2}
            gone = await _ask(ws, {"method": "UNSUBSCRIBE", "params": ["kgldkrw@trade"], "id": 3})
            assert gone == {"result": None, "id": 3}
            listed = await _ask(ws, {"method": "LIST_SUBSCRIPTIONS", "id": "4"})
            assert listed["result"] == [names[0], names[2]] and listed["id"] == "4"
            combined = {"method": "SET_PROPERTY", "params": ["combined", True], "id": 5}
            assert await _ask(ws, combined) == {"result": None, "id": 5}
            asked = await _ask(ws, {"method": "GET_PROPERTY", "params": ["combined"], "id": 6})
            assert asked == {"result": True, "id": 6}
            bad = await _ask(ws, {"method": "SUBSCRIBE", "params": ["nope@trade"], "id": 7})
            assert bad["error"]["code"] == 2 and bad["id"] == 7
            bad = await _ask(ws, {"method": "SUBSCRIBE", "params": ["kgldkrw@kline_7m"], "id": 8})
            assert bad["error"]["code"] == 2
            unknown = await _ask(ws, {"method": "GET_PROPERTY", "params": ["colour"], "id": 10})
            assert unknown["error"]["code"] == 0
            await asyncio.sleep(0.2)
            await ws.send("{not json")
            invalid = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert invalid["error"]["code"] == 3 and invalid["id"] is None

        async with websockets.connect(ws_url(server, "/ws/kgldkrw@aggTrade")) as ws:
            listed = await _ask(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 1})
            assert listed["result"] == ["kgldkrw@aggTrade"]
        url = ws_url(server, "/stream?streams=kgldkrw@trade/btckrw@depth5")
        async with websockets.connect(url) as ws:
            listed = await _ask(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 1})
            assert listed["result"] == ["kgldkrw@trade", "btckrw@depth5"]
            combined = await _ask(ws, {"method": "GET_PROPERTY", "params": ["combined"], "id": 2})
            assert combined["result"] is True

    asyncio.run(scenario())


def test_more_than_five_messages_a_second_drops_the_connection(server: ExchangeServer) -> None:
    async def scenario() -> None:
        async with websockets.connect(ws_url(server, "/ws/0")) as ws:
            for n in range(8):
                await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": n}))
            answers = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            assert len(answers) == 5
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008

    asyncio.run(scenario())


def test_a_trade_reaches_trade_agg_trade_and_book_ticker_streams(server: ExchangeServer) -> None:
    seller = server.user("stream-seller", KOIL="10")
    buyer = server.user("stream-buyer", KRW="10000000")
    names = ["koilkrw@trade", "koilkrw@aggTrade", "koilkrw@bookTicker", "koilkrw@depth5@100ms"]

    async def scenario() -> None:
        url = ws_url(server, "/stream?streams=" + "/".join(names))
        async with websockets.connect(url) as ws:
            await asyncio.sleep(0.2)
            cross(seller, buyer, "KOILKRW", price="100000", sell="2", buy="0.5")
            seen: dict[str, list[dict[str, Any]]] = {}

            def book_shows_the_rest() -> bool:
                return any(
                    [(p, float(q)) for p, q in m["data"]["asks"]] == [("100000", 1.5)]
                    for m in seen.get(names[3], [])
                )

            async def until_all_seen() -> None:
                while not (set(names) <= set(seen) and book_shows_the_rest()):
                    message = json.loads(await ws.recv())
                    seen.setdefault(message["stream"], []).append(message)

            await asyncio.wait_for(until_all_seen(), 5)
            trade = seen["koilkrw@trade"][0]["data"]
            assert (trade["e"], trade["s"], trade["p"], float(trade["q"]), trade["m"]) == (
                "trade", "KOILKRW", "100000", 0.5, False,
            )  # fmt: skip
            agg = seen["koilkrw@aggTrade"][0]["data"]
            assert (agg["e"], agg["p"], agg["q"], agg["f"], agg["l"]) == (
                "aggTrade", "100000", trade["q"], trade["t"], trade["t"],
            )  # fmt: skip
            top = seen["koilkrw@bookTicker"][-1]["data"]
            assert (top["a"], float(top["A"]), top["s"]) == ("100000", 1.5, "KOILKRW")

    asyncio.run(scenario())


def _apply(book: dict[str, dict[str, str]], event: dict[str, Any]) -> None:
    for side, key in (("bids", "b"), ("asks", "a")):
        for price, quantity in event[key]:
            if float(quantity) == 0:
                book[side].pop(price, None)
            else:
                book[side][price] = quantity


def _book(snapshot: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {side: dict(map(tuple, snapshot[side])) for side in ("bids", "asks")}


def test_diff_depth_stays_in_sync_with_rest_snapshots(server: ExchangeServer) -> None:
    # Eight accounts keep each under Binance's 100 orders per 10 s.
    makers = [server.user(f"depth-{n}", KCU="100000", KRW="100000000") for n in range(8)]
    rng = random.Random(7)

    def snapshot() -> dict[str, Any]:
        status, book = server.request("GET", "/api/v3/depth?symbol=KCUKRW&limit=1000")
        assert status == 200
        return book  # type: ignore[no-any-return]

    async def flow(api: WsApi) -> None:
        open_ids: list[tuple[int, int]] = []
        for _ in range(15):
            requests = []
            for _ in range(40):
                who = rng.randrange(len(makers))
                if open_ids and rng.random() < 0.3:
                    owner, order_id = open_ids.pop(rng.randrange(len(open_ids)))
                    params = {"symbol": "KCUKRW", "orderId": order_id}
                    requests.append(("order.cancel", owner, hmac_signed(makers[owner], params)))
                    continue
                side = rng.choice(["BUY", "SELL"])
                price = rng.randrange(9900, 10100)
                params = {"symbol": "KCUKRW", "side": side, "type": "LIMIT", "timeInForce": "GTC",
                          "quantity": str(rng.randrange(1, 5)), "price": str(price)}  # fmt: skip
                requests.append(("order.place", who, hmac_signed(makers[who], params)))
            answers = await asyncio.gather(*(api.request(m, p) for m, _, p in requests))
            for (method, who, _), answer in zip(requests, answers, strict=True):
                assert answer["status"] == 200 or method == "order.cancel", answer
                if method == "order.place" and answer["result"]["status"] in (
                    "NEW",
                    "PARTIALLY_FILLED",
                ):
                    open_ids.append((who, answer["result"]["orderId"]))
            await asyncio.sleep(0.12)

    async def scenario() -> None:
        events: list[dict[str, Any]] = []
        snapshots: list[dict[str, Any]] = []
        async with websockets.connect(ws_url(server, "/ws/1")) as ws:
            ack = await _ask(ws, {"method": "SUBSCRIBE", "params": ["kcukrw@depth@100ms"],
                                  "id": 1})  # fmt: skip
            assert ack == {"result": None, "id": 1}

            async def read() -> None:
                async for text in ws:
                    events.append(json.loads(text))

            reader = asyncio.get_running_loop().create_task(read())
            api = await WsApi.open(server)
            trading = asyncio.get_running_loop().create_task(flow(api))
            while not trading.done():
                snapshots.append(await asyncio.to_thread(snapshot))
                await asyncio.sleep(0.07)
            await trading
            await api.close()
            await asyncio.sleep(0.5)
            final = await asyncio.to_thread(snapshot)
            reader.cancel()
        assert len(events) > 10 and len(snapshots) > 5
        assert all(e["e"] == "depthUpdate" and e["s"] == "KCUKRW" for e in events)
        for earlier, later in itertools.pairwise(events):
            assert later["U"] == earlier["u"] + 1  # contiguous: ccxt's rule after the first
        assert final["lastUpdateId"] == events[-1]["u"]
        for taken in snapshots:
            last_id = taken["lastUpdateId"]
            kept = [e for e in events if e["u"] > last_id]
            if not kept:
                continue
            # python-binance: the first event after the snapshot starts right after it;
            # ccxt: U - 1 <= nonce <= u - 1 (implied).
            assert kept[0]["U"] == last_id + 1
            book = _book(taken)
            for event in kept:
                _apply(book, event)
            assert book == _book(final)

    asyncio.run(scenario())
