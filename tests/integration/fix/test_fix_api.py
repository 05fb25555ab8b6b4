"""The FIX API against a real server: an order entry session (Ed25519 logon, orders,
cancels, cancel-replace, mass cancel, fills against another account's REST order, limits),
a drop copy session that sees orders placed over REST, refused logons, and the session
layer's timers, as a FIX client sees them."""

import socket
import time
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fix_support import Ed25519User, FixClient, Ports, Received, ed25519_user


def limit(client_id: str, side: str, quantity: str, price: str) -> list[tuple[int, Any]]:
    return [(11, client_id), (38, quantity), (40, 2), (44, price),
            (54, 1 if side == "BUY" else 2), (55, "KGLDKRW"), (59, 1)]  # fmt: skip


def report(client: FixClient) -> Received:
    return client.until("8")


def test_logon_heartbeats_sequence_and_logout(fix: Ports) -> None:
    user = ed25519_user(fix.server, "fix-session", KRW="100000")
    with FixClient(fix.order_entry) as client:
        logon = client.logon(user, heartbeat=30)
        assert (logon.msg_type, logon[49], logon[56], logon[108]) == (
            "A",
            "SPOT",
            client.sender,
            "30",
        )
        assert logon[34] == "1" and logon.get(25037)
        client.send("1", [(112, "ping-1")])
        heartbeat = client.receive()
        assert (heartbeat.msg_type, heartbeat[112], heartbeat[34]) == ("0", "ping-1", "2")
        # A gap is rejected (Binance does not resend) and does not use up a number.
        client.send("0", [], seq=client.seq + 5)
        gap = client.receive()
        assert (gap.msg_type, gap[25016], gap[45]) == ("3", "-1179", str(client.seq + 5))
        assert gap[58] == f"MsgSeqNum(34) contains an unexpected value. Expected: '{client.seq}'."
        client.send("A", [(98, 0), (108, 30)])
        again = client.receive()
        assert (again.msg_type, again[25016], again[58]) == (
            "3", "-1176", "Logon<A> should only be sent once.",
        )  # fmt: skip
        client.send("Z", [(1, "x")])
        assert client.receive()[25016] == "-1020"
        client.send("0", [(999, "x")])
        undefined = client.receive()
        assert (undefined[25016], undefined[371]) == ("-1170", "999")
        client.send("5", [])
        assert [(m.msg_type, m.get(58)) for m in client.rest()] == [("5", "Logout acknowledgment.")]


def test_orders_fills_cancels_and_mass_cancel(fix: Ports) -> None:
    alice = ed25519_user(fix.server, "fix-alice", KRW="1000000")
    bob = fix.server.user("fix-bob", KGLD="10")
    with FixClient(fix.order_entry) as client:
        client.logon(alice)
        client.send("D", limit("buy-1", "BUY", "2", "90000"))
        new = report(client)
        assert (new[150], new[39], new[11], new[38], new[44], new[14], new[151]) == (
            "0", "0", "buy-1", "2.0000", "90000", "0.0000", "2.0000",
        )  # fmt: skip
        assert (new[40], new[54], new[59], new[636]) == ("2", "1", "1", "Y")
        order_id = new[37]
        # Another account sells into it over REST: the FIX session sees the trade.
        status, sold = bob.post("/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
                                timeInForce="GTC", quantity="0.5", price="90000")  # fmt: skip
        assert status == 200, sold
        trade = report(client)
        assert (trade[150], trade[39], trade[37], trade[31], trade[32]) == (
            "F", "1", order_id, "90000", "0.5000",
        )  # fmt: skip
        assert (trade[14], trade[151], trade[25017], trade[1057]) == (
            "0.5000", "1.5000", "45000", "N",
        )  # fmt: skip
        assert (trade[136], trade[138], trade[139]) == ("1", "KGLD", "4")
        assert trade.get(1003) is not None and trade.get(137) is not None
        # Cancel by the order's ClOrdID: the report names the cancel and the order.
        client.send("F", [(11, "cxl-1"), (41, "buy-1"), (55, "KGLDKRW")])
        canceled = report(client)
        assert (canceled[150], canceled[39], canceled[11], canceled[41]) == (
            "4", "4", "cxl-1", "buy-1",
        )  # fmt: skip
        assert canceled[14] == "0.5000" and canceled[151] == "0"
        # A bad cancel: OrderCancelReject with Binance's code and text.
        client.send("F", [(11, "cxl-2"), (37, order_id), (55, "KGLDKRW")])
        rejected = client.until("9")
        assert (rejected[11], rejected[37], rejected[434], rejected[25016], rejected[58]) == (
            "cxl-2", order_id, "1", "-2011", "Unknown order sent.",
        )  # fmt: skip
        client.send("F", [(11, "cxl-3"), (55, "KGLDKRW")])
        neither = client.until("9")
        assert neither[25016] == "-1102" and "OrderID (37)" in neither[58]
        # Cancel-replace: the old order canceled, the new one placed.
        client.send("D", limit("rest-1", "BUY", "1", "80000"))
        assert report(client)[150] == "0"
        client.send("XCN", [(25033, 1), (41, "rest-1"), (25034, "cxl-4"),
                            *limit("rest-2", "BUY", "1", "81000")])  # fmt: skip
        replaced = [report(client), report(client)]
        assert [(r[150], r[11]) for r in replaced] == [("4", "cxl-4"), ("0", "rest-2")]
        assert replaced[0][41] == "rest-1" and replaced[1][44] == "81000"
        # Mass cancel: every open order of the symbol, then the report with the count.
        client.send("D", limit("rest-3", "BUY", "1", "70000"))
        assert report(client)[150] == "0"
        client.send("q", [(11, "mass-1"), (55, "KGLDKRW"), (530, 1)])
        answers = [client.receive() for _ in range(3)]
        assert sorted((m.msg_type, m.get(11)) for m in answers) == [
            ("8", "rest-2"), ("8", "rest-3"), ("r", "mass-1"),
        ]  # fmt: skip
        mass = next(m for m in answers if m.msg_type == "r")
        assert (mass[531], mass[533], mass[530], mass[55]) == ("1", "2", "1", "KGLDKRW")
        client.send("q", [(11, "mass-2"), (55, "KGLDKRW"), (530, 1)])
        none = client.until("r")
        assert (none[531], none[532], none[25016]) == ("0", "99", "-2011")


def test_market_orders_stops_and_refusals(fix: Ports) -> None:
    carol = ed25519_user(fix.server, "fix-carol", KRW="500000")
    dave = fix.server.user("fix-dave", KGLD="10")
    status, _ = dave.post("/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT",
                          timeInForce="GTC", quantity="5", price="100000")  # fmt: skip
    assert status == 200
    with FixClient(fix.order_entry) as client:
        client.logon(carol)
        # A market buy for an amount of won (CashOrderQty): 1 KGLD for 100,000.
        client.send("D", [(11, "mkt-1"), (40, 1), (54, 1), (55, "KGLDKRW"), (152, "100000")])
        messages = [report(client), report(client)]
        assert [m[150] for m in messages] == ["0", "F"]
        fill = messages[1]
        assert (fill[39], fill[32], fill[31], fill[152]) == ("2", "1.0000", "100000", "100000")
        assert fill.get(38) is None and fill.get(59) is None
        # A buy stop loss (triggers as the price goes up) and a limit maker.
        client.send("D", [(11, "stop-1"), (38, "1"), (40, 4), (44, "130000"), (54, 1),
                          (55, "KGLDKRW"), (59, 1), (1100, 4), (1101, 1), (1102, "120000"),
                          (1107, 2), (1109, "U")])  # fmt: skip
        stop = report(client)
        assert (stop[150], stop[40], stop[1102], stop[1109], stop.get(636)) == (
            "0", "4", "120000", "U", None,
        )  # fmt: skip
        client.send("D", [*limit("maker-1", "BUY", "1", "90000"), (18, 6), (25001, 4)])
        maker = report(client)
        assert (maker[150], maker[40], maker[18], maker[25001]) == ("0", "2", "6", "4")
        client.send("D", [*limit("maker-2", "BUY", "1", "100000"), (18, 6)])
        takes = report(client)
        assert (takes[150], takes[39], takes[11], takes[25016], takes[58]) == (
            "8", "8", "maker-2", "-2010", "Order would immediately match and take.",
        )  # fmt: skip
        # An IOC order that finds nothing to take expires.
        client.send("D", [*limit("ioc-1", "BUY", "1", "90000")[:-1], (59, 3)])
        assert [(m[150], m[39]) for m in (report(client), report(client))] == [
            ("0", "0"), ("C", "C"),
        ]  # fmt: skip
        client.send("D", limit("poor-1", "BUY", "100", "90000"))
        poor = report(client)
        assert (poor[150], poor[25016], poor[58]) == (
            "8", "-2010", "Account has insufficient balance for requested action.",
        )  # fmt: skip
        # What cannot be read is a Reject<3>, with the tag named.
        client.send("D", [(11, "bad-1"), (38, "1"), (40, 2), (54, 1), (55, "NOPE"), (59, 1)])
        unknown = client.until("3")
        assert (unknown[25016], unknown[58], unknown[372]) == ("-1121", "Invalid symbol.", "D")
        client.send("D", [(11, "bad-2"), (38, "1"), (40, 2), (54, 1), (55, "KGLDKRW"), (59, 1)])
        no_price = client.until("3")
        assert no_price[25016] == "-1102" and "'Price (44)'" in no_price[58]
        client.send("D", [(11, "bad 3"), (38, "1"), (40, 1), (54, 1), (55, "KGLDKRW")])
        assert client.until("3")[25016] == "-1100"
        client.send("XLQ", [(6136, "limits-1")])
        limits = client.until("XLR")
        assert (limits[6136], limits[25003]) == ("limits-1", "3")
        assert (limits[25004], limits[25006], limits[25007], limits[25008]) == (
            "2", "10000", "10", "s",
        )  # fmt: skip
        assert limits.get(25004, 2) == "1" and limits.get(25005, 2) == "6"  # orders placed


def test_drop_copy_sees_orders_placed_over_rest(fix: Ports) -> None:
    erin = ed25519_user(fix.server, "fix-erin", KRW="500000")
    reader = read_only_user(fix, erin)
    with FixClient(fix.drop_copy) as client:
        logon = client.logon(reader, drop_copy=True)
        assert logon.msg_type == "A"
        status, placed = erin.trader.post("/api/v3/order", symbol="KGLDKRW", side="BUY",
                                          type="LIMIT", timeInForce="GTC", quantity="1",
                                          price="60000", newClientOrderId="from-rest")  # fmt: skip
        assert status == 200, placed
        seen = report(client)
        assert (seen[150], seen[11], seen[37], seen[44]) == (
            "0", "from-rest", str(placed["orderId"]), "60000",
        )  # fmt: skip
        # ... and orders placed over FIX by another session of the account.
        with FixClient(fix.order_entry) as trading:
            trading.logon(erin)
            trading.send("D", limit("from-fix", "BUY", "1", "61000"))
            assert report(trading)[11] == "from-fix"
        assert report(client)[11] == "from-fix"
        client.send("D", limit("not-here", "BUY", "1", "61000"))
        refused = client.until("3")
        assert (refused[25016], refused[58]) == (
            "-1183", "Requested operation is not allowed in DropCopy sessions.",
        )  # fmt: skip


def test_only_acks_response_mode(fix: Ports) -> None:
    """ResponseMode ONLY_ACKS: the answers to the session's own requests, no other push."""
    ivan = ed25519_user(fix.server, "fix-ivan", KRW="500000")
    with FixClient(fix.order_entry) as client:
        client.logon(ivan, response_mode="2")
        status, _ = ivan.trader.post("/api/v3/order", symbol="KGLDKRW", side="BUY",
                                     type="LIMIT", timeInForce="GTC", quantity="1",
                                     price="50000", newClientOrderId="not-mine")  # fmt: skip
        assert status == 200
        client.send("D", limit("mine", "BUY", "1", "51000"))
        assert report(client)[11] == "mine"  # the REST order's report never came
        client.send("F", [(11, "cxl-mine"), (41, "mine"), (55, "KGLDKRW")])
        canceled = report(client)
        assert (canceled[150], canceled[11]) == ("4", "cxl-mine")


def read_only_user(fix: Ports, user: Ed25519User) -> Ed25519User:
    """Another Ed25519 key of the same account, with READ only."""
    private_key = Ed25519PrivateKey.generate()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    answer = fix.server.admin("/api/v1/admin/apikeys", user_id=user.trader.user_id,
                              ed25519_public_key=public_pem, permissions=["read"])  # fmt: skip
    return Ed25519User(user.trader, answer["api_key"], private_key)


def refused_logon(port: int, user: Ed25519User, **options: Any) -> tuple[str, str]:
    """A logon the server refuses: Reject<3> (code, text), then Logout<5> and the close."""
    with FixClient(port) as client:
        client.sock.sendall(client.logon_message(user, **options))
        messages = client.rest()
    assert [m.msg_type for m in messages] == ["3", "5"], messages
    reject = messages[0]
    assert reject[372] == "A"
    return reject[25016], reject[58]


def test_refused_logons(fix: Ports) -> None:
    frank = ed25519_user(fix.server, "fix-frank", KRW="1000")
    stranger = Ed25519PrivateKey.generate()
    assert refused_logon(fix.order_entry, frank, sign_with=stranger) == (
        "-1022", "Signature for this request is not valid.",
    )  # fmt: skip
    assert refused_logon(fix.order_entry, frank, api_key=frank.trader.api_key) == (
        "-4056", "HMAC_SHA256 API key is not supported.",
    )  # fmt: skip
    reader = read_only_user(fix, frank)
    assert refused_logon(fix.order_entry, reader) == (
        "-2015", "Invalid API-key, IP, or permissions for action.",
    )  # fmt: skip
    assert refused_logon(fix.order_entry, frank, drop_copy=True)[0] == "-1184"
    assert refused_logon(fix.drop_copy, frank)[0] == "-1185"
    old = time.time() - 60
    assert refused_logon(fix.order_entry, frank, moment=datetime.fromtimestamp(old, UTC)) == (
        "-1021", "Timestamp for this request is outside of the recvWindow.",
    )  # fmt: skip
    assert refused_logon(fix.order_entry, frank, heartbeat=600)[0] == "-1130"
    # Anything but a logon first.
    with FixClient(fix.order_entry) as client:
        client.send("D", limit("early", "BUY", "1", "1000"))
        messages = client.rest()
    assert [m.msg_type for m in messages] == ["3", "5"]
    assert messages[0][25016] == "-1180"


def test_silent_clients_are_dropped(fix: Ports) -> None:
    grace = ed25519_user(fix.server, "fix-grace", KRW="1000")
    # Connected, never logged on: closed after the logon timeout (1 s here).
    with socket.create_connection(("127.0.0.1", fix.order_entry), timeout=10) as raw:
        assert raw.recv(100) == b""
    # Logged on, then silent: a TestRequest after HeartBtInt, logged out after twice it.
    with FixClient(fix.order_entry) as client:
        client.logon(grace, heartbeat=1)
        messages = client.rest(timeout=10)
    kinds = [m.msg_type for m in messages]
    assert "1" in kinds and kinds[-1] == "5", messages
    assert "Heartbeat timeout" in messages[-1][58]
    # A client that answers the test requests stays (2 s: room for a busy machine).
    with FixClient(fix.order_entry) as client:
        client.logon(grace, heartbeat=2)
        request = client.until("1")
        client.send("0", [(112, request[112])])
        client.send("1", [(112, "still-here")])
        assert client.until("0", timeout=5)[112] == "still-here"


def test_garbled_and_oversized_messages(fix: Ports) -> None:
    henry = ed25519_user(fix.server, "fix-henry", KRW="1000")
    with FixClient(fix.order_entry) as client:
        client.logon(henry)
        bad = bytearray(client.encode("1", [(112, "x")]))
        bad[-2] = ord("0") if bad[-2] != ord("0") else ord("1")  # the checksum
        client.sock.sendall(bytes(bad))
        garbled = client.receive()
        assert (garbled.msg_type, garbled[25016], garbled[58]) == (
            "3", "-1177", "CheckSum(10) contains an incorrect value.",
        )  # fmt: skip
        client.send("1", [(112, "after")])  # the garbled message used no number
        assert client.until("0")[112] == "after"
        client.sock.sendall(b"8=FIX.4.4\x019=99999999\x01")
        messages = client.rest()
    assert [m.msg_type for m in messages] == ["5"]
    assert messages[0][25016] == "-1177"
    with FixClient(fix.order_entry) as client:
        client.sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert [m.msg_type for m in client.rest()] == ["5"]
