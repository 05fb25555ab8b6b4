"""The sandbox (`assetport serve --demo`): a living book at once, and test funds."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from exchange_server import ExchangeServer


def test_demo_market_makers_quote_every_market(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--demo") as server:
        deadline = time.monotonic() + 20
        books: dict[str, dict[str, list[list[str]]]] = {}
        while time.monotonic() < deadline:
            status, info = server.request("GET", "/api/v3/exchangeInfo")
            assert status == 200
            books = {
                s["symbol"]: server.request("GET", f"/api/v3/depth?symbol={s['symbol']}")[1]
                for s in info["symbols"]
            }
            if all(book["bids"] and book["asks"] for book in books.values()):
                break
            time.sleep(0.5)
        for symbol, book in books.items():
            assert book["bids"] and book["asks"], f"{symbol} has no living book: {book}"
            assert float(book["bids"][0][0]) < float(book["asks"][0][0]), symbol
        gold = books["KGLDKRW"]
        assert 100_000 < float(gold["bids"][0][0]) < 160_000  # around 130,000 KRW a gram


def test_the_faucet_gives_test_funds_once_an_hour(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--demo") as server:
        learner = server.user("learner")
        status, answer = learner.post("/api/v1/sandbox/faucet")
        assert status == 200, answer
        given = {row["asset"]: row["amount"] for row in answer["given"]}
        assert given["KRW"] == "10000000"
        assert learner.balance("KRW") == ("10000000", "0")
        status, answer = learner.post("/api/v1/sandbox/faucet")
        assert (status, answer["code"]) == (429, -7005)
        assert learner.balance("KRW") == ("10000000", "0")


def test_there_is_no_faucet_outside_the_sandbox(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        learner = server.user("learner")
        status, answer = learner.post("/api/v1/sandbox/faucet")
        assert status == 404, answer
