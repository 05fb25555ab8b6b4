"""Small balances converted to KRW over real HTTP, on Binance's wallet endpoints: what can be
converted and for how much, the conversion (all or none), and clear refusals that change
nothing."""

import pytest
from exchange_server import ExchangeServer, Trader

QUERY = "/sapi/v1/asset/dust-convert/query-convertible-assets"
CONVERT = "/sapi/v1/asset/dust-convert/convert"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ExchangeServer:
    with ExchangeServer(tmp_path_factory.mktemp("dust") / "data") as running:
        # A trade at 130,000 KRW: the last price, and 130 KRW of fees (65 KRW from each side,
        # both in KRW on a won market) for the fee account to buy small balances with.
        alice = running.user("dust-alice", KGLD="1")
        bob = running.user("dust-bob", KRW="1000000")
        alice.post("/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
                   timeInForce="GTC", quantity="1", price="130000")  # fmt: skip
        status, bought = bob.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="MARKET", quantity="1"
        )
        assert status == 200 and bought["status"] == "FILLED", bought
        yield running


def holder(server: ExchangeServer, name: str, **funds: str) -> Trader:
    return server.user(name, **funds)


def test_a_small_balance_is_offered_and_converted_to_krw(server: ExchangeServer) -> None:
    carol = holder(server, "dust-carol", KGLD="0.0005", KSLV="2")
    status, offer = carol.post(QUERY, targetAsset="KRW")
    assert status == 200, offer
    # 0.0005 KGLD is worth 65 KRW, under the 5,000 KRW minimum order; 2 % of it (1.3,
    # rounded up) stays with the exchange. KSLV never traded: no price, not offered.
    assert offer["details"] == [
        {"asset": "KGLD", "assetFullName": "KGLD", "amountFree": "0.0005", "exchange": "2",
         "toQuotaAssetAmount": "65", "toTargetAssetAmount": "65",
         "toTargetAssetOffExchange": "63"}
    ]  # fmt: skip
    assert offer["dribbletPercentage"] == "0.0200"
    assert offer["totalTransferTargetAssetAmount"] == "65"

    status, done = carol.post(CONVERT, asset="KGLD", targetAsset="KRW")
    assert status == 200, done
    assert (done["totalTransfered"], done["totalServiceCharge"]) == ("63", "2")
    (result,) = done["transferResult"]
    assert (result["fromAsset"], result["amount"], result["transferedAmount"]) == (
        "KGLD", "0.0005", "63",
    )  # fmt: skip
    assert isinstance(result["tranId"], int) and isinstance(result["operateTime"], int)
    assert carol.balance("KGLD") == ("0.0000", "0.0000")
    assert carol.balance("KRW") == ("63", "0")
    status, offer = carol.post(QUERY, targetAsset="KRW")
    assert status == 200 and offer["details"] == []
    # The conversion is on record (the SQL read model), as Binance's dribblet log shows it.
    status, log = carol.get("/sapi/v1/asset/dribblet")
    assert status == 200, log
    assert log["total"] == 1
    (entry,) = log["userAssetDribblets"]
    assert (entry["transId"], entry["operateTime"]) == (result["tranId"], result["operateTime"])
    assert (entry["totalTransferedAmount"], entry["totalServiceChargeAmount"]) == ("63", "2")
    assert entry["userAssetDribbletDetails"] == [
        {"transId": result["tranId"], "serviceChargeAmount": "2", "amount": "0.0005",
         "operateTime": result["operateTime"], "transferedAmount": "63", "fromAsset": "KGLD"}
    ]  # fmt: skip
    status, later = carol.get("/sapi/v1/asset/dribblet", startTime=result["operateTime"] + 1)
    assert status == 200 and later == {"total": 0, "userAssetDribblets": []}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"asset": "KGLD,KSLV"}, 400, -7009),  # KSLV has no price: the gold stays too
        ({"asset": "KRW"}, 400, -1130),  # the target itself
        ({"asset": "KGLD,KGLD"}, 400, -1130),
        ({"asset": "NOPE"}, 400, -1130),
        ({"asset": ""}, 400, -1102),
        ({"asset": "KGLD", "targetAsset": "WON"}, 400, -1130),
    ],
)
def test_a_conversion_that_cannot_be_done_is_refused_and_changes_nothing(
    server: ExchangeServer, params: dict[str, str], status: int, code: int
) -> None:
    dave = holder(server, f"dust-dave-{code}-{len(params)}-{params['asset'][:4]}",
                  KGLD="0.0005", KSLV="2")  # fmt: skip
    answer_status, answer = dave.post(CONVERT, **params)
    assert (answer_status, answer["code"]) == (status, code), answer
    assert set(answer) == {"code", "msg"}
    assert dave.balance("KGLD") == ("0.0005", "0.0000")
    assert dave.balance("KRW") == ("0", "0")


def test_a_balance_worth_an_order_is_not_small(server: ExchangeServer) -> None:
    erin = holder(server, "dust-erin", KGLD="0.5")
    status, answer = erin.post(CONVERT, asset="KGLD")
    assert (status, answer["code"]) == (400, -7008), answer
    assert "order of its own" in answer["msg"]
    assert erin.balance("KGLD") == ("0.5000", "0.0000")
