"""ExecutionReport<8> from the user data stream's `executionReport` (api/user_data.py):
one FIX report per change of an order, with Binance's FIX tags and codes.

The user data stream already rebuilds each change's running totals and statuses, so the
FIX sessions show exactly what a WebSocket or listenKey subscriber sees, tag for field.
"""

from decimal import Decimal
from typing import Any, Final

from assetport.api.fix.session import Session
from assetport.api.fix.wire import timestamp_from_ms
from assetport.api.user_data import UserData
from assetport.domain.orders import OrderType, SelfTradePrevention, Side, TimeInForce

SIDES: Final = {Side.BUY: "1", Side.SELL: "2"}
TIME_IN_FORCE: Final = {TimeInForce.GTC: "1", TimeInForce.IOC: "3", TimeInForce.FOK: "4"}
STP_MODES: Final = {
    SelfTradePrevention.NONE: "1",
    SelfTradePrevention.EXPIRE_TAKER: "2",
    SelfTradePrevention.EXPIRE_MAKER: "3",
    SelfTradePrevention.EXPIRE_BOTH: "4",
}
# OrdType (40): MARKET 1, LIMIT 2, STOP 3, STOP_LIMIT 4; a limit maker is LIMIT with
# ExecInst (18) PARTICIPATE_DONT_INITIATE.
ORD_TYPES: Final = {
    OrderType.MARKET: "1",
    OrderType.LIMIT: "2",
    OrderType.LIMIT_MAKER: "2",
    OrderType.STOP_LOSS: "3",
    OrderType.TAKE_PROFIT: "3",
    OrderType.STOP_LOSS_LIMIT: "4",
    OrderType.TAKE_PROFIT_LIMIT: "4",
}
_STOP_LOSSES: Final = (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT)
_TAKE_PROFITS: Final = (OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT)
_EXEC_TYPES: Final = {
    "NEW": "0",
    "CANCELED": "4",
    "REPLACED": "5",
    "REJECTED": "8",
    "TRADE": "F",
    "EXPIRED": "C",
}
ORD_STATUSES: Final = {
    "NEW": "0",
    "PARTIALLY_FILLED": "1",
    "FILLED": "2",
    "CANCELED": "4",
    "PENDING_CANCEL": "6",
    "REJECTED": "8",
    "PENDING_NEW": "A",
    "EXPIRED": "C",
    "EXPIRED_IN_MATCH": "C",  # FIX has no EXPIRED_IN_MATCH (Binance's FIX API)
}
_OPEN: Final = ("NEW", "PARTIALLY_FILLED")


def order_type_fields(order_type: OrderType, side: Side, stop_price: str) -> list[tuple[int, str]]:
    """OrdType (40) and what tells Binance's order types apart in FIX: ExecInst (18) for a
    limit maker; for a stop, the trigger tags, whose direction (1109) says stop loss or
    take profit (a buy stop loss triggers as the price goes up)."""
    fields = [(40, ORD_TYPES[order_type])]
    if order_type is OrderType.LIMIT_MAKER:
        fields.append((18, "6"))
    elif order_type in _STOP_LOSSES or order_type in _TAKE_PROFITS:
        up = (order_type in _STOP_LOSSES) == (side is Side.BUY)
        fields += [(1100, "4"), (1101, "1"), (1102, stop_price), (1107, "2")]
        fields.append((1109, "U" if up else "D"))
    return fields


def _is_zero(amount: str) -> bool:
    return amount.strip("0.") == ""


def execution_report_fields(event: dict[str, Any]) -> list[tuple[int, str]] | None:
    """The body of ExecutionReport<8> for one `executionReport` event; None for a change
    FIX does not report (a prevented match that expired nothing)."""
    exec_type = _EXEC_TYPES.get(event["x"])
    if exec_type is None:
        return None
    order_type = OrderType(event["o"])
    side = Side(event["S"])
    status = event["X"]
    fields: list[tuple[int, str]] = [(17, str(event["I"])), (11, event["c"])]
    if event["C"]:
        fields.append((41, event["C"]))
    fields.append((37, str(event["i"])))
    quote_order = not _is_zero(event["Q"])
    if not (quote_order and _is_zero(event["q"])):
        fields.append((38, event["q"]))
    fields += order_type_fields(order_type, side, event["P"])
    fields += [(54, SIDES[side]), (55, event["s"])]
    if not _is_zero(event["p"]):
        fields.append((44, event["p"]))
    if order_type is not OrderType.MARKET:
        fields.append((59, TIME_IN_FORCE[TimeInForce(event["f"])]))
    fields.append((60, timestamp_from_ms(event["T"])))
    fields.append((25018, timestamp_from_ms(event["O"])))
    if not _is_zero(event["F"]):
        fields.append((111, event["F"]))
    if event.get("g", -1) != -1:
        fields.append((66, str(event["g"])))  # ListID: an order of an order list
    if quote_order:
        fields.append((152, event["Q"]))
    fields.append((25001, STP_MODES[SelfTradePrevention(event["V"])]))
    fields += [(150, exec_type), (14, event["z"])]
    fields.append((151, _leaves(event["q"], event["z"]) if status in _OPEN else "0"))
    fields.append((25017, event["Z"]))
    if event["x"] == "TRADE":
        fields += [(1057, "N" if event["m"] else "Y"), (1003, str(event["t"]))]
        fields.append((31, event["L"]))
    fields += [(32, event["l"]), (39, ORD_STATUSES[status])]
    if event["w"]:
        fields.append((636, "Y"))
    if event["W"] != -1:
        fields.append((25023, timestamp_from_ms(event["W"])))
    if "v" in event:
        fields.append((25024, str(event["v"])))
    if event["x"] == "TRADE" and event["N"]:
        fields += [(136, "1"), (137, event["n"]), (138, event["N"]), (139, "4")]
    return fields


def _leaves(quantity: str, executed: str) -> str:
    """What is left of an order, in the base asset's decimals as the report writes them."""
    left = Decimal(quantity) - Decimal(executed)
    places = len(quantity.partition(".")[2])
    return f"{max(left, Decimal(0)):.{places}f}"


class ReportFeed:
    """A session's subscription to its account's user data (`UserData.subscribe`): each
    `executionReport` sent as ExecutionReport<8>. With `only`, just the reports of the
    requests whose ClOrdIDs it holds (ResponseMode ONLY_ACKS)."""

    __slots__ = ("micro", "only", "session")

    def __init__(self, session: Session, only: set[str] | None = None) -> None:
        self.session = session
        self.only = only
        self.micro = False  # events in milliseconds: the FIX timestamps are written from them

    def deliver(self, event: dict[str, Any]) -> None:
        if event.get("e") != "executionReport":
            return
        if self.only is not None and event["c"] not in self.only:
            return
        fields = execution_report_fields(event)
        if fields is not None:
            self.session.send("8", fields)


class ReportFeeds:
    """The sessions' feeds of one application (order entry or drop copy): subscribed as a
    session logs on, ended as it closes."""

    def __init__(self, user_data: UserData) -> None:
        self.user_data = user_data
        self._feeds: dict[Session, ReportFeed] = {}

    def start(self, session: Session, only: set[str] | None = None) -> None:
        feed = ReportFeed(session, only)
        self._feeds[session] = feed
        self.user_data.subscribe(session.account, feed)

    def stop(self, session: Session) -> None:
        feed = self._feeds.pop(session, None)
        if feed is not None:
            self.user_data.unsubscribe(session.account, feed)

    def get(self, session: Session) -> ReportFeed | None:
        return self._feeds.get(session)
