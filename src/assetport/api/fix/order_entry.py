"""The order entry session's messages on the gateway's order path: NewOrderSingle<D>,
OrderCancelRequest<F>, OrderCancelRequestAndNewOrderSingle<XCN>, OrderMassCancelRequest<q>
and LimitQuery<XLQ>.

A FIX message becomes the Binance parameters a REST or WebSocket API request would carry
(ClOrdID is `newClientOrderId`, OrderQty `quantity`, TriggerPrice `stopPrice`...), read by
the same `read_new_order` / `read_cancel` as `order.place`, counted by the same order rate
limits and submitted the same way (`Gateway.submit_with_reply`): one order path, one set of
checks and errors. Binance's FIX answers:

- what cannot be read (a tag missing or not defined, an unknown symbol, a bad value) is a
  Reject<3> with ErrorCode (25016) and Text (58);
- a new order refused after that (the engine, the order rate limit) is an
  ExecutionReport<8> REJECTED; a cancel refused, an OrderCancelReject<9>;
- what the engine did is reported by the user data stream, whichever channel placed the
  order (`reports.ReportFeed`): NEW, TRADE, CANCELED, EXPIRED as they happen;
- a mass cancel is answered with OrderMassCancelReport<r>, a limit query with
  LimitResponse<XLR>.
"""

import logging
import re
from collections.abc import Callable
from typing import Final

from assetport.api import errors
from assetport.api.errors import ApiError, RejectContext, reject_error
from assetport.api.fix.reports import ReportFeeds
from assetport.api.fix.session import (
    HEADER_TAGS,
    INVALID_MSG_TYPE,
    REQUIRED_TAG_MISSING,
    VALUE_INCORRECT,
    ResponseMode,
    Session,
    SessionError,
    check_tags,
    required,
)
from assetport.api.fix.wire import Message, timestamp_from_ms
from assetport.api.gateway import Gateway, refusal_error
from assetport.api.http import Call
from assetport.api.params import Params
from assetport.api.rest_trade import read_cancel, read_new_order, rejection
from assetport.api.user_data import UserData
from assetport.domain.commands import CancelAllOrders, CancelReplace, Command
from assetport.domain.events import CommandRejected, OrderCanceled
from assetport.runtime.errors import CommandRefused, ServiceFailed
from assetport.runtime.service import Outcome

logger = logging.getLogger(__name__)

_ORDER_TAGS: Final = frozenset(
    {11, 38, 40, 18, 44, 54, 55, 59, 111, 152, 847, 7940, 25001}
    | {1100, 1101, 1102, 1107, 1109, 25009, 25032}
)
_TAGS: Final = {
    "D": HEADER_TAGS | _ORDER_TAGS,
    "F": HEADER_TAGS | {11, 41, 37, 25015, 66, 55, 25002},
    "XCN": HEADER_TAGS | _ORDER_TAGS | {25033, 25038, 37, 25034, 41, 25002},
    "q": HEADER_TAGS | {11, 55, 530},
    "XLQ": HEADER_TAGS | {6136},
}
_CLIENT_ID: Final = re.compile(r"[a-zA-Z0-9\-_]{1,36}")
_CLIENT_ID_RANGE: Final = "^[a-zA-Z0-9-_]{1,36}$"
_SIDES: Final = {"1": "BUY", "2": "SELL"}
_TIME_IN_FORCE: Final = {"1": "GTC", "3": "IOC", "4": "FOK"}
_STP_MODES: Final = {"1": "NONE", "2": "EXPIRE_TAKER", "3": "EXPIRE_MAKER", "4": "EXPIRE_BOTH"}
_RESTRICTIONS: Final = {"1": "ONLY_NEW", "2": "ONLY_PARTIALLY_FILLED"}
_REPLACE_MODES: Final = {"1": "STOP_ON_FAILURE", "2": "ALLOW_FAILURE"}
# The fixed values a stop order's trigger tags take (Binance's "Supported Order Types").
_TRIGGER_TAGS: Final = ((1100, "TriggerType", "4"), (1101, "TriggerAction", "1"),
                        (1107, "TriggerPriceType", "2"))  # fmt: skip
# A rejected order's report repeats what the request said of it.
_ECHOED: Final = (11, 38, 40, 18, 44, 54, 55, 59, 111, 152, 847, 7940, 25001,
                  1100, 1101, 1102, 1107, 1109)  # fmt: skip
# The parameter names the shared checks quote, as the FIX tags they came from.
_TAG_NAMES: Final = {
    "newClientOrderId": "ClOrdID (11)",
    "quantity": "OrderQty (38)",
    "quoteOrderQty": "CashOrderQty (152)",
    "price": "Price (44)",
    "stopPrice": "TriggerPrice (1102)",
    "icebergQty": "MaxFloor (111)",
    "timeInForce": "TimeInForce (59)",
    "orderId": "OrderID (37)",
    "origClientOrderId": "OrigClOrdID (41)",
    "cancelOrderId": "OrderID (37)",
    "cancelOrigClientOrderId": "OrigClOrdID (41)",
    "cancelNewClientOrderId": "CancelClOrdID (25034)",
    "selfTradePreventionMode": "SelfTradePreventionMode (25001)",
    "cancelRestrictions": "CancelRestrictions (25002)",
}
_QUOTED: Final = re.compile(r"'([A-Za-z]+)'")


def _in_fix_terms(error: ApiError) -> ApiError:
    """The shared checks' error with the parameter names it quotes as FIX tags."""
    msg = _QUOTED.sub(lambda m: f"'{_TAG_NAMES.get(m.group(1), m.group(1))}'", error.msg)
    return error if msg == error.msg else ApiError(error.code, msg, error.http_status)


def _enum(message: Message, tag: int, name: str, table: dict[str, str]) -> str | None:
    value = message.get(tag)
    if value is None:
        return None
    member = table.get(value)
    if member is None:
        raise SessionError(errors.invalid_parameter(f"{name} ({tag})"), VALUE_INCORRECT, tag)
    return member


def _client_id(message: Message, tag: int, name: str) -> str | None:
    value = message.get(tag)
    if value is not None and _CLIENT_ID.fullmatch(value) is None:
        raise errors.illegal_chars(f"{name} ({tag})", _CLIENT_ID_RANGE)
    return value


def _order_type(message: Message, side: str) -> tuple[str, bool]:
    """Binance's order type from OrdType (40), ExecInst (18) and the trigger direction
    (1109); and whether it is a stop (which takes TriggerPrice)."""
    kind = required(message, 40, "OrdType")
    exec_inst = message.get(18)
    if exec_inst is not None and (exec_inst != "6" or kind != "2"):
        raise SessionError(errors.invalid_parameter("ExecInst (18)"), VALUE_INCORRECT, 18)
    if kind == "1":
        return "MARKET", False
    if kind == "2":
        return ("LIMIT_MAKER" if exec_inst else "LIMIT"), False
    if kind not in ("3", "4"):
        raise SessionError(errors.INVALID_ORDER_TYPE.error(), VALUE_INCORRECT, 40)
    for tag, name, value in _TRIGGER_TAGS:
        if required(message, tag, name) != value:
            raise SessionError(errors.invalid_parameter(f"{name} ({tag})"), VALUE_INCORRECT, tag)
    direction = required(message, 1109, "TriggerPriceDirection")
    if direction not in ("U", "D"):
        raise SessionError(
            errors.invalid_parameter("TriggerPriceDirection (1109)"), VALUE_INCORRECT, 1109
        )
    # A buy stop loss triggers as the price rises, a sell stop loss as it falls.
    stop_loss = (direction == "U") == (side == "BUY")
    base = "STOP_LOSS" if stop_loss else "TAKE_PROFIT"
    return (f"{base}_LIMIT" if kind == "4" else base), True


def order_params(message: Message, client_id_name: str = "newClientOrderId") -> dict[str, str]:
    """The Binance parameters of the order a NewOrderSingle (or XCN) describes."""
    values: dict[str, str] = {"symbol": required(message, 55, "Symbol")}
    side = _enum(message, 54, "Side", _SIDES)
    if side is None:
        raise SessionError(errors.fix_required_tag_missing("Side (54)"), REQUIRED_TAG_MISSING, 54)
    values["side"] = side
    order_type, stop = _order_type(message, side)
    values["type"] = order_type
    if not stop:
        for tag, name, _ in _TRIGGER_TAGS:
            if message.get(tag) is not None:
                raise errors.param_not_required(f"{name} ({tag})")
        if message.get(1109) is not None:
            raise errors.param_not_required("TriggerPriceDirection (1109)")
    client_id = _client_id(message, 11, "ClOrdID")
    if client_id is None:
        raise SessionError(
            errors.fix_required_tag_missing("ClOrdID (11)"), REQUIRED_TAG_MISSING, 11
        )
    values[client_id_name] = client_id
    for tag, name in ((38, "quantity"), (152, "quoteOrderQty"), (44, "price"),
                      (1102, "stopPrice"), (111, "icebergQty"), (847, "strategyType"),
                      (7940, "strategyId"), (25009, "trailingDelta")):  # fmt: skip
        value = message.get(tag)
        if value is not None:
            values[name] = value
    tif = _enum(message, 59, "TimeInForce", _TIME_IN_FORCE)
    if tif is not None:
        values["timeInForce"] = tif
    stp = _enum(message, 25001, "SelfTradePreventionMode", _STP_MODES)
    if stp is not None:
        values["selfTradePreventionMode"] = stp
    sor = message.get(25032)
    if sor == "Y":
        raise errors.UNSUPPORTED_OPERATION.error()  # one venue: no smart order routing
    if sor not in (None, "N"):
        raise SessionError(errors.invalid_parameter("SOR (25032)"), VALUE_INCORRECT, 25032)
    return values


def _rejected_report(message: Message, error: ApiError, now_ms: int) -> list[tuple[int, str]]:
    """ExecutionReport<8> REJECTED for an order refused after it was read."""
    body = [(tag, value) for tag in _ECHOED if (value := message.get(tag)) is not None]
    body += [(60, timestamp_from_ms(now_ms)), (150, "8"), (14, "0"), (151, "0"), (32, "0")]
    body += [(39, "8"), (25016, str(error.code)), (58, error.msg)]
    return body


def _cancel_reject(message: Message, client_id: str, error: ApiError) -> list[tuple[int, str]]:
    """OrderCancelReject<9>: the cancel request's ids, and why."""
    body = [(11, client_id)]
    body += [(tag, v) for tag in (41, 37, 25015, 66, 55, 25002) if (v := message.get(tag))]
    body += [(434, "1"), (25016, str(error.code)), (58, error.msg)]
    return body


class OrderEntry:
    """The order entry sessions' application (session.Application)."""

    def __init__(self, gateway: Gateway, user_data: UserData) -> None:
        self.gateway = gateway
        self._feeds = ReportFeeds(user_data)
        self._handlers: dict[str, Callable[[Session, Message], None]] = {
            "D": self._new_order,
            "F": self._cancel,
            "XCN": self._cancel_replace,
            "q": self._mass_cancel,
            "XLQ": self._limit_query,
        }

    def start(self, session: Session) -> None:
        only: set[str] | None = set() if session.response_mode is ResponseMode.ONLY_ACKS else None
        self._feeds.start(session, only)

    def stop(self, session: Session) -> None:
        self._feeds.stop(session)

    def handle(self, session: Session, message: Message) -> None:
        handler = self._handlers.get(message.msg_type)
        if handler is None:
            raise SessionError(errors.UNSUPPORTED_OPERATION.error(), INVALID_MSG_TYPE, 35)
        check_tags(message, _TAGS[message.msg_type])
        try:
            handler(session, message)
        except ApiError as error:
            raise SessionError(_in_fix_terms(error)) from None

    # -- the messages -------------------------------------------------------------------

    def _call(self, session: Session, values: dict[str, str]) -> tuple[Call, Params, str]:
        params = Params(values)
        call = Call(self.gateway, params, session.key, self.gateway.clock_ms(), session.ip)
        symbol = params.symbol()
        if symbol not in self.gateway.markets.terms:
            raise errors.BAD_SYMBOL.error()
        return call, params, symbol

    def _new_order(self, session: Session, message: Message) -> None:
        call, params, symbol = self._call(session, order_params(message))
        command, _ = read_new_order(call, symbol, params)
        params.ensure_all_read()

        def refused(error: ApiError) -> None:
            session.send("8", _rejected_report(message, _in_fix_terms(error), call.now_ms))

        try:
            self.gateway.limiter.check_order(session.account, call.now_ms)
        except ApiError as error:
            refused(error)
            return

        def answered(outcome: Outcome) -> None:
            rejected = rejection(outcome)
            if rejected is not None:
                refused(reject_error(rejected.reason, RejectContext.NEW_ORDER))

        self._submit(session, command, command.client_order_id, answered, refused)

    def _cancel(self, session: Session, message: Message) -> None:
        request_id = _client_id(message, 11, "ClOrdID") or required(message, 11, "ClOrdID")
        if message.get(25015) is not None or message.get(66) is not None:
            raise errors.UNSUPPORTED_OPERATION.error()  # order lists are not offered by FIX
        values = {"symbol": required(message, 55, "Symbol"), "newClientOrderId": request_id}
        _copy(message, values, {37: "orderId", 41: "origClientOrderId"})
        restriction = _enum(message, 25002, "CancelRestrictions", _RESTRICTIONS)
        if restriction is not None:
            values["cancelRestrictions"] = restriction
        call, params, symbol = self._call(session, values)

        def refused(error: ApiError) -> None:
            session.send("9", _cancel_reject(message, request_id, _in_fix_terms(error)))

        try:
            command = read_cancel(call, symbol)
            params.ensure_all_read()
        except ApiError as error:
            refused(error)
            return

        def answered(outcome: Outcome) -> None:
            rejected = rejection(outcome)
            if rejected is not None:
                refused(reject_error(rejected.reason, RejectContext.CANCEL))

        self._submit(session, command, request_id, answered, refused)

    def _cancel_replace(self, session: Session, message: Message) -> None:
        values = order_params(message)
        mode = _enum(message, 25033, "OrderCancelRequestAndNewOrderSingleMode", _REPLACE_MODES)
        if mode is None:
            raise SessionError(
                errors.fix_required_tag_missing("OrderCancelRequestAndNewOrderSingleMode (25033)"),
                REQUIRED_TAG_MISSING,
                25033,
            )
        cancel_id = _client_id(message, 25034, "CancelClOrdID")
        _copy(message, values, {37: "cancelOrderId", 41: "cancelOrigClientOrderId"})
        if cancel_id is not None:
            values["cancelNewClientOrderId"] = cancel_id
        restriction = _enum(message, 25002, "CancelRestrictions", _RESTRICTIONS)
        if restriction is not None:
            values["cancelRestrictions"] = restriction
        call, params, symbol = self._call(session, values)
        cancel = read_cancel(call, symbol, prefix="cancel")
        place, _ = read_new_order(call, symbol, params)
        params.ensure_all_read()
        now = call.now_ms

        def refused(error: ApiError) -> None:
            session.send("8", _rejected_report(message, _in_fix_terms(error), now))

        try:
            self.gateway.limiter.check_order(session.account, now)
        except ApiError as error:
            refused(error)
            return

        def answered(outcome: Outcome) -> None:
            events = outcome.events
            canceled = any(isinstance(e, OrderCanceled) for e in events)
            rejections = [e for e in events if isinstance(e, CommandRejected)]
            if not canceled and rejections:
                error = reject_error(rejections.pop(0).reason, RejectContext.CANCEL)
                reject = _cancel_reject(message, cancel.cancel_client_order_id, error)
                session.send("9", reject)
            if rejections:
                refused(reject_error(rejections[0].reason, RejectContext.NEW_ORDER))

        allow = mode == "ALLOW_FAILURE"
        command = CancelReplace(cancel, place, allow_failure=allow)
        ids = (place.client_order_id, cancel.cancel_client_order_id)
        self._submit(session, command, ids, answered, refused)

    def _mass_cancel(self, session: Session, message: Message) -> None:
        request_id = _client_id(message, 11, "ClOrdID") or required(message, 11, "ClOrdID")
        if required(message, 530, "MassCancelRequestType") != "1":
            raise SessionError(
                errors.invalid_parameter("MassCancelRequestType (530)"), VALUE_INCORRECT, 530
            )
        _, _, symbol = self._call(session, {"symbol": required(message, 55, "Symbol")})
        head = [(55, symbol), (11, request_id), (530, "1")]

        def refused(error: ApiError) -> None:
            body = [*head, (531, "0"), (532, "99"), (25016, str(error.code)), (58, error.msg)]
            session.send("r", body)

        def answered(outcome: Outcome) -> None:
            rejected = rejection(outcome)
            if rejected is not None:
                refused(reject_error(rejected.reason, RejectContext.CANCEL))
                return
            count = sum(isinstance(e, OrderCanceled) for e in outcome.events)
            session.send("r", [*head, (531, "1"), (533, str(count))])

        command = CancelAllOrders(session.account, symbol)
        self._submit(session, command, (), answered, refused)

    def _limit_query(self, session: Session, message: Message) -> None:
        request_id = required(message, 6136, "ReqID")
        limits = session.limits
        rows = [("2", session.messages_in_window, limits.messages_per_10s, 10, "s")]
        limiter = self.gateway.limiter
        usage = dict(limiter.order_usage(session.account, self.gateway.clock_ms()).headers())
        for limit in limiter.rate_limits_for_exchange_info():
            if limit["rateLimitType"] != "ORDERS":
                continue
            interval = str(limit["interval"])
            number = int(str(limit["intervalNum"]))
            used = int(usage.get(f"X-MBX-ORDER-COUNT-{number}{interval[0]}", "0"))
            rows.append(("1", used, int(str(limit["limit"])), number, interval[0].lower()))
        body = [(6136, request_id), (25003, str(len(rows)))]
        for kind, used, most, every, unit in rows:
            body += [(25004, kind), (25005, str(used)), (25006, str(most))]
            body += [(25007, str(every)), (25008, unit)]
        session.send("XLR", body)

    # -- submitting ---------------------------------------------------------------------

    def _submit(
        self,
        session: Session,
        command: Command,
        client_ids: str | tuple[str, ...],
        answered: Callable[[Outcome], None],
        refused: Callable[[ApiError], None],
    ) -> None:
        """Submit as `order.place` does; the engine's answer to `answered` (or `refused`),
        from its acknowledgement pass, after the user data reports have gone out."""
        feed = self._feeds.get(session)
        ids = (client_ids,) if isinstance(client_ids, str) else client_ids
        acks = feed.only if feed is not None else None
        if acks is not None:
            acks.update(ids)  # ONLY_ACKS: the reports of this request still go out

        def reply(outcome: Outcome | ServiceFailed | CommandRefused) -> None:
            if acks is not None:
                acks.difference_update(ids)
            if session.closed:
                return
            try:
                if isinstance(outcome, ServiceFailed | CommandRefused):
                    refused(refusal_error(outcome))
                else:
                    answered(outcome)
            except Exception:
                logger.exception("FIX answer to %s failed", type(command).__name__)

        try:
            self.gateway.submit_with_reply(command, reply)
        except CommandRefused as exc:
            if acks is not None:
                acks.difference_update(ids)
            refused(refusal_error(exc))


def _copy(message: Message, values: dict[str, str], names: dict[int, str]) -> None:
    for tag, name in names.items():
        value = message.get(tag)
        if value is not None:
            values[name] = value
